"""`ficlens eval`: the measures on tiny hand-made inputs, the data readers on tiny files
written here, and the real command on a small slice of the development data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ficlens.errors import InputError
from ficlens.eval import litbank, pdnc
from ficlens.eval.data import GoldDocument, GoldQuote, find_dataset, normalize_name
from ficlens.eval.metrics import covered, map_characters, match_quotes, prf, split_characters
from ficlens.eval.runner import finish_mode, lines_as_paragraphs, score_document
from ficlens.model import Chapter, Character, Quote, Story

# --- metrics -------------------------------------------------------------------------------

def test_covered_counts_gold_characters_inside_predicted_spans():
    assert covered([(10, 20)], [(0, 15)]) == 5
    assert covered([(10, 20), (30, 40)], [(9, 21), (35, 50)]) == 15
    assert covered([(10, 20)], [(20, 30)]) == 0


def test_match_needs_half_of_the_gold_characters():
    gold = [[(10, 20)]]
    assert match_quotes(gold, [[(9, 15)]]) == {0: 0}  # 5 of 10 characters
    assert match_quotes(gold, [[(9, 14)]]) == {}  # 4 of 10


def test_match_is_one_to_one_best_coverage_first():
    # one predicted quote swallowing two gold quotes finds only the better covered one
    gold = [[(10, 20)], [(25, 30)]]
    assert match_quotes(gold, [[(9, 31)]]) == {0: 0}
    # two predictions for one gold quote: the better one wins, the other is spurious
    assert match_quotes([[(10, 20)]], [[(9, 16)], [(9, 21)]]) == {0: 1}
    # multi-span gold and predicted quotes compare all their spans
    assert match_quotes([[(10, 20), (40, 50)]], [[(9, 12)], [(15, 21), (39, 51)]]) == {0: 1}


def test_prf_on_counts():
    scores = prf(8, 2, 8)
    assert scores["precision"] == pytest.approx(0.8)
    assert scores["recall"] == pytest.approx(0.5)
    assert scores["f1"] == pytest.approx(2 * 0.8 * 0.5 / 1.3)
    assert prf(0, 0, 0)["f1"] == 0.0


def test_names_are_normalised():
    assert normalize_name("Mr. Darcy") == normalize_name("mr  darcy") == normalize_name("Mr . Darcy")


GOLD_CAST = {
    "Emma": {"Emma", "Miss Woodhouse", "Emma Woodhouse"},
    "Mr. Woodhouse": {"Mr. Woodhouse", "Papa"},
    "Mr. Knightley": {"Mr. Knightley", "Knightley", "George Knightley"},
    "Mr. John Knightley": {"Mr. John Knightley", "John"},
}


def test_map_characters_by_aliases():
    mapping = map_characters(
        {
            "C0": ["Emma Woodhouse", "Emma"],
            "C1": ["Knightley", "Mr Knightley"],
            "C2": ["John Knightley"],  # no exact alias: falls back to distinctive words
            "C3": ["Woodhouse"],  # `Woodhouse` is in two gold characters' names: ambiguous
            "C4": ["Harriet"],  # not a gold character
            "C5": ["Miss Woodhouse"],
        },
        GOLD_CAST,
    )
    assert mapping == {"C0": "Emma", "C1": "Mr. Knightley", "C2": "Mr. John Knightley",
                       "C3": None, "C4": None, "C5": "Emma"}


def test_map_characters_prefers_the_more_prominent_bearer_of_a_shared_name():
    gold = {"Tony Last": {"Tony", "Mr. Last"}, "Richard Last": {"Mr Last"}}
    predicted = {"C0": ["Mr. Last"]}
    assert map_characters(predicted, gold) == {"C0": None}  # `Mr. Last` = `Mr Last`: a tie
    assert map_characters(predicted, gold, {"Tony Last": 300, "Richard Last": 2}) == {"C0": "Tony Last"}


def test_split_share():
    rows = [("Emma", "C0", "Emma")] * 4 + [("Emma", "C5", "Emma")]  # Emma: 5 quotes, 2 ids
    rows += [("Harriet", "C1", "Harriet")] * 6  # one id
    rows += [("Jane", "C2", "Jane"), ("Jane", "C3", "Jane")]  # too few quotes to count
    rows += [("Mr. Elton", "C4", "Emma")] * 5  # wrong speaker: not a split of Mr. Elton
    result = split_characters(rows)
    assert result["eligible"] == 3 and result["split"] == 1
    assert result["share"] == pytest.approx(1 / 3)
    assert result["split_characters"] == {"Emma": ["C0", "C5"]}


def _tiny_case() -> tuple[GoldDocument, Story]:
    text = '"Hello," said Emma. "Hi." "Bye," said John. "Hm."'
    gold = GoldDocument(
        dataset="pdnc", name="tiny", path=Path("tiny.txt"), text=text,
        quotes=[
            GoldQuote("Q0", [(1, 7), (21, 24)], "Emma", ["Mr. John Knightley"], "explicit"),
            GoldQuote("Q1", [(27, 31)], "Mr. John Knightley", ["Emma"], "explicit"),
            GoldQuote("Q2", [(45, 48)], "Emma", [], "implicit"),
        ],
        characters=GOLD_CAST,
    )
    story = Story(text=text, format="novel-text")
    story.chapters.append(Chapter(1, 0, len(text)))
    story.characters = [Character("C0", "Emma"), Character("C1", "Mr. John Knightley"),
                        Character("C2", "Mr. Woodhouse")]
    story.quotes = [
        Quote("Q0", [(0, 8), (20, 25)], "Hello, Hi.", 1, speaker="C0", addressees=["C1", "C2"]),
        Quote("Q1", [(26, 32)], "Bye,", 1, speaker="C0", addressees=["C2"]),
        Quote("Q2", [(10, 14)], "said", 1, speaker="C1", addressees=["C2"]),  # spurious
    ]
    return gold, story


def test_score_document_counts_speakers_and_addressees():
    gold, story = _tiny_case()
    counts, rows, matches = score_document(gold, story, "cast-given")
    assert matches == {0: 0, 1: 1}
    assert counts["quotes"] == {"gold": 3, "predicted": 3, "matched": 2,
                                "spans": {"gold": 4, "predicted": 4, "matched": 3}}
    result = finish_mode(counts)
    speakers = result["speakers"]
    assert speakers["correct"] == 1 and speakers["total"] == 3  # the missed Q2 counts as wrong
    assert speakers["by_type"]["explicit"] == {"total": 2, "correct": 1, "accuracy": 0.5}
    assert speakers["by_type"]["implicit"]["accuracy"] == 0.0
    assert speakers["accuracy_found"] == pytest.approx(0.5)
    # addressees: Q0 John right + Woodhouse wrong; Q1 Woodhouse wrong and Emma missed;
    # the spurious Q2's Woodhouse is wrong too
    addressees = result["addressees"]
    assert (addressees["tp"], addressees["fp"], addressees["fn"]) == (1, 3, 1)
    assert [r["speaker_correct"] for r in rows if r["gold_quote"]] == [True, False, False]
    assert [r["predicted_quote"] for r in rows if r["gold_quote"] is None] == ["Q2"]


def test_no_speakers_means_zero_accuracy():
    gold, story = _tiny_case()
    for quote in story.quotes:
        quote.speaker, quote.addressees = None, []
    story.characters = []
    counts, _rows, _ = score_document(gold, story, "end-to-end")
    assert finish_mode(counts)["speakers"]["accuracy"] == 0.0


# --- readers of the datasets (tiny files written here) ---------------------------------------

def _write_pdnc(root: Path) -> None:
    novel = root / "pdnc" / "TinyNovel"
    novel.mkdir(parents=True)
    text = 'CHAPTER I\n\n"Good morning," said Anna. "Fine day."\n\n"Is it?" asked Ben.\n'
    (novel / "novel_text.txt").write_text(text)
    (novel / "character_info.csv").write_text(
        "Character ID,Main Name,Aliases,Gender,Category\n"
        "0,Anna Smith,\"{'Anna Smith', 'Anna', 'Miss Smith'}\",F,major\n"
        "1,Ben,\"['Ben', 'Benjamin']\",M,minor\n"
    )
    a1, a2 = text.index("Good"), text.index("Fine")
    b1 = text.index("Is it")
    rows = [
        ["Q0", "Good morning, Fine day.", "['Good morning,', 'Fine day.']",
         f"[[{a1}, {a1 + 13}], [{a2}, {a2 + 9}]]", "Anna", "['Benjamin']", "Explicit", "said Anna",
         "[[], []]", "[[], []]", "[[], []]"],
        ["Q1", "Is it?", "['Is it?']", f"[[{b1}, {b1 + 6}]]", "Ben ", "['Miss Smith']", "nan", "nan",
         "[[]]", "[[]]", "[[]]"],
    ]
    header = ("quoteID,quoteText,subQuotationList,quoteByteSpans,speaker,addressees,quoteType,"
              "referringExpression,mentionTextsList,mentionSpansList,mentionEntitiesList\n")
    lines = [",".join('"' + c.replace('"', '""') + '"' for c in row) for row in rows]
    (novel / "quotation_info.csv").write_text(header + "\n".join(lines) + "\n")


def test_pdnc_reader_resolves_aliases(tmp_path):
    _write_pdnc(tmp_path)
    [novel] = pdnc.load(tmp_path)
    assert novel.name == "TinyNovel"
    q0, q1 = novel.quotes
    assert q0.speaker == "Anna Smith" and q0.addressees == ["Ben"] and q0.type == "explicit"
    assert novel.text[q0.spans[1][0]:q0.spans[1][1]] == "Fine day."
    assert q1.speaker == "Ben" and q1.addressees == ["Anna Smith"] and q1.type is None
    assert novel.cast() == {"Anna Smith": ["Anna", "Miss Smith"], "Ben": ["Benjamin"]}


def test_missing_data_dir_is_a_clear_error(tmp_path):
    with pytest.raises(InputError, match="no pdnc data here"):
        find_dataset("pdnc", tmp_path)
    with pytest.raises(InputError, match="no novel called"):
        _write_pdnc(tmp_path)
        pdnc.load(tmp_path, novels="Nope")


def test_litbank_reader_turns_tokens_into_offsets(tmp_path):
    root = tmp_path / "litbank"
    (root / "quotations" / "tsv").mkdir(parents=True)
    (root / "coref" / "brat").mkdir(parents=True)
    text = "Tom came in .\n“ Hello , ” said Tom .\n“ Go , ” said he ."
    for folder in ("quotations/tsv", "coref/brat"):
        (root / folder / "doc_brat.txt").write_text(text)
    (root / "quotations" / "tsv" / "doc_brat.ann").write_text(
        "QUOTE\tQ1\t1\t0\t1\t3\t“ Hello , ”\nATTRIB\tQ1\tTom-0\n"
        "QUOTE\tQ2\t2\t0\t2\t3\t“ Go , ”\nATTRIB\tQ2\tTom-0\n"
    )
    start = text.index("Tom", 20)
    (root / "coref" / "brat" / "doc_brat.ann").write_text(
        "T1\tPROP_PER 0 3\tTom\nT2\tTom-0 0 3\tTom\n"
        f"T3\tPROP_PER {start} {start + 3}\tTom\nT4\tTom-0 {start} {start + 3}\tTom\n"
    )
    [doc] = litbank.load(tmp_path)
    assert [doc.text[q.start:q.end] for q in doc.quotes] == ["“ Hello , ”", "“ Go , ”"]
    assert doc.quotes[0].speaker == "Tom" and doc.characters == {"Tom": {"Tom"}}
    story = Story(text=text, format="novel-text", chapters=[Chapter(1, 0, len(text))])
    assert len(lines_as_paragraphs(story)) == 3


# --- the real command on the development data ------------------------------------------------

def test_eval_pdnc_one_novel(cli, data_dir, tmp_path):
    dump = tmp_path / "quotes.jsonl"
    result = cli("eval", "pdnc", str(data_dir), "--novels", "DaisyMiller", "--json", "-q",
                 "--dump", str(dump), timeout=600)
    assert result.returncode == 0, result.stderr
    scores = json.loads(result.stdout)
    assert list(scores["documents"]) == ["DaisyMiller"]
    quotes = scores["overall"]["quotes"]
    assert quotes["gold"] == 550 and quotes["f1"] > 0.9
    for mode in scores["modes"]:
        speakers = scores["overall"][mode]["speakers"]
        assert 0.0 <= speakers["accuracy"] <= 1.0
        assert set(speakers["by_type"]) <= {"explicit", "anaphoric", "implicit"}
        assert scores["overall"][mode]["addressees"]["f1"] >= 0.0
    rows = [json.loads(line) for line in dump.read_text().splitlines()]
    assert sum(1 for r in rows if r["gold_quote"]) == 550 * len(scores["modes"])


def test_eval_litbank_quotes_table(cli, data_dir):
    result = cli("eval", "litbank", str(data_dir), "--documents", "pride_and_prejudice,secret_adversary",
                 "--quotes-only", timeout=600)
    assert result.returncode == 0, result.stderr
    assert "overall" in result.stdout and "F1" in result.stdout
    result = cli("eval", "litbank", str(data_dir), "--documents", "pride_and_prejudice,secret_adversary",
                 "--quotes-only", "--json", "-q", timeout=600)
    quotes = json.loads(result.stdout)["overall"]["quotes"]
    assert quotes["gold"] > 100 and quotes["f1"] > 0.9


def test_eval_litbank_limit_3(cli, data_dir):
    result = cli("eval", "litbank", str(data_dir), "--limit", "3", "--json", "-q", timeout=600)
    assert result.returncode == 0, result.stderr
    scores = json.loads(result.stdout)
    assert len(scores["documents"]) == 3
    assert scores["overall"]["quotes"]["gold"] >= 0
    assert scores["overall"][scores["modes"][0]]["addressees"] is None  # LitBank has none


def test_eval_bad_data_dir(cli, tmp_path):
    result = cli("eval", "pdnc", str(tmp_path))
    assert result.returncode == 1
    assert "no pdnc data here" in result.stderr and "Traceback" not in result.stderr


def test_two_processes_give_the_same_scores(tmp_path):
    from ficlens.eval.runner import evaluate_documents

    _write_pdnc(tmp_path)
    [novel] = pdnc.load(tmp_path)
    other = tmp_path / "other.txt"
    other.write_text('CHAPTER I\n\n"Hello," said Ben.\n')
    second = GoldDocument("pdnc", "Other", other, other.read_text(),
                          [GoldQuote("Q0", [(12, 18)], "Ben")], {"Ben": {"Ben"}})
    one = evaluate_documents("pdnc", [novel, second], stages=["quotes"], jobs=1)
    two = evaluate_documents("pdnc", [novel, second], stages=["quotes"], jobs=2)
    assert one["documents"] == {k: {**v, "seconds": one["documents"][k]["seconds"]}
                                for k, v in two["documents"].items()}
    assert one["overall"]["quotes"]["f1"] == two["overall"]["quotes"]["f1"] == 1.0


def test_parse_cache_reuses_the_saved_parse(tmp_path, monkeypatch):
    from ficlens.eval.runner import parse_with_cache
    from ficlens.readers import story_from_text

    text = "Anna walked in.\n\n\"Hello,\" said Ben.\n"
    monkeypatch.setenv("FICLENS_PARSE_CACHE", str(tmp_path))
    first = parse_with_cache(story_from_text(text), "doc one")
    saved = list(tmp_path.glob("*.spacy"))
    assert len(saved) == 1
    second = parse_with_cache(story_from_text(text), "doc one")
    assert list(tmp_path.glob("*.spacy")) == saved
    for a, b in zip(first.paragraphs, second.paragraphs):
        assert [(t.text, t.dep_, t.head.i, t.ent_type_) for t in a.doc] == \
            [(t.text, t.dep_, t.head.i, t.ent_type_) for t in b.doc]
    parse_with_cache(story_from_text(text.replace("Ben", "Cal")), "doc one")
    assert len(list(tmp_path.glob("*.spacy"))) == 2  # a changed text is a new entry

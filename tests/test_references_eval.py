"""The coreference metrics against hand-computed values, the baseline, and LitBank/PDNC runs."""

from __future__ import annotations

import pytest

from ficlens.eval.references import baseline_clusters, coref_scores, person_chains


def test_metrics_on_a_split_entity():
    # key {a b c d}; response {a b} {c d}: MUC R 2/3 P 1; B3 R 1/2 P 1; CEAF-e R 2/3 P 1/3
    key = [{(0, 1), (2, 3), (4, 5), (6, 7)}]
    response = [{(0, 1), (2, 3)}, {(4, 5), (6, 7)}]
    s = coref_scores(key, response)
    assert s["muc"]["recall"] == pytest.approx(2 / 3, abs=1e-4)
    assert s["muc"]["precision"] == pytest.approx(1.0)
    assert s["b3"]["recall"] == pytest.approx(0.5)
    assert s["b3"]["precision"] == pytest.approx(1.0)
    assert s["ceafe"]["recall"] == pytest.approx(2 / 3, abs=1e-4)
    assert s["ceafe"]["precision"] == pytest.approx(1 / 3, abs=1e-4)
    f = [2 * 2 / 3 / (1 + 2 / 3), 2 * 0.5 / 1.5, 2 * (2 / 9) / 1.0]
    assert s["conll_f1"] == pytest.approx(sum(f) / 3, abs=1e-3)


def test_metrics_perfect_and_merged():
    key = [{(0, 1), (2, 3)}, {(4, 5)}]
    assert coref_scores(key, key)["conll_f1"] == pytest.approx(1.0)
    merged = coref_scores(key, [{(0, 1), (2, 3), (4, 5)}])
    assert merged["muc"]["recall"] == pytest.approx(1.0)
    assert merged["muc"]["precision"] == pytest.approx(0.5)
    assert merged["b3"]["precision"] == pytest.approx((2 / 3 * 2 + 1 / 3) / 3, abs=1e-4)


def test_person_chains_keep_person_entities_only():
    brat = {"mentions": [(0, 3, "PROP_PER", "Ann"), (10, 13, "PRON_PER", "she"),
                         (20, 26, "PROP_GPE", "London")],
            "entities": {"Ann-1": [(0, 3), (10, 13)], "London-2": [(20, 26)]}}
    assert person_chains(brat) == [[(0, 3), (10, 13)]]


def test_baseline_links_a_pronoun_to_the_nearest_compatible_name():
    from references_helpers import story_with_cast

    text = "Chapter 1\n\nMary met John. He smiled.\n"
    story = story_with_cast(text, [], {})
    spans = [(text.index("Mary"), text.index("Mary") + 4), (text.index("John"), text.index("John") + 4),
             (text.index("He"), text.index("He") + 2)]
    ids = baseline_clusters(story, spans)
    assert ids[2] == ids[1] != ids[0]


def test_litbank_references_on_one_document(data_dir):
    from ficlens.eval.references import evaluate_litbank_references

    result = evaluate_litbank_references(data_dir, limit=1)
    coref = result["coreference"]
    assert result["documents"] == 1 and result["person_mentions"] > 50
    for setting in ("gold-mentions", "gold-mentions baseline", "predicted-mentions"):
        assert 0 < coref[setting]["conll_f1"] <= 1
    assert coref["gold-mentions"]["conll_f1"] > coref["gold-mentions baseline"]["conll_f1"]
    assert 0 < result["places"]["f1"] <= 1


def test_pdnc_pronoun_accuracy_counts_the_speech_tag_pronoun():
    from pathlib import Path

    from references_helpers import story_with_cast

    from ficlens.eval.data import GoldDocument, GoldQuote
    from ficlens.eval.references import _pdnc_pronoun_counts
    from ficlens.model import Character
    from ficlens.stages.coref import resolve_mentions

    text = ('Chapter 1\n\nAnna met Ben at the gate. "Hello there," she said.\n\n'
            'Ben turned to Carl. "Go away," he said.\n')
    cast = [Character("C0", "Anna", [], "female"), Character("C1", "Ben", [], "male"),
            Character("C2", "Carl", [], "male")]
    story = resolve_mentions(story_with_cast(text, cast, {}))
    quotes = [GoldQuote(id=f"Q{i}", spans=[(q.start + 1, q.end - 1)], speaker=speaker,
                        type="Anaphoric", referring_expression=tag)
              for i, (q, speaker, tag) in enumerate(zip(story.quotes, ["Anna", "Ben"],
                                                        ["she said", "he said"]))]
    gold = GoldDocument("pdnc", "toy", Path("toy.txt"), text, quotes,
                        {"Anna": {"Anna"}, "Ben": {"Ben"}, "Carl": {"Carl"}})
    counts = _pdnc_pronoun_counts(gold, story, "cast-given")
    assert counts["total"] == 2 and counts["found"] == 2
    assert counts["correct"] == 2  # `he` is Ben, the subject, not Carl, the nearest name
    assert counts["baseline"] == 1  # the baseline takes Carl

"""The speakers stage: each sieve rule, pronoun tags, turn-taking, vocatives, counts."""

from __future__ import annotations

import ficlens
from ficlens.stages.speakers import load_model

STAGES = ["parse", "quotes", "cast", "speakers"]
CAST = {"Lily Evans": ["Lily"], "Severus Snape": ["Severus", "Snape", "Sev"]}


def speakers(text: str, cast=CAST) -> list[tuple[str | None, str | None]]:
    """(speaker name, kind) for each quote."""
    story = ficlens.analyze(text, cast=cast, stages=STAGES)
    out = []
    for quote in story.quotes:
        character = story.character(quote.speaker)
        out.append((character.name if character else None, quote.kind))
    return out


def test_name_after_verb():
    assert speakers('"Go away," said Lily.\n') == [("Lily Evans", "explicit")]


def test_name_before_verb():
    assert speakers('"Go away," Lily said.\n') == [("Lily Evans", "explicit")]


def test_tag_between_parts_of_one_quote():
    assert speakers('"Go," Severus said, "now."\n') == [("Severus Snape", "explicit")]


def test_modern_tag_verbs_name_the_speaker():
    text = ('"Lovely," Severus deadpanned.\n\n"That explains a lot," Lily quipped.\n\n'
            '"Fine," Severus grumbled.\n\n"Is it?" Lily huffed.\n')
    assert [name for name, _ in speakers(text)] == [
        "Severus Snape", "Lily Evans", "Severus Snape", "Lily Evans"]
    story = ficlens.analyze('"Fine," Lily snorted, turning away from Severus.\n', cast=CAST,
                            stages=STAGES)
    assert story.quotes[0].kind == "explicit"


def test_tag_before_the_quote():
    assert speakers('Lily, said quietly, "I know."\n')[0] == ("Lily Evans", "explicit")
    assert speakers('Severus turned and said: "Enough."\n')[0] == ("Severus Snape", "explicit")


def test_tag_with_another_verb_and_an_addressee():
    story = ficlens.analyze('"Careful," Lily whispered to Severus.\n', cast=CAST, stages=STAGES)
    quote = story.quotes[0]
    assert story.character(quote.speaker).name == "Lily Evans"
    assert story.text[quote.speaker_mention[0]:quote.speaker_mention[1]] == "Lily"


def test_pronoun_tag_resolves_by_gender():
    text = ("Lily waited by the lake until Severus came.\n\n"
            '"You came," she said.\n\n'
            '"I said I would," he answered.\n')
    assert speakers(text) == [("Lily Evans", "anaphoric"), ("Severus Snape", "anaphoric")]


def test_untagged_turns_alternate():
    text = ('"Where were you?" asked Lily.\n\n'
            '"In the library," said Severus.\n\n'
            '"All night?"\n\n'
            '"All night."\n\n'
            '"I don\'t believe you."\n')
    result = speakers(text)
    assert [name for name, _ in result] == ["Lily Evans", "Severus Snape", "Lily Evans",
                                            "Severus Snape", "Lily Evans"]
    assert [kind for _, kind in result[2:]] == ["implicit"] * 3


def test_vocative_names_the_listener_not_the_speaker():
    text = ("Lily and Severus walked down to the lake together.\n\n"
            '"Severus, look at the water!"\n')
    assert speakers(text)[-1][0] == "Lily Evans"


def test_action_of_a_character_next_to_an_untagged_quote():
    text = ("Severus and Lily sat in the library.\n\n"
            'Lily closed her book. "I am going to bed."\n')
    assert speakers(text)[-1][0] == "Lily Evans"


def test_first_person_narrator_says_i_said():
    text = ("I walked with Lily to the lake. I was tired and I did not want to talk. "
            "I looked at the water and I thought about my brother.\n\n"
            '"You look tired," Lily said.\n\n'
            '"I am," I said.\n\n'
            '"Then go home, Sev."\n\n'
            "I went home. I slept until noon and I dreamt of nothing.\n")
    story = ficlens.analyze(text, cast=CAST, stages=STAGES)
    said = story.quotes[1]
    assert said.kind == "anaphoric"
    assert story.character(said.speaker).name == "Severus Snape"


def test_first_person_narrator_is_who_the_replies_call_by_name():
    # Marigold is talked about more than anyone, but Tobias is the one called by name in
    # a reply to what `I said`
    text = ("I am late again. I drop my bag and I sit down across from Quentin.\n\n"
            '"Marigold will be furious. Marigold hates being kept waiting," Quentin says.\n\n'
            '"Marigold is always furious," I say.\n\n'
            '"Not like this, Tobias. Marigold hates surprises, and Marigold hates you."\n\n'
            '"Then we tell Marigold nothing," I tell him.\n\n'
            "I grin at him. I finish my coffee and I leave.\n")
    story = ficlens.analyze(text, stages=STAGES)
    mine = [q for q in story.quotes if q.text.startswith(("Marigold is", "Then we"))]
    assert {story.character(q.speaker).name for q in mine} == {"Tobias"}


def test_counts_and_confidences():
    story = ficlens.analyze('"One two three," said Lily.\n\n"Four," said Lily.\n', cast=CAST,
                            stages=STAGES)
    lily = next(c for c in story.characters if c.name == "Lily Evans")
    assert lily.quotes == 2 and lily.words_spoken == 4
    assert all(0.0 <= q.confidence <= 1.0 for q in story.quotes)


def test_discovered_cast_gets_speakers_too():
    text = ('"Where is it?" asked Hermione Granger.\n\n'
            '"I don\'t know," said Ron Weasley.\n\n'
            '"You never know," Hermione said.\n')
    assert [name for name, _ in speakers(text, cast=None)] == [
        "Hermione Granger", "Ron Weasley", "Hermione Granger"]


def test_no_characters_no_speakers():
    assert speakers('"Hello," he said.\n\n"Hi," she said.\n', cast=None) == [
        (None, "anaphoric"), (None, "anaphoric")]


def test_shipped_model_is_small_and_has_both_passes():
    from importlib import resources

    from ficlens.stages.speakers import FEATURES

    path = resources.files("ficlens.data").joinpath("speaker_model.json")
    assert len(path.read_bytes()) < 2_000_000
    model = load_model()
    assert {"stage1", "stage2", "addressees"} <= set(model)
    for stage in ("stage1", "stage2"):
        weights = model[stage]
        assert set(weights["features"]) <= set(FEATURES)
        first = weights["coefs"][0] if weights["type"] == "mlp" else [weights["coef"]]
        assert len(first) == len(weights["features"]) or len(first[0]) == len(weights["features"])


def test_without_a_parse_plain_tags_still_work():
    story = ficlens.analyze('"Hi," said Lily.\n\n"Hello," Severus said.\n', cast=CAST,
                            stages=["quotes", "cast", "speakers"])
    names = [story.character(q.speaker).name for q in story.quotes]
    assert names == ["Lily Evans", "Severus Snape"]


def test_speech_cut_off_by_a_dash_is_picked_up_by_its_speaker():
    cast = {**CAST, "James Potter": ["James"]}
    text = ("Lily sat down across from Severus, grinning.\n\n"
            '"It was one time\u2014" Lily began.\n\n'
            '"Twice," said Severus.\n\n'
            '"\u2014and it was hardly my fault that the goat\u2014" The door banged: James had just '
            "walked in, and James was soaked.\n")
    names = [name for name, _ in speakers(text, cast=cast)]
    assert names == ["Lily Evans", "Severus Snape", "Lily Evans"]
    # the rule itself: whatever the ranker would say, the third speech is the first's speaker
    from ficlens.stages.speakers import _resumed, build_context

    ctx = build_context(ficlens.analyze(text, cast=cast, stages=STAGES))
    assert _resumed(ctx, 2, [("C7", 0.9), ("C8", 0.8)]) == ("C7", 0.9)
    assert _resumed(ctx, 2, [("C7", 0.9), ("C7", 0.8)]) is None  # no one else spoke between

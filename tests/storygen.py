"""Generated fan-fiction-like stories for the corpus tests, docs and benchmarks.

An invented fandom ("The Lantern Coast") with a fixed cast; each story has an archive-style
header (title, author, fandom, pairing, rating, summary), one to three chapters, and scenes of
narration and tagged dialogue between two or three characters. The pairing's two characters
speak warmly to each other more often than the rest do, so corpus queries have something to
find. Everything here is written for ficlens; no text comes from any dataset.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

FANDOM = "The Lantern Coast"

#: name -> (gender, short form used in tags and vocatives, pronoun)
CAST: dict[str, tuple[str, str, str]] = {
    "Mira Vance": ("F", "Mira", "she"),
    "Tobias Hale": ("M", "Tobias", "he"),
    "Oren Kell": ("M", "Oren", "he"),
    "Sela Dunmore": ("F", "Sela", "she"),
    "Juno Ashby": ("F", "Juno", "she"),
    "Felix Marr": ("M", "Felix", "he"),
}
PAIRINGS = [("Mira Vance", "Tobias Hale"), ("Sela Dunmore", "Juno Ashby"),
            ("Oren Kell", "Felix Marr"), ("Mira Vance", "Sela Dunmore")]
AUTHORS = ["saltwind", "inkhollow", "tidewriter", "ferrylight", "moth_and_lamp"]
PLACES = ["the lighthouse", "the harbour", "the library", "the market", "the cliff path",
          "the old chapel", "the kitchen", "the boathouse"]
TITLES = ["Low Tide", "What the Lamp Saw", "Salt and Ember", "Harbour Lights", "The Long Watch",
          "Keeper's Hours", "Driftwood", "A Map of Small Storms", "After the Bell",
          "Fog Season"]

WARM = [
    "I missed you more than I can say.",
    "You always know how to make me laugh.",
    "Thank you for staying with me tonight.",
    "I trust you with everything I have.",
    "This is the happiest I have been in years.",
    "You were wonderful out there, truly brave.",
    "I love the way the light finds you.",
    "Stay. Please, just stay a little longer.",
    "We did it together, and I am so proud of us.",
    "Your kindness saved me, you know that?",
]
COLD = [
    "I hate it when you lie to me.",
    "Get out of my way before I lose my temper.",
    "You ruined everything, and you know it.",
    "I am tired of your excuses.",
    "That was a cruel thing to do.",
    "Leave me alone. I mean it.",
    "I am afraid of what happens if we fail.",
    "Nobody asked for your opinion.",
    "This whole plan is a disaster.",
    "I can't forgive you for the harbour.",
]
PLAIN = [
    "The tide turns at six, so we should leave before then.",
    "Did you bring the lantern oil from the market?",
    "The boat needs another coat of paint.",
    "Tell me what the keeper wrote in the log.",
    "I counted the crates twice this morning.",
    "The wind is coming from the north again.",
    "We should check the chapel roof before the rain.",
    "Where did you put the map of the coves?",
    "It is a long walk to the cliff path.",
    "I think the ferry is late again.",
]
NARRATION = [
    "The wind pushed at the shutters of {place}, and the lamp flickered.",
    "Rain had left the stones of {place} slick and dark.",
    "{name} set a cup of tea on the table. {Pron} looked out at the grey water for a long time.",
    "Gulls wheeled above {place} while the bell rang for the evening watch.",
    "{name} pulled the coat tighter, and {pron} walked on without a word.",
    "The smell of salt and smoke hung over {place}.",
    "{name} had not slept since the storm. {Pron} rubbed {poss} eyes and yawned.",
    "Somewhere below, the sea worked patiently at the rocks.",
    "The lamp room was warm, and {name} lingered by the glass until {pron} felt calmer.",
    "Boots rang on the wooden steps of {place}.",
    "{name} laughed at that, and {pron} shook {poss} head.",
    "{name} frowned. {Pron} did not like the look of the sky.",
]
VERBS = ["said", "said", "said", "whispered", "murmured", "replied", "called"]


def make_story(seed: int, min_words: int = 250) -> dict[str, object]:
    """One generated story: `{"id", "text", "title", "authors", "fandoms", "relationships", ...}`."""
    rng = random.Random(seed)
    pair = rng.choice(PAIRINGS)
    others = [n for n in CAST if n not in pair]
    title = f"{rng.choice(TITLES)} ({seed})"
    author = rng.choice(AUTHORS)
    rating = rng.choice(["General Audiences", "Teen And Up Audiences", "Mature"])
    relationship = f"{pair[0]}/{pair[1]}"
    summary = f"{CAST[pair[0]][1]} and {CAST[pair[1]][1]} keep the light through a hard season."
    chapters = rng.choice([1, 1, 2, 3])
    body: list[str] = []
    words = 0
    per_chapter = max(1, min_words // chapters)
    for number in range(1, chapters + 1):
        if chapters > 1:
            body.append(f"Chapter {number}: {rng.choice(TITLES)}")
        chapter_words = 0
        while chapter_words < per_chapter:
            paragraphs = _scene(rng, pair, others)
            body.extend(paragraphs)
            chapter_words += sum(len(p.split()) for p in paragraphs)
            if chapter_words < per_chapter:
                body.append("* * *")
        words += chapter_words
    header = [f"Title: {title}", f"Author: {author}", f"Fandom: {FANDOM}",
              f"Pairing: {relationship}", f"Rating: {rating}", f"Summary: {summary}"]
    text = "\n".join(header) + "\n\n" + "\n\n".join(body) + "\n"
    return {"id": f"lc-{seed:05d}", "text": text, "title": title, "authors": [author],
            "fandoms": [FANDOM], "relationships": [relationship], "rating": rating}


def _scene(rng: random.Random, pair: tuple[str, str], others: list[str]) -> list[str]:
    place = rng.choice(PLACES)
    cast = list(pair) if rng.random() < 0.6 else [rng.choice(pair), rng.choice(others)]
    if rng.random() < 0.3:
        cast.append(rng.choice([o for o in others if o not in cast]))
    paragraphs = [_narrate(rng, place, rng.choice(cast))]
    paired = set(cast[:2]) == set(pair)
    for _ in range(rng.randint(3, 7)):
        speaker, listener = rng.sample(cast, 2)
        pool = _pool(rng, paired and speaker in pair and listener in pair)
        line = rng.choice(pool)
        short = CAST[listener][1]
        if rng.random() < 0.35:  # a vocative names the addressee
            keep = line.startswith(("I ", "I'"))
            line = f"{short}, {line if keep else line[0].lower() + line[1:]}"
        verb = "asked" if line.endswith("?") and rng.random() < 0.7 else rng.choice(VERBS)
        name = CAST[speaker][1] if rng.random() < 0.8 else speaker
        tagged = line[:-1] + "," if line.endswith(".") else line
        form = rng.random()
        if form < 0.6:
            paragraphs.append(f"\u201c{tagged}\u201d {name} {verb}.")
        elif form < 0.9:
            paragraphs.append(f"{name} turned to {short}. \u201c{line}\u201d")
        else:
            verb = rng.choice(["said", "whispered", "murmured"])
            paragraphs.append(f"\u201c{tagged}\u201d {CAST[speaker][2]} {verb} to {short}.")
        if rng.random() < 0.3:
            paragraphs.append(_narrate(rng, place, listener))
    return paragraphs


def _narrate(rng: random.Random, place: str, who: str) -> str:
    pron = CAST[who][2]
    poss = "her" if pron == "she" else "his"
    return rng.choice(NARRATION).format(place=place, name=CAST[who][1], pron=pron,
                                        Pron=pron.capitalize(), poss=poss)


def _pool(rng: random.Random, lovers: bool) -> list[str]:
    roll = rng.random()
    if lovers:
        return WARM if roll < 0.6 else PLAIN if roll < 0.9 else COLD
    return COLD if roll < 0.35 else PLAIN if roll < 0.8 else WARM


def write_corpus(folder: Path, count: int, min_words: int = 250, start: int = 0) -> list[Path]:
    """Write `count` generated stories as `<folder>/<id>.txt`; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for seed in range(start, start + count):
        story = make_story(seed, min_words)
        path = folder / f"{story['id']}.txt"
        path.write_text(str(story["text"]), encoding="utf-8")
        paths.append(path)
    return paths


def write_jsonl(path: Path, count: int, min_words: int = 250, start: int = 0) -> Path:
    """Write `count` generated stories as a JSONL table of stories (id, text, metadata)."""
    with path.open("w", encoding="utf-8") as handle:
        for seed in range(start, start + count):
            handle.write(json.dumps(make_story(seed, min_words), ensure_ascii=False) + "\n")
    return path

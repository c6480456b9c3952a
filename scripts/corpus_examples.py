"""Regenerate the example queries of docs/corpus.md and their real output.

Writes a sample corpus of generated stories (tests/storygen.py: an invented fandom, no dataset
text) plus one broken file into a temporary folder, runs the real `ficlens batch` over it, then
runs each example query with the real `ficlens query` and prints the SQL and its output as
Markdown.

    python scripts/corpus_examples.py [--stories 60] [--words 800] [--workers 2] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import storygen  # a test helper, found beside the tests

EXAMPLES: list[tuple[str, str]] = [
    ("Which character is addressed most across the fandom?", """
SELECT split_part(c.name, ' ', 1) AS character,
       count(*) AS addressed, count(DISTINCT q.story_id) AS stories
FROM quotes q, unnest(q.addressees) AS a(addressee)
JOIN characters c ON c.story_id = q.story_id AND c.id = a.addressee
GROUP BY character ORDER BY addressed DESC"""),
    ("How does valence between the two characters of a relationship tag differ from the rest?", """
WITH pairing AS (  -- the two characters named by each story's first relationship tag
  SELECT c.story_id, c.id
  FROM stories s JOIN characters c USING (story_id)
  WHERE len(s.relationships) > 0
    AND list_contains(list_transform(string_split(s.relationships[1], '/'),
                                     lambda x: split_part(trim(x), ' ', 1)),
                      split_part(c.name, ' ', 1))
), said AS (       -- one row per (quotation, addressee)
  SELECT q.story_id, q.speaker, a.addressee, q.valence, q.joy, q.anger
  FROM quotes q, unnest(q.addressees) AS a(addressee)
)
SELECT CASE WHEN p1.id IS NOT NULL AND p2.id IS NOT NULL THEN 'within the pairing'
            ELSE 'every other pair' END AS between,
       count(*) AS quotes, round(avg(valence), 3) AS valence,
       round(avg(joy), 3) AS joy, round(avg(anger), 3) AS anger
FROM said
LEFT JOIN pairing p1 ON p1.story_id = said.story_id AND p1.id = said.speaker
LEFT JOIN pairing p2 ON p2.story_id = said.story_id AND p2.id = said.addressee
GROUP BY between ORDER BY between DESC"""),
    ("Words spoken per gender", """
SELECT coalesce(c.gender, 'unknown') AS gender,
       count(DISTINCT (c.story_id, c.id)) AS speakers, count(*) AS quotes,
       sum(q.words) AS words,
       round(sum(q.words) / count(DISTINCT (c.story_id, c.id)), 1) AS words_per_speaker
FROM quotes q JOIN characters c ON c.story_id = q.story_id AND c.id = q.speaker
GROUP BY gender ORDER BY words DESC"""),
    ("Who speaks most warmly to whom (directed `speaks_to` edges, summed over stories)?", """
SELECT split_part(a.name, ' ', 1) || ' -> ' || split_part(b.name, ' ', 1) AS speaks_to,
       count(*) AS stories, sum(e.quotes) AS quotes,
       round(sum(e.valence * e.quotes) / sum(e.quotes), 3) AS valence
FROM edges e
JOIN characters a ON a.story_id = e.story_id AND a.id = e.source
JOIN characters b ON b.story_id = e.story_id AND b.id = e.target
WHERE e.kind = 'speaks_to'
GROUP BY speaks_to HAVING sum(e.quotes) >= 30
ORDER BY valence DESC LIMIT 8"""),
    ("Who is central, and how does the narration feel about them?", """
WITH narration AS (  -- per character and story: narration sentences where they are the subject
  SELECT story_id, character, sum(count) AS sentences, sum(valence * count) AS valence
  FROM emotions WHERE series = 'narration' AND count > 0 GROUP BY ALL
)
SELECT split_part(c.name, ' ', 1) AS who, count(*) AS stories,
       round(avg(c.pagerank), 3) AS pagerank, round(avg(c.betweenness), 3) AS betweenness,
       sum(n.sentences) AS narration,
       round(sum(n.valence) / sum(n.sentences), 3) AS narration_valence
FROM characters c
LEFT JOIN narration n ON n.story_id = c.story_id AND n.character = c.id
GROUP BY who ORDER BY pagerank DESC"""),
    ("And what failed?", """
SELECT file, stage, message FROM errors"""),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stories", type=int, default=60)
    parser.add_argument("--words", type=int, default=800)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="keep the corpus and tables here")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ficlens-examples-")) if args.keep is None else args.keep
    env = {**os.environ, "COLUMNS": "100"}
    try:
        corpus, out = work / "lantern-coast", work / "tables"
        storygen.write_corpus(corpus, args.stories, min_words=args.words)
        (corpus / "lc-broken.txt").write_bytes(b"\xff\xfe\x00\x00\x00\xd8\x00\x00not UTF-32")
        began = time.perf_counter()
        batch = subprocess.run([sys.executable, "-m", "ficlens", "batch", str(corpus), "-o",
                                str(out), "--workers", str(args.workers), "--no-progress"],
                               capture_output=True, text=True, env=env, check=False)
        seconds = time.perf_counter() - began
        if batch.returncode != 0:
            sys.exit(batch.stderr)
        print(f"<!-- ficlens batch: {seconds:.0f} s; "
              f"{batch.stderr.strip().splitlines()[0]} -->\n")
        for n, (title, sql) in enumerate(EXAMPLES, 1):
            result = subprocess.run([sys.executable, "-m", "ficlens", "query", str(out),
                                     sql.strip()], capture_output=True, text=True, env=env,
                                    check=False)
            if result.returncode != 0:
                sys.exit(f"query {n} failed: {result.stderr}")
            print(f"### {n}. {title}\n\n```sql\n{sql.strip()}\n```\n\n```\n"
                  f"{result.stdout.rstrip()}\n```\n")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

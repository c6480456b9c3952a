"""The coreference evaluation reads a LitBank document as the quotation evaluation does."""

from __future__ import annotations

from ficlens.eval.data import GoldDocument
from ficlens.eval.references import _analyzed


def test_a_line_per_sentence_document_is_cut_into_one_paragraph_per_line(tmp_path):
    text = ("Tom came in .\n\u201c Where is Lucy ? \u201d\nhe asked .\n"
            "\u201c In the garden , \u201d said Ann .\n")
    path = tmp_path / "doc_brat.txt"
    path.write_text(text, encoding="utf-8")
    doc = GoldDocument(dataset="litbank", name="doc_brat", path=path, text=text, quotes=[],
                       characters={}, extra={"layout": "lines"})
    story = _analyzed(doc)
    assert len(story.paragraphs) == 4
    assert all(p.doc is not None for p in story.paragraphs)
    assert len(story.quotes) == 2

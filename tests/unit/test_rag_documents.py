"""What ingest reads from each format, and one sentence for each file it cannot read."""

from __future__ import annotations

from pathlib import Path

import pytest
from llm_service.rag import RagError
from llm_service.rag.documents import load
from support.pdf import text_pdf
from support.rag import RAG_FIXTURES


def test_markdown_keeps_the_text_and_drops_the_markup(tmp_path: Path) -> None:
    source = tmp_path / "a.md"
    source.write_text("# Title\n\nSome **bold** text and a [link](https://example.com/x).\n\n```\ncode line\n```\n")
    text = load(source, "a.md").text
    assert "Title" in text and "Some bold text and a link." in text and "code line" in text
    assert "**" not in text and "https://example.com" not in text


def test_html_leaves_out_scripts_and_keeps_table_rows_together() -> None:
    text = load(RAG_FIXTURES / "corpus" / "local.html", "local.html").text
    assert "must not be indexed" not in text
    assert "the control plane: a moto server on :5055" in text


def test_pdf_text_is_extracted(tmp_path: Path) -> None:
    source = tmp_path / "a.pdf"
    source.write_bytes(text_pdf("Runbook (v2)\nRestart the endpoint with make apply."))
    text = load(source, "a.pdf").text
    assert "Runbook (v2)" in text and "Restart the endpoint with make apply." in text


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("broken.pdf", b"%PDF-1.4\nthis is not a PDF body", "could not be parsed as a PDF"),
        ("latin1.txt", "café".encode("latin-1"), "is not UTF-8 text"),
        ("data.csv", b"a,b\n", "ingest reads"),
    ],
)
def test_unreadable_files_get_one_sentence(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    source = tmp_path / name
    source.write_bytes(content)
    with pytest.raises(RagError, match=message) as raised:
        load(source, name)
    assert name in raised.value.message and "\n" not in raised.value.message

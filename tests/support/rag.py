"""The retrieval tests' corpus: five of this repository's docs as Markdown (frozen copies, so the questions keep
their answers), one as HTML (with a script that must not be indexed) and one as a PDF written at test time."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from support.pdf import text_pdf

RAG_FIXTURES = Path(__file__).parent.parent / "fixtures" / "rag"
COLLECTION = "docs"


def build_corpus(dest: Path) -> Path:
    corpus = dest / "corpus"
    shutil.copytree(RAG_FIXTURES / "corpus", corpus)
    (corpus / "tfvars.pdf").write_bytes(text_pdf((RAG_FIXTURES / "tfvars-source.md").read_text()))
    return corpus


def questions() -> list[dict[str, Any]]:
    loaded: list[dict[str, Any]] = json.loads((RAG_FIXTURES / "questions.json").read_text())
    return loaded


def ranks(retriever: Any, k: int) -> list[tuple[dict[str, Any], int | None]]:
    """Each question with the 1-based rank of its expected source among the top k passages (None: not there)."""
    ranked = []
    for item in questions():
        names = [Path(p.path).name for p in retriever.search(COLLECTION, item["question"], k)]
        ranked.append((item, names.index(item["source"]) + 1 if item["source"] in names else None))
    return ranked

"""The NumPy encoder against sentence-transformers: the same vectors for the same weights, so a collection built
here is searchable by a TEI endpoint serving the model, and the retrieval quality is the model's."""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest
from llm_service.rag import RagError
from llm_service.rag.embeddings import LocalEmbedder
from support.rag import RAG_FIXTURES


def test_vectors_match_sentence_transformers(embedder) -> None:  # type: ignore[no-untyped-def]
    reference = json.loads((RAG_FIXTURES / "minilm_reference.json").read_text())
    ours = embedder.embed(reference["sentences"])
    theirs = np.asarray(reference["vectors"], dtype=np.float32)
    # Unicode, an input past the 256-token window (truncated the same way) and the empty string included.
    assert ours.shape == theirs.shape == (len(reference["sentences"]), 384)
    assert np.abs(ours - theirs).max() < 1e-5, reference["model"]


def test_vectors_are_unit_length_and_batches_do_not_change_them(embedder) -> None:  # type: ignore[no-untyped-def]
    texts = ["short", "a somewhat longer sentence about endpoints " * 5, "médium ümlaut"]
    together = embedder.embed(texts)
    alone = np.vstack([embedder.embed([t]) for t in texts])
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    assert np.abs(together - alone).max() < 1e-5, "padding in a batch must not leak into a text's vector"


def test_similar_sentences_score_higher(embedder) -> None:  # type: ignore[no-untyped-def]
    a, b, c = embedder.embed(["A man is eating food.", "A man is eating a piece of bread.", "The stock fell."])
    assert float(a @ b) > 0.7 > 0.2 > float(a @ c)


def test_a_missing_runtime_is_one_sentence_saying_how_to_install_it(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delitem(sys.modules, "llm_service.rag.encoder", raising=False)
    monkeypatch.setitem(sys.modules, "safetensors.numpy", None)  # as if the rag extra were not installed
    with pytest.raises(RagError, match=r"missing safetensors.numpy; install retrieval's extra: `make venv`") as raised:
        LocalEmbedder()
    assert raised.value.status == 503

"""Chunks in the embedding model's tokens: within the size, overlapping by exactly the overlap, covering the text,
cut on token boundaries; bad sizes refused with one sentence."""

from __future__ import annotations

import itertools

import pytest
from llm_service.rag import RagError
from llm_service.rag.chunking import ChunkSpec, split
from support.rag import RAG_FIXTURES


def test_chunks_cover_the_text_with_the_overlap(embedder) -> None:  # type: ignore[no-untyped-def]
    text = (RAG_FIXTURES / "corpus" / "updates.md").read_text()
    spec = ChunkSpec(tokens=64, overlap=16)
    chunks = split(text, spec, embedder.token_offsets)
    offsets = embedder.token_offsets(text)
    assert len(chunks) > 10
    assert chunks[0].start == offsets[0][0] and chunks[-1].end == offsets[-1][1]
    assert all(c.tokens <= 64 for c in chunks) and all(c.tokens == 64 for c in chunks[:-1])
    for previous, current in itertools.pairwise(chunks):
        shared = [o for o in offsets if previous.start <= o[0] and o[1] <= previous.end and o[0] >= current.start]
        assert 8 <= len(shared) <= 16, "consecutive chunks overlap by up to 16 tokens, at most 8 fewer to snap"
    at_words = [c for c in chunks[1:] if text[c.start - 1].isspace()]
    assert len(at_words) >= 0.9 * (len(chunks) - 1), "chunks start at a word unless none is within 8 tokens"
    assert embedder.count_tokens([chunks[3].text])[0] == 64, "a chunk's text re-tokenizes to its size"


def test_short_text_is_one_chunk_and_empty_text_none(embedder) -> None:  # type: ignore[no-untyped-def]
    [only] = split("Two words.", ChunkSpec(), embedder.token_offsets)
    assert only.text == "Two words." and only.index == 0
    assert split("   \n", ChunkSpec(), embedder.token_offsets) == []


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (ChunkSpec(tokens=300), r"exceeds what the embedding model reads \(254\)"),
        (ChunkSpec(tokens=8), "too small"),
        (ChunkSpec(tokens=100, overlap=50), "under half the chunk size"),
    ],
)
def test_bad_chunk_sizes_are_refused(spec: ChunkSpec, message: str) -> None:
    with pytest.raises(RagError, match=message):
        spec.check(254)

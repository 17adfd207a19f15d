"""Overlapping chunks measured in the embedding model's tokens, cut on token boundaries and kept as the original
text (so a passage quoted in a prompt reads as the document does). A chunk after the first starts at a line or a
word when one is within a few tokens of the overlap point, never inside a word."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .errors import RagError


@dataclass(frozen=True)
class ChunkSpec:
    tokens: int = 200
    overlap: int = 40

    def check(self, model_max_tokens: int) -> None:
        if self.tokens < 16:
            raise RagError(f"chunk size {self.tokens} tokens is too small to carry meaning; use at least 16.")
        if self.tokens > model_max_tokens:
            raise RagError(
                f"chunk size {self.tokens} tokens exceeds what the embedding model reads ({model_max_tokens}); the "
                f"rest would be ignored silently. Use --chunk-tokens {model_max_tokens} or less."
            )
        if not 0 <= self.overlap < self.tokens // 2:
            raise RagError(
                f"overlap {self.overlap} tokens must be at least 0 and under half the chunk size ({self.tokens // 2})."
            )


VERSION = 2  # part of each file's content hash: a change to how text is cut re-ingests every file
SNAP_TOKENS = 8  # how far a chunk's start may move forward to begin at a line or a word


@dataclass(frozen=True)
class Chunk:
    index: int
    text: str
    start: int  # character offsets in the document's text
    end: int
    tokens: int


def split(text: str, spec: ChunkSpec, token_offsets: Callable[[str], list[tuple[int, int]]]) -> list[Chunk]:
    offsets = token_offsets(text)
    if not offsets:
        return []
    chunks: list[Chunk] = []
    step = spec.tokens - spec.overlap
    first = 0
    while True:
        last = min(first + spec.tokens, len(offsets)) - 1
        start, end = offsets[first][0], offsets[last][1]
        chunks.append(Chunk(len(chunks), text[start:end], start, end, last - first + 1))
        if last == len(offsets) - 1:
            return chunks
        first = _snap(text, offsets, first + step, min(SNAP_TOKENS, spec.overlap, last - first - step))


def _snap(text: str, offsets: list[tuple[int, int]], first: int, reach: int) -> int:
    """The first token at or after `first`, within `reach`, that starts a line, else one that starts a word."""
    window = range(first, first + max(reach, 0) + 1)
    for wanted in ("\n", " \t\n"):
        for index in window:
            begin = offsets[index][0]
            if begin == 0 or text[begin - 1] in wanted:
                return index
    return first

"""Reassembling a SageMaker response stream into events.

PayloadPart boundaries are arbitrary: a line can span parts, a part can hold many lines, and a multi-byte
UTF-8 character can be split. Bytes are buffered and split on newlines *before* decoding, so a character is
only decoded once all its bytes are there. Lines are SSE (`data:` with or without a space, blank lines and
`:` keep-alives skipped, `[DONE]` ends the stream) or JSON lines (LMI's default streaming).
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from typing import Any

import orjson

from .errors import StreamError
from .wire import StreamChunk, parse_event

DONE = object()


class LineAssembler:
    """Feed it byte chunks; it yields complete lines (bytes, without the line ending)."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> Iterator[bytes]:
        self._buffer.extend(data)
        while True:
            newline = self._buffer.find(b"\n")
            if newline < 0:
                return
            line = bytes(self._buffer[:newline])
            del self._buffer[: newline + 1]
            yield line.rstrip(b"\r")

    def flush(self) -> Iterator[bytes]:
        if self._buffer.strip():
            yield bytes(self._buffer).rstrip(b"\r")
        self._buffer.clear()


def decode_line(line: bytes) -> dict[str, Any] | object | None:
    """A line → a JSON event, DONE, or None for lines that carry nothing (blank, keep-alive, other SSE fields)."""
    stripped = line.strip()
    if not stripped or stripped.startswith(b":"):
        return None
    if stripped.startswith(b"data:"):
        payload = stripped[len(b"data:") :].strip()
    elif stripped.startswith((b"event:", b"id:", b"retry:")):
        return None
    else:
        payload = stripped  # JSON lines
    if payload == b"[DONE]":
        return DONE
    try:
        event = orjson.loads(payload)  # validates UTF-8 too
    except orjson.JSONDecodeError:
        raise StreamError(f"the stream carried a line that is not JSON: {payload[:200]!r}") from None
    return event if isinstance(event, dict) else None


def chunks_in(lines: Iterable[bytes]) -> Iterator[StreamChunk | object]:
    """Stream chunks from complete lines; yields DONE (and stops) at `[DONE]`."""
    for line in lines:
        event = decode_line(line)
        if event is DONE:
            yield DONE
            return
        if isinstance(event, dict) and (chunk := parse_event(event)) is not None:
            yield chunk


def iter_chunks(parts: Iterable[bytes]) -> Iterator[StreamChunk]:
    """Byte parts (PayloadPart.Bytes in order) → stream chunks, stopping at [DONE]."""
    assembler = LineAssembler()

    def lines() -> Iterator[bytes]:
        for part in parts:
            yield from assembler.feed(part)
        yield from assembler.flush()

    ending = _Ending()
    for item in chunks_in(lines()):
        if item is DONE:
            return
        yield ending.seen(item)  # type: ignore[arg-type]
    ending.check()


async def aiter_chunks(parts: AsyncIterable[bytes]) -> AsyncIterator[StreamChunk]:
    """The async twin of iter_chunks, for upstreams read with aiohttp or aiobotocore."""
    assembler = LineAssembler()
    ending = _Ending()
    async for part in parts:
        for item in chunks_in(assembler.feed(part)):
            if item is DONE:
                return
            yield ending.seen(item)  # type: ignore[arg-type]
    for item in chunks_in(assembler.flush()):
        if item is DONE:
            return
        yield ending.seen(item)  # type: ignore[arg-type]
    ending.check()


class _Ending:
    """Each wire format ends with a terminal event (`[DONE]`, a finish_reason, TGI/LMI's generated_text). A stream
    cut short can still end cleanly at the transport level (botocore drops a partial frame), so its absence is the
    only sign that the reply is truncated."""

    def __init__(self) -> None:
        self.tokens = 0
        self.final = False

    def seen(self, chunk: StreamChunk) -> StreamChunk:
        self.tokens += chunk.is_token
        self.final = self.final or chunk.final
        return chunk

    def check(self) -> None:
        if not self.final:
            raise StreamError(
                f"the response stream ended without its final event after {self.tokens} tokens: the reply is truncated."
            )

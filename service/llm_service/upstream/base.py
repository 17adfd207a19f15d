"""The one interface every upstream implements."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol

from ..client import Completion, GenerationRequest, StreamChunk, WireFormat
from ..client import errors as e


class Upstream(Protocol):
    name: str

    async def generate(self, request: GenerationRequest, wire_format: WireFormat) -> Completion: ...

    def stream(self, request: GenerationRequest, wire_format: WireFormat) -> AsyncIterator[StreamChunk]:
        """Chunks as they arrive; closing the iterator early cancels the upstream generation."""
        ...

    async def ready(self) -> tuple[bool, str]:
        """(ready, detail): whether the model can take requests now."""
        ...

    async def aclose(self) -> None: ...


def transport_error(exc: BaseException, peer: str, after_output: bool) -> e.InferenceError:
    """A failed connection or read (aiohttp, in both upstreams) as a typed error; `peer` names the other end."""
    if isinstance(exc, TimeoutError):
        return e.TimeoutError_(f"{peer} did not send within the read timeout.")
    if after_output:
        return e.StreamError(f"the stream from {peer} broke off ({type(exc).__name__}).", after_output=True)
    return e.UnreachableError(f"could not reach {peer} ({type(exc).__name__}).")

"""The one interface every upstream implements."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol

from ..client import Completion, GenerationRequest, StreamChunk, WireFormat


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

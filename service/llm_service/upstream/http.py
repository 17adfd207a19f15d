"""Direct HTTP upstream: a TGI or OpenAI-protocol container URL (local use, tests, the benchmark)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx

from ..client import Completion, GenerationRequest, StreamChunk, WireFormat
from ..client import errors as e
from ..client.stream import aiter_chunks
from ..client.wire import build_body, parse_completion

_PATHS = {("chat", False): "/v1/chat/completions", ("chat", True): "/v1/chat/completions",
          ("tgi", False): "/generate", ("tgi", True): "/generate_stream"}  # fmt: skip


def _error_for(status: int, body: bytes) -> e.InferenceError:
    try:
        data = json.loads(body)
        error = data.get("error", data) if isinstance(data, dict) else data
        message = error.get("message", json.dumps(error)) if isinstance(error, dict) else str(error)
    except (json.JSONDecodeError, UnicodeDecodeError):
        message = body[:300].decode("utf-8", "replace")
    if status in (400, 413, 422):
        return e.ModelValidationError(message, status)
    if status == 429:
        return e.ThrottledError(message)
    if status == 503:
        return e.ModelNotReadyError(message)
    return e.ModelError(message, status)


class HttpUpstream:
    name = "http"

    def __init__(self, base_url: str, timeout_s: float = 70.0, max_connections: int = 512,
                 client: httpx.AsyncClient | None = None) -> None:  # fmt: skip
        self._client = client or httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            timeout=httpx.Timeout(timeout_s, connect=5.0),
            limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
        )

    async def generate(self, request: GenerationRequest, wire_format: WireFormat) -> Completion:
        body = build_body(request, wire_format, stream=False)
        try:
            response = await self._client.post(_PATHS[wire_format, False], content=body,
                                               headers={"content-type": "application/json"})  # fmt: skip
        except httpx.TimeoutException:
            raise e.TimeoutError_("the upstream did not answer in time.") from None
        except httpx.TransportError as exc:
            raise e.UnreachableError(f"could not reach the upstream ({type(exc).__name__}).") from None
        if response.status_code >= 400:
            raise _error_for(response.status_code, response.content)
        return parse_completion(response.content)

    async def stream(self, request: GenerationRequest, wire_format: WireFormat) -> AsyncIterator[StreamChunk]:
        body = build_body(request, wire_format, stream=True)
        emitted = False
        try:
            async with self._client.stream("POST", _PATHS[wire_format, True], content=body,
                                           headers={"content-type": "application/json"}) as response:  # fmt: skip
                if response.status_code >= 400:
                    raise _error_for(response.status_code, await response.aread())
                async for chunk in aiter_chunks(response.aiter_raw()):
                    emitted = emitted or chunk.is_token
                    yield chunk
        except e.StreamError as exc:
            exc.after_output = emitted
            raise
        except httpx.TimeoutException:
            raise e.TimeoutError_("the upstream stopped sending before the read timeout.") from None
        except httpx.TransportError as exc:
            if emitted:
                raise e.StreamError(
                    f"the upstream stream broke off ({type(exc).__name__}).", after_output=True
                ) from None
            raise e.UnreachableError(f"could not reach the upstream ({type(exc).__name__}).") from None

    async def ready(self) -> tuple[bool, str]:
        try:
            response = await self._client.get("/health", timeout=2.0)
        except httpx.HTTPError as exc:
            return False, type(exc).__name__
        return response.status_code == 200, f"HTTP {response.status_code}"

    async def aclose(self) -> None:
        await self._client.aclose()

"""Direct HTTP upstream: a TGI or OpenAI-protocol container URL (local use, tests, the benchmark).

aiohttp rather than httpx here: against the same upstream on the same loop, aiohttp reached the first streamed
byte in about a third of httpx's time (bench/bench_http_client.py, docs/performance.md), and its C parser costs
less per SSE event. This is the hot path of every proxied token.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import aiohttp

from ..client import Completion, GenerationRequest, StreamChunk, WireFormat
from ..client import errors as e
from ..client.stream import aiter_chunks
from ..client.translate import translate
from ..client.wire import build_body, parse_completion
from .base import transport_error

_PATHS = {
    ("chat", False): "/v1/chat/completions",
    ("chat", True): "/v1/chat/completions",
    ("tgi", False): "/generate",
    ("tgi", True): "/generate_stream",
}
_JSON = {"content-type": "application/json"}
_PEER = "the upstream"


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

    def __init__(self, base_url: str, timeout_s: float = 70.0, max_connections: int = 1024) -> None:
        self._base_url = base_url.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=None, connect=5.0, sock_read=timeout_s)
        self._max_connections = max_connections
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        # Created on first use, inside the running loop that will own it.
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._max_connections, ttl_dns_cache=300)
            self._session = aiohttp.ClientSession(
                self._base_url, connector=connector, timeout=self._timeout, auto_decompress=False
            )
        return self._session

    async def generate(self, request: GenerationRequest, wire_format: WireFormat) -> Completion:
        body = build_body(request, wire_format, stream=False)
        try:
            async with self._client().post(_PATHS[wire_format, False], data=body, headers=_JSON) as response:
                payload = await response.read()
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise transport_error(exc, _PEER, after_output=False) from None
        if response.status >= 400:
            raise _error_for(response.status, payload)
        return parse_completion(payload)

    async def stream(self, request: GenerationRequest, wire_format: WireFormat) -> AsyncIterator[StreamChunk]:
        body = build_body(request, wire_format, stream=True)
        emitted = False
        try:
            async with self._client().post(_PATHS[wire_format, True], data=body, headers=_JSON) as response:
                if response.status >= 400:
                    raise _error_for(response.status, await response.read())
                async for chunk in aiter_chunks(response.content.iter_any()):
                    emitted = emitted or chunk.is_token
                    yield chunk
        except e.StreamError as exc:
            raise translate(exc, after_output=emitted) from None
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise transport_error(exc, _PEER, emitted) from None

    async def ready(self) -> tuple[bool, str]:
        try:
            async with self._client().get("/health", timeout=aiohttp.ClientTimeout(total=2.0)) as response:
                return response.status == 200, f"HTTP {response.status}"
        except (aiohttp.ClientError, TimeoutError) as exc:
            return False, type(exc).__name__

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()

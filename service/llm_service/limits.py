"""Per-key concurrency (→ 429) and the request-body size limit (→ 413)."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class KeyConcurrency:
    """In-flight requests per key. The event loop is single-threaded, so plain counters are safe."""

    def __init__(self) -> None:
        self._inflight: dict[str, int] = defaultdict(int)

    def try_acquire(self, key: str, limit: int) -> bool:
        if self._inflight[key] >= limit:
            return False
        self._inflight[key] += 1
        return True

    def release(self, key: str) -> None:
        self._inflight[key] -= 1
        if self._inflight[key] <= 0:
            del self._inflight[key]

    def inflight(self, key: str) -> int:
        return self._inflight.get(key, 0)


class BodySizeLimit:
    """Rejects bodies over `max_bytes` with 413, by Content-Length or while reading a chunked body."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._reject(scope, send)
            return
        if b"transfer-encoding" not in headers:
            await self.app(scope, receive, send)  # declared and within the limit, or no body at all
            return
        # Chunked: read the body here, up to the limit, before the app sees it. Raising from inside the app's body
        # read would be caught by FastAPI and turned into a 400 "error parsing the body".
        chunks: list[bytes] = []
        received = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message], receive), send)
                return
            chunks.append(message.get("body", b""))
            received += len(chunks[-1])
            if received > self.max_bytes:
                await self._reject(scope, send)
                return
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        await self.app(scope, _replay([{"type": "http.request", "body": body, "more_body": False}], receive), send)

    async def _reject(self, scope: Scope, send: Send) -> None:
        message = f"request body exceeds {self.max_bytes} bytes"
        body: dict[str, Any] = (
            {"error": {"message": message, "type": "invalid_request_error", "param": None, "code": "request_too_large"}}
            if scope["path"].startswith("/v1/")
            else {"error": message, "error_type": "validation"}
        )
        data = json.dumps(body).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": data})


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replay() -> Message:
        return pending.pop(0) if pending else await receive()

    return replay

"""What a worker does before a request reaches the app, so slow or unauthenticated clients cannot hold it:

1. more requests in flight on this worker than `max_inflight_per_worker` → 503 with Retry-After, nothing read;
2. a route that needs a key, without a valid one → 401 from the headers alone, before any body byte is read;
3. the body must arrive within `body_timeout_s` (→ 408) and stay within `max_body_bytes` (→ 413, by
   Content-Length or while reading a chunked body).

Every refusal closes the connection (`Connection: close`), so a client trickling a body it was refused keeps
nothing open. Before closing, a refusal sent while a body may still be coming lingers up to LINGER_S reading and
dropping it (the response itself is already complete): closing a socket with unread input makes the kernel send a
reset, which can destroy the 401 before the client reads it. Preflight (OPTIONS) requests pass to CORS untouched.
Pure ASGI, like the other middleware (no re-buffering of streamed responses).
"""

from __future__ import annotations

import asyncio
import contextlib
import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .api.errors import error_body
from .auth import ApiKeys

OPEN_PATHS = frozenset({"/health", "/ready", "/metrics"})
LINGER_S = 1.0
KEY_SCOPE = "llm.key"  # the caller's key id, for require_key (identified once)


async def _refuse(
    scope: Scope,
    send: Send,
    status: int,
    message: str,
    error_type: str,
    code: str,
    linger: Receive | None = None,
    **headers: str,
) -> None:
    data = json.dumps(error_body(scope["path"], message, error_type, code)).encode()
    raw = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(data)).encode()),
        (b"connection", b"close"),
        *((name.lower().replace("_", "-").encode(), value.encode()) for name, value in headers.items()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": data, "more_body": linger is not None})
    if linger is None:
        return
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(LINGER_S):
            while True:
                received = await linger()
                if received["type"] != "http.request" or not received.get("more_body", False):
                    break
    await send({"type": "http.response.body", "body": b"", "more_body": False})


class ClientGuards:
    def __init__(
        self,
        app: ASGIApp,
        keys: ApiKeys | None,
        max_body_bytes: int,
        body_timeout_s: float,
        max_inflight_per_worker: int,
    ) -> None:
        self.app = app
        self.keys = keys  # None: auth explicitly disabled
        self.max_body_bytes = max_body_bytes
        self.body_timeout_s = body_timeout_s
        self.max_inflight = max_inflight_per_worker
        self.inflight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] == "OPTIONS":
            await self.app(scope, receive, send)
            return
        if self.inflight >= self.max_inflight:
            message = f"this worker has {self.max_inflight} requests in flight, its limit; retry shortly"
            await _refuse(scope, send, 503, message, "service_unavailable", "overloaded", retry_after="1")
            return
        self.inflight += 1
        try:
            await self._guarded(scope, receive, send)
        finally:
            self.inflight -= 1

    async def _guarded(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers") or [])
        if self.keys is not None and scope["path"] not in OPEN_PATHS:
            ident = self.keys.identify(headers.get(b"authorization", b"").decode("latin-1") or None)
            if ident is None:
                message = "missing or invalid API key: send Authorization: Bearer <key>"
                await _refuse(
                    scope,
                    send,
                    401,
                    message,
                    "authentication_error",
                    "invalid_api_key",
                    linger=receive,
                    www_authenticate="Bearer",
                )
                return
            scope[KEY_SCOPE] = ident
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
            await self._too_large(scope, receive, send)
            return
        if declared in (None, b"0") and b"transfer-encoding" not in headers:
            await self.app(scope, receive, send)  # no body
            return
        try:
            async with asyncio.timeout(self.body_timeout_s):
                body = await self._read_body(receive)
        except TimeoutError:
            message = f"the request body did not arrive within {self.body_timeout_s:g} s"
            await _refuse(scope, send, 408, message, "invalid_request_error", "request_timeout", linger=receive)
            return
        if body is None:
            await self._too_large(scope, receive, send)
            return
        await self.app(scope, _replay({"type": "http.request", "body": body, "more_body": False}, receive), send)

    async def _read_body(self, receive: Receive) -> bytes | None:
        """The whole body, or None once it exceeds the limit."""
        chunks: list[bytes] = []
        received = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client left: let the app see the disconnect
                return b"".join(chunks)
            chunks.append(message.get("body", b""))
            received += len(chunks[-1])
            if received > self.max_body_bytes:
                return None
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = f"request body exceeds {self.max_body_bytes} bytes"
        error_type = "invalid_request_error" if scope["path"].startswith("/v1/") else "validation"
        await _refuse(scope, send, 413, message, error_type, "request_too_large", linger=receive)


def _replay(first: Message, receive: Receive) -> Receive:
    pending = [first]

    async def replay() -> Message:
        return pending.pop() if pending else await receive()

    return replay

"""Server-sent events over Starlette's StreamingResponse, with a keep-alive comment after a silence.

Chosen over sse-starlette by measurement (bench/bench_ttft_breakdown.py, docs/performance.md): sse-starlette starts
four tasks per response (body, ping, disconnect listener, exit-signal listener) and wraps every send; here the body
is sent directly, Starlette's own listener handles client disconnects (it cancels the body, which closes the
upstream), and one pinger task sends `: ping` only when nothing was sent for `ping_s`, so idle-timeout proxies keep
a stream that stalls mid-way."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from starlette.responses import StreamingResponse
from starlette.types import Send

PING = b": ping\n\n"
_HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}


class SseResponse(StreamingResponse):
    def __init__(self, events: AsyncIterator[bytes], ping_s: float = 15.0) -> None:
        super().__init__(events, media_type="text/event-stream", headers=_HEADERS)
        self.ping_s = ping_s

    async def stream_response(self, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        loop = asyncio.get_running_loop()
        last_sent = loop.time()
        lock = asyncio.Lock()

        async def ping_when_silent() -> None:
            nonlocal last_sent
            while True:
                await asyncio.sleep(max(0.0, last_sent + self.ping_s - loop.time()))
                if loop.time() - last_sent < self.ping_s:
                    continue
                async with lock:
                    try:
                        await send({"type": "http.response.body", "body": PING, "more_body": True})
                    except OSError:
                        return  # the client is gone; the body loop learns it from the disconnect listener
                last_sent = loop.time()

        pinger = asyncio.create_task(ping_when_silent())
        try:
            async for chunk in self.body_iterator:
                async with lock:
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
                last_sent = loop.time()
        finally:
            pinger.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pinger
        await send({"type": "http.response.body", "body": b"", "more_body": False})

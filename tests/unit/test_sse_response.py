"""The service's SSE response: events pass through as sent, a silent stream gets `: ping` comments (so idle-timeout
proxies keep it), and a stream that keeps talking gets none."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
from llm_service.api.sse import PING, SseResponse
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route


def _app(gap_s: float, ping_s: float) -> Starlette:
    async def events() -> AsyncIterator[bytes]:
        for i in range(3):
            yield f"data: {i}\n\n".encode()
            await asyncio.sleep(gap_s)

    async def endpoint(request: Request) -> SseResponse:
        return SseResponse(events(), ping_s=ping_s)

    return Starlette(routes=[Route("/s", endpoint)])


async def _body(app: Starlette) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        return await client.get("/s")


async def test_a_silent_stream_is_kept_alive_with_comments() -> None:
    # Silences of ten ping intervals: even a host five times slower than this one sends three pings.
    response = await _body(_app(gap_s=0.5, ping_s=0.05))
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["cache-control"] == "no-store"
    events = [line for line in response.text.split("\n\n") if line]
    assert [e for e in events if e.startswith("data:")] == ["data: 0", "data: 1", "data: 2"]
    assert response.content.count(PING) >= 3


async def test_a_talking_stream_gets_no_pings() -> None:
    response = await _body(_app(gap_s=0.01, ping_s=1.0))
    assert PING not in response.content
    assert response.text == "data: 0\n\ndata: 1\n\ndata: 2\n\n"

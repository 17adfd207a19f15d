"""The service's limits as units: per-key concurrency slots come back when released, and a body of exactly the limit
passes while one byte more is a 413, declared or chunked (the body reaches the app whole). Written against the
survivors of `make mutation` (docs/mutation.md)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
from llm_service.guards import ClientGuards
from llm_service.limits import KeyConcurrency
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route


def test_a_released_slot_can_be_taken_again_and_counts_never_go_negative() -> None:
    limits = KeyConcurrency()
    assert [limits.try_acquire("k", 2) for _ in range(3)] == [True, True, False]
    limits.release("k")
    assert limits.inflight("k") == 1 and limits.try_acquire("k", 2)
    limits.release("k")
    limits.release("k")
    assert limits.inflight("k") == 0 and limits.inflight("other") == 0
    assert [limits.try_acquire("k", 1), limits.try_acquire("k", 1)] == [True, False]


async def _echo(request: Request) -> PlainTextResponse:
    return PlainTextResponse(str(len(await request.body())))


async def _post(body: bytes, chunked: bool) -> httpx.Response:
    routes = Starlette(routes=[Route("/v1/x", _echo, methods=["POST"])])
    app = ClientGuards(routes, None, max_body_bytes=1024, body_timeout_s=5, max_inflight_per_worker=8)

    async def pieces() -> AsyncIterator[bytes]:
        for start in range(0, len(body), 300):
            yield body[start : start + 300]

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        return await client.post("/v1/x", content=pieces() if chunked else body)


async def test_exactly_the_limit_passes_and_one_byte_more_is_413() -> None:
    for chunked in (False, True):
        at_limit = await _post(b"x" * 1024, chunked)
        assert (at_limit.status_code, at_limit.text) == (200, "1024"), "the app gets the whole body"
        over = await _post(b"x" * 1025, chunked)
        assert over.status_code == 413 and over.json()["error"]["code"] == "request_too_large"

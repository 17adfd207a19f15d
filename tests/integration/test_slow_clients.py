"""Slow or unauthenticated clients cannot hold a worker: a request without a valid key is answered 401 from its
headers before any body byte is read, a body that does not arrive in time is a 408, and beyond the per-worker cap
a request gets 503 with Retry-After; each refusal closes the connection. Bounded loads on loopback."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator

import httpx
import pytest
from llm_service.app import create_app
from llm_service.settings import ServiceSettings
from support.servers import ServiceThread, UpstreamThread

pytestmark = pytest.mark.integration


@pytest.fixture
def upstream() -> Iterator[str]:
    thread = UpstreamThread(tokens_per_s=50)
    url = thread.start()
    yield url
    thread.stop()


def _service(upstream: str, **settings: object) -> ServiceThread:
    service = ServiceThread(
        create_app(ServiceSettings(upstream="http", upstream_url=upstream, api_keys="k", **settings))  # type: ignore[arg-type]
    )
    service.start()
    return service


async def _trickler(port: int, authorization: str | None) -> tuple[bytes, float, bool]:
    """Send headers announcing a 10 kB body, then one byte at a time: (response head, seconds to it, closed)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    started = time.monotonic()
    head = (
        "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n"
        + (f"Authorization: {authorization}\r\n" if authorization else "")
        + "\r\n"
    )
    writer.write(head.encode())
    await writer.drain()

    async def trickle() -> None:
        for _ in range(200):
            writer.write(b"{")
            await writer.drain()
            await asyncio.sleep(0.05)

    trickling = asyncio.create_task(trickle())
    try:
        response = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
        elapsed = time.monotonic() - started
        length = int(
            next(line.split(b":")[1] for line in response.split(b"\r\n") if line.lower().startswith(b"content-length"))
        )
        await reader.readexactly(length)
        try:
            closed = await asyncio.wait_for(reader.read(1), 5) == b""
        except ConnectionResetError:
            closed = True  # closed while the client was still sending: a reset, after the answer was read whole
    finally:
        trickling.cancel()
        writer.close()
    return response, elapsed, closed


def test_300_trickling_clients_without_a_key_get_401_at_once_and_are_closed(upstream: str) -> None:
    service = _service(upstream)
    try:

        async def load() -> list[tuple[bytes, float, bool]]:
            return await asyncio.gather(*(_trickler(service.port, None) for _ in range(300)))

        results = asyncio.run(load())
    finally:
        service.stop()
    assert all(head.startswith(b"HTTP/1.1 401") for head, _, _ in results)
    assert max(elapsed for _, elapsed, _ in results) < 5.0, "answered from the headers, not after the 10 s body"
    assert all(closed for _, _, closed in results), "the server closes a refused connection"


def test_a_body_that_does_not_arrive_in_time_is_408(upstream: str) -> None:
    service = _service(upstream, body_timeout_s=0.5)
    try:
        head, elapsed, closed = asyncio.run(_trickler(service.port, "Bearer k"))
    finally:
        service.stop()
    assert head.startswith(b"HTTP/1.1 408") and 0.5 <= elapsed < 3 and closed


def test_beyond_the_per_worker_cap_requests_get_503_with_retry_after(upstream: str) -> None:
    service = _service(upstream, max_inflight_per_worker=4, per_key_concurrency=64)
    body = {"messages": [{"role": "user", "content": "hi"}], "max_tokens": 100, "stream": True}

    async def fill() -> tuple[list[int], httpx.Response]:
        async with httpx.AsyncClient(timeout=30, headers={"Authorization": "Bearer k"}) as client:
            streams = [
                await client.send(
                    client.build_request("POST", f"{service.url}/v1/chat/completions", json=body), stream=True
                )
                for _ in range(4)
            ]
            refused = await client.post(f"{service.url}/v1/chat/completions", json=body)
            for each in streams:
                await each.aclose()
            await asyncio.sleep(0.2)
            again = await client.post(
                f"{service.url}/v1/chat/completions", json={**body, "stream": False, "max_tokens": 2}
            )
            assert again.status_code == 200, "the slots come back as streams end"
            return [s.status_code for s in streams], refused

    try:
        statuses, refused = asyncio.run(fill())
    finally:
        service.stop()
    assert statuses == [200] * 4
    assert refused.status_code == 503 and refused.headers["retry-after"] == "1"
    assert refused.json()["error"]["code"] == "overloaded"


def test_open_routes_need_no_key_and_keyed_routes_still_check_it(upstream: str) -> None:
    service = _service(upstream)
    try:
        assert httpx.get(f"{service.url}/health").status_code == 200
        assert httpx.get(f"{service.url}/metrics").status_code == 200
        assert httpx.get(f"{service.url}/v1/models").status_code == 401
        assert httpx.get(f"{service.url}/v1/models", headers={"Authorization": "Bearer k"}).status_code == 200
        with socket.create_connection(("127.0.0.1", service.port)) as raw:
            raw.sendall(
                b"POST /generate HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer nope\r\nContent-Length: 5\r\n\r\n"
            )
            assert raw.recv(64).startswith(b"HTTP/1.1 401")
    finally:
        service.stop()

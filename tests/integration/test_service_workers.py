"""The service as `python -m llm_service --workers 2` runs it: the per-key limit holds for the host whatever worker
a request lands on, `/metrics` is one view of both workers, and SIGTERM drains: every stream in flight completes or
ends with the drain's error event, none is cut."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from support.servers import free_port, python_module, wait_http

pytestmark = pytest.mark.integration
AUTH = {"Authorization": "Bearer k"}


@pytest.fixture(scope="module")
def container() -> Iterator[str]:
    port = free_port()
    process = python_module("llmctl.local_aws.container", "--port", str(port), "--tokens-per-s", "50")
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{url}/health")
        yield url
    finally:
        process.terminate()
        process.wait(10)


SERVERS = ["granian", "uvicorn"]


def _serve(container: str, workers: int, **settings: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {
        **os.environ,
        "LLM_SERVICE_UPSTREAM": "http",
        "LLM_SERVICE_UPSTREAM_URL": container,
        "LLM_SERVICE_API_KEYS": "k",
        **{f"LLM_SERVICE_{name.upper()}": value for name, value in settings.items()},
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    args = [sys.executable, "-m", "llm_service", "--port", str(port), "--workers", str(workers)]
    process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    wait_http(f"{url}/health", timeout_s=30)
    return process, url


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    process.wait(30)


def _chat(tokens: int, stream: bool) -> dict[str, Any]:
    return {"messages": [{"role": "user", "content": "hi"}], "max_tokens": tokens, "stream": stream}


async def _stream(url: str, tokens: int) -> tuple[int, list[str]]:
    """(status, SSE data lines) over a connection of its own; a cut stream raises."""
    async with (
        httpx.AsyncClient(timeout=60) as client,
        client.stream("POST", f"{url}/v1/chat/completions", json=_chat(tokens, True), headers=AUTH) as response,
    ):
        if response.status_code != 200:
            await response.aread()
            return response.status_code, []
        return 200, [line[6:] async for line in response.aiter_lines() if line.startswith("data: ")]


def _counter(text: str, name: str, **labels: str) -> float:
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_the_per_key_limit_holds_across_workers(container: str) -> None:
    process, url = _serve(container, 2, per_key_concurrency="5")
    try:

        async def burst() -> list[int]:
            return [status for status, _ in await asyncio.gather(*(_stream(url, 60) for _ in range(16)))]

        statuses = asyncio.run(burst())
    finally:
        _stop(process)
    assert sorted(statuses).count(200) == 5 and statuses.count(429) == 11, statuses


def test_metrics_add_up_every_workers_requests(container: str) -> None:
    process, url = _serve(container, 2)
    try:
        with httpx.Client(timeout=30) as client:
            for _ in range(30):  # a connection each, so the kernel spreads them over both workers
                reply = client.post(
                    f"{url}/v1/chat/completions", json=_chat(2, False), headers=AUTH | {"Connection": "close"}
                )
                assert reply.status_code == 200
        scrapes = [httpx.get(f"{url}/metrics", headers={"Connection": "close"}).text for _ in range(6)]
    finally:
        _stop(process)
    for text in scrapes:
        assert _counter(text, "llm_requests_total", route="/v1/chat/completions", status="200") == 30
        assert _counter(text, "llm_output_tokens_total", route="chat") == 60


def test_sigterm_drains_every_stream_cleanly(container: str) -> None:
    process, url = _serve(container, 2, drain_grace_s="2", per_key_concurrency="64")

    async def fifty() -> list[tuple[int, list[str]]]:
        # 25 streams of 1 s and 25 of 6 s at 50 tokens/s; SIGTERM after 0.5 s, 2 s of grace.
        streams = [asyncio.create_task(_stream(url, 50 if i % 2 else 300)) for i in range(50)]
        await asyncio.sleep(0.5)
        process.send_signal(signal.SIGTERM)
        return await asyncio.gather(*streams)

    try:
        results = asyncio.run(fifty())
        assert process.wait(30) == 0
    finally:
        if process.poll() is None:
            process.kill()
    assert [status for status, _ in results] == [200] * 50
    endings = []
    for index, (_, data) in enumerate(results):
        last = data[-1]
        if last == "[DONE]":
            endings.append("completed")
            assert index % 2 == 1, "a stream that outlasts the grace period cannot complete"
        else:
            assert json.loads(last)["error"]["code"] == "draining", last
            endings.append("drained")
            assert index % 2 == 0, "a stream within the grace period completes"
    assert endings.count("completed") == endings.count("drained") == 25


def test_a_client_that_leaves_stops_the_upstream_stream(container: str) -> None:
    process, url = _serve(container, 1)
    try:
        before = httpx.get(f"{container}/stats").json()["cancelled"]
        with (
            httpx.Client(timeout=30) as client,
            client.stream("POST", f"{url}/v1/chat/completions", json=_chat(500, True), headers=AUTH) as response,
        ):
            lines = response.iter_lines()
            assert next(line for line in lines if line.startswith("data: "))
        deadline = time.monotonic() + 5
        while httpx.get(f"{container}/stats").json()["cancelled"] == before and time.monotonic() < deadline:
            time.sleep(0.05)
        assert httpx.get(f"{container}/stats").json()["cancelled"] == before + 1, "the upstream generation stopped"
    finally:
        _stop(process)


def test_an_unauthenticated_trickle_is_refused_from_the_headers(container: str) -> None:
    process, url = _serve(container, 1)
    port = int(url.rsplit(":", 1)[1])
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
            raw.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 10000\r\n\r\n{")
            started = time.monotonic()
            head = raw.recv(4096)
            assert head.startswith(b"HTTP/1.1 401") and time.monotonic() - started < 2
    finally:
        _stop(process)


def test_several_workers_with_the_embedded_rag_store_warn_at_start(container: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / ".rag").mkdir()  # a collection was ingested here
    env = {
        **os.environ,
        "LLM_SERVICE_UPSTREAM": "http",
        "LLM_SERVICE_UPSTREAM_URL": container,
        "LLM_SERVICE_API_KEYS": "k",
    }
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]  # the workers cannot bind: the process stops right after its checks
        done = subprocess.run(
            [sys.executable, "-m", "llm_service", "--port", str(port), "--workers", "2"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            timeout=60,
            check=False,
        )
    assert "warning: retrieval's embedded store (.rag) opens in one process only" in done.stderr.decode()

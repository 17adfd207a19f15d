"""Where the service's added time to first token goes, one segment at a time.

One stream at a time through the service (HTTP upstream, the emulated container), with CLOCK_MONOTONIC stamps —
comparable across processes on one machine — taken at: the client's connect, the service's ASGI entry, the
container's request handling, the container's first token write, the service's first upstream chunk, the service's
first body send, the client's first token. Bench-only wrappers take the stamps; the product code is unchanged.
Medians over --requests streams go to bench-results/ttft-breakdown.json.

    python bench/bench_ttft_breakdown.py [--requests 60]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import uvloop
from bench_service import free_port, wait_http

ROOT = Path(__file__).resolve().parents[1]
KEY = "bench-key"
STAMPS: list[tuple[str, float]] = []


def _dump_on_exit(path: str) -> None:
    def handler(*_: Any) -> None:
        Path(path).write_text(json.dumps(STAMPS))
        os._exit(0)

    signal.signal(signal.SIGTERM, handler)


def run_container(port: int, stamps: str) -> None:
    from llmctl.local_aws import container

    _dump_on_exit(stamps)
    chunk, route = container._chunk, container.EmulatedContainer._route

    async def stamped_route(self: Any, method: str, path: str, body: Any, writer: Any) -> None:
        if method == "POST":
            STAMPS.append(("container_request", time.monotonic()))
        await route(self, method, path, body, writer)

    async def stamped_chunk(writer: Any, data: bytes) -> None:
        if b'"index": 1,' in data:
            STAMPS.append(("container_first_token", time.monotonic()))
        await chunk(writer, data)

    container._chunk = stamped_chunk  # type: ignore[assignment]
    container.EmulatedContainer._route = stamped_route  # type: ignore[method-assign]

    async def serve() -> None:
        await container.EmulatedContainer(50.0).start(port=port)
        await asyncio.Event().wait()

    uvloop.run(serve())


def run_service(port: int, upstream_port: int, stamps: str) -> None:
    import uvicorn
    from llm_service.app import create_app
    from llm_service.settings import ServiceSettings
    from llm_service.upstream import http

    _dump_on_exit(stamps)
    chunks = http.aiter_chunks

    async def stamped_chunks(parts: Any) -> Any:
        first = True
        async for chunk in chunks(parts):
            if first and chunk.is_token:
                STAMPS.append(("service_first_chunk", time.monotonic()))
                first = False
            yield chunk

    http.aiter_chunks = stamped_chunks  # type: ignore[assignment]
    import aiohttp
    from llm_service.api import runner

    stream, request = runner.Generation.stream, aiohttp.ClientSession._request

    async def stamped_stream(self: Any, *args: Any, **kwargs: Any) -> Any:
        STAMPS.append(("service_route_done", time.monotonic()))
        return await stream(self, *args, **kwargs)

    async def stamped_request(self: Any, *args: Any, **kwargs: Any) -> Any:
        STAMPS.append(("service_upstream_post", time.monotonic()))
        return await request(self, *args, **kwargs)

    runner.Generation.stream = stamped_stream  # type: ignore[method-assign]
    aiohttp.ClientSession._request = stamped_request  # type: ignore[method-assign]
    settings = ServiceSettings(
        upstream="http", upstream_url=f"http://127.0.0.1:{upstream_port}", api_keys=KEY, per_key_concurrency=4096
    )
    app = create_app(settings)

    async def stamped_app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            return await app(scope, receive, send)
        STAMPS.append(("service_entry", time.monotonic()))
        sent = False

        async def stamped_send(message: Any) -> None:
            nonlocal sent
            if not sent and message["type"] == "http.response.body" and b'"token"' in message.get("body", b""):
                STAMPS.append(("service_first_send", time.monotonic()))
                sent = True
            await send(message)

        await app(scope, receive, stamped_send)

    uvicorn.run(
        stamped_app, host="127.0.0.1", port=port, loop="uvloop", http="httptools", log_level="warning", access_log=False
    )


async def one_stream(port: int, path: str, body: dict[str, Any]) -> tuple[float, float]:
    payload = json.dumps(body).encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(payload)}\r\nAuthorization: Bearer {KEY}\r\nConnection: close\r\n\r\n"
    ).encode()
    start = time.monotonic()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(head + payload)
    first = None
    buffer = b""
    while data := await reader.read(65536):
        buffer += data
        if first is None and b'"token"' in buffer:
            first = time.monotonic()
    writer.close()
    return start, first if first is not None else time.monotonic()


def _medians(rows: list[dict[str, float]]) -> dict[str, float]:
    return {key: round(statistics.median(r[key] for r in rows) * 1000, 3) for key in rows[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--role", choices=["container", "service"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--upstream-port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--stamps", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=ROOT / "bench-results" / "ttft-breakdown.json")
    args = parser.parse_args()
    if args.role == "container":
        return run_container(args.port, args.stamps)
    if args.role == "service":
        return run_service(args.port, args.upstream_port, args.stamps)

    cpus = sorted(os.sched_getaffinity(0))
    harness, service_cpus = ({cpus[0]}, set(cpus[1:])) if len(cpus) > 1 else (set(cpus), set(cpus))
    os.sched_setaffinity(0, harness)
    tmp = Path(tempfile.mkdtemp())
    up_port, svc_port = free_port(), free_port()
    me = [sys.executable, __file__]
    container = subprocess.Popen([*me, "--role", "container", "--port", str(up_port), "--stamps", str(tmp / "c.json")])
    service = subprocess.Popen(
        [
            *me,
            "--role",
            "service",
            "--port",
            str(svc_port),
            "--upstream-port",
            str(up_port),
            "--stamps",
            str(tmp / "s.json"),
        ]
    )
    os.sched_setaffinity(service.pid, service_cpus)
    path, body = "/generate_stream", {"inputs": "bench", "parameters": {"max_new_tokens": 4}}
    clients: list[tuple[str, float, float]] = []
    try:
        wait_http(f"http://127.0.0.1:{up_port}/health")
        wait_http(f"http://127.0.0.1:{svc_port}/health")
        for _ in range(5):  # warm both paths
            uvloop.run(one_stream(svc_port, path, body))
            uvloop.run(one_stream(up_port, path, body))
        time.sleep(0.2)
        for _ in range(args.requests):
            start, first = uvloop.run(one_stream(up_port, path, body))
            clients.append(("direct", start, first))
            start, first = uvloop.run(one_stream(svc_port, path, body))
            clients.append(("service", start, first))
    finally:
        for proc in (service, container):
            proc.terminate()
            proc.wait(10)
    c_stamps = json.loads((tmp / "c.json").read_text())
    s_stamps = json.loads((tmp / "s.json").read_text())
    # Keep the measured requests only (the warm-up's come first) and pair them in order.
    c_req = [t for k, t in c_stamps if k == "container_request"][-2 * args.requests :]
    c_tok = [t for k, t in c_stamps if k == "container_first_token"][-2 * args.requests :]
    s_keys = (
        "service_entry",
        "service_route_done",
        "service_upstream_post",
        "service_first_chunk",
        "service_first_send",
    )
    s_by = {k: [t for kk, t in s_stamps if kk == k][-args.requests :] for k in s_keys}
    direct_rows, service_rows = [], []
    for i, (kind, start, first) in enumerate(clients):
        if kind == "direct":
            direct_rows.append(
                {
                    "client connect → container request": c_req[i] - start,
                    "container request → first token written": c_tok[i] - c_req[i],
                    "first token written → client has it": first - c_tok[i],
                    "total": first - start,
                }
            )
        else:
            j = i // 2
            service_rows.append(
                {
                    "client connect → service ASGI entry": s_by["service_entry"][j] - start,
                    "service entry → route handler runs (middleware, routing, body, validation, auth)": s_by[
                        "service_route_done"
                    ][j]
                    - s_by["service_entry"][j],
                    "route handler → upstream request starts": s_by["service_upstream_post"][j]
                    - s_by["service_route_done"][j],
                    "upstream request starts → container has it (aiohttp connect and write)": c_req[i]
                    - s_by["service_upstream_post"][j],
                    "container request → first token written": c_tok[i] - c_req[i],
                    "first token written → service has the chunk (aiohttp read, SSE parse)": s_by[
                        "service_first_chunk"
                    ][j]
                    - c_tok[i],
                    "service has the chunk → first body send (render, SSE, response start)": s_by["service_first_send"][
                        j
                    ]
                    - s_by["service_first_chunk"][j],
                    "first body send → client has it": first - s_by["service_first_send"][j],
                    "total": first - start,
                }
            )
    result = {
        "requests": args.requests,
        "median_ms": {"direct": _medians(direct_rows), "service": _medians(service_rows)},
    }
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()

"""A minimal asyncio HTTP/1.1 streaming client for the benchmark: it times the first token and counts tokens
of an SSE response with almost no per-event cost, so it measures the servers rather than itself."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass
class StreamTiming:
    ttft_s: float
    total_s: float
    tokens: int
    ok: bool


async def stream_once(url: str, path: str, body: dict, headers: dict[str, str] | None = None) -> StreamTiming:
    parts = urlsplit(url)
    payload = json.dumps(body).encode()
    head = [
        f"POST {path} HTTP/1.1",
        f"Host: {parts.hostname}:{parts.port}",
        "Content-Type: application/json",
        f"Content-Length: {len(payload)}",
        "Connection: close",
    ]
    head += [f"{k}: {v}" for k, v in (headers or {}).items()]
    start = time.perf_counter()
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + payload)
    await writer.drain()
    status_line = await reader.readline()
    ok = b" 200 " in status_line
    first: float | None = None
    tokens = 0
    buffer = b""
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            buffer += data
            *lines, buffer = buffer.split(b"\n")
            for line in lines:
                # Token events carry "token" (TGI) or "content" in a delta (chat); headers and chunk sizes do not.
                if line.startswith(b"data:") and (
                    b'"token"' in line or b'"content": "t' in line or b'"content":"t' in line or b'"content":"t' in line
                ):
                    tokens += 1
                    if first is None:
                        first = time.perf_counter() - start
    finally:
        writer.close()
    total = time.perf_counter() - start
    return StreamTiming(first if first is not None else total, total, tokens, ok and tokens > 0)


async def run_streams(
    url: str,
    path: str,
    body: dict,
    concurrency: int,
    total: int,
    headers: dict[str, str] | None = None,
    stream_s: float = 0.0,
) -> tuple[list[StreamTiming], float]:
    """`total` streams, `concurrency` at a time; returns the timings and the wall time.

    Workers start `stream_s / concurrency` apart, so arrivals are spread over a stream's lifetime as in steady
    traffic; started together, identical streams would stay in lockstep and arrive in bursts of `concurrency`.
    """
    queue = iter(range(total))
    results: list[StreamTiming] = []

    async def worker(index: int) -> None:
        await asyncio.sleep(index * stream_s / concurrency)
        for _ in queue:
            results.append(await stream_once(url, path, body, headers))

    start = time.perf_counter()
    await asyncio.gather(*(worker(i) for i in range(concurrency)))
    return results, time.perf_counter() - start

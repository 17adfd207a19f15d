"""Which async HTTP client the service's HTTP upstream should use: time to the first streamed byte from the
synthetic upstream, httpx vs aiohttp, same event loop (uvloop), keep-alive connections, alternating rounds.
Writes bench-results/http-client.json."""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

import aiohttp
import httpx
import uvloop
from llmctl.local_aws.container import EmulatedContainer

ROOT = Path(__file__).resolve().parents[1]
BODY = json.dumps({"inputs": "x", "parameters": {"max_new_tokens": 3}}).encode()
HEADERS = {"content-type": "application/json"}


async def first_byte_httpx(client: httpx.AsyncClient) -> float:
    start = time.perf_counter()
    async with client.stream("POST", "/generate_stream", content=BODY, headers=HEADERS) as response:
        chunks = response.aiter_raw()
        await anext(chunks)
        elapsed = time.perf_counter() - start
        async for _ in chunks:
            pass
    return elapsed


async def first_byte_aiohttp(session: aiohttp.ClientSession) -> float:
    start = time.perf_counter()
    async with session.post("/generate_stream", data=BODY, headers=HEADERS) as response:
        chunks = response.content.iter_any().__aiter__()
        await anext(chunks)
        elapsed = time.perf_counter() - start
        async for _ in chunks:
            pass
    return elapsed


async def main() -> None:
    upstream = EmulatedContainer(tokens_per_s=5000)
    url = await upstream.start()
    results: dict[str, list[float]] = {"httpx": [], "aiohttp": []}
    async with httpx.AsyncClient(base_url=url) as hx, aiohttp.ClientSession(url) as ah:
        for round_index in range(6):
            order = ["httpx", "aiohttp"] if round_index % 2 == 0 else ["aiohttp", "httpx"]
            for name in order:
                timings = []
                for _ in range(300):
                    timings.append(await (first_byte_httpx(hx) if name == "httpx" else first_byte_aiohttp(ah)))
                if round_index > 0:  # the first round warms both
                    results[name].append(1000 * statistics.median(timings))
    await upstream.stop()
    summary = {name: {"first_byte_p50_ms": statistics.median(v), "rounds": len(v)} for name, v in results.items()}
    summary["ratio_httpx_over_aiohttp"] = (
        summary["httpx"]["first_byte_p50_ms"] / summary["aiohttp"]["first_byte_p50_ms"]  # type: ignore[index]
    )
    out = ROOT / "bench-results" / "http-client.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    uvloop.run(main())

"""The service's own code path, without any network: ASGI entry → first SSE body byte for /generate_stream,
with an upstream that answers instantly. Separates the framework's cost from the extra network hop that the
end-to-end benchmark (bench_service.py) also includes. Writes bench-results/asgi-path.json."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import uvloop
from llm_service.app import create_app
from llm_service.client import GenerationRequest, StreamChunk, WireFormat
from llm_service.settings import ServiceSettings

ROOT = Path(__file__).resolve().parents[1]
BODY = json.dumps({"inputs": "hi", "parameters": {"max_new_tokens": 3}}).encode()


class InstantUpstream:
    name = "instant"

    async def generate(self, request: GenerationRequest, wire_format: WireFormat) -> Any:
        raise NotImplementedError

    async def stream(self, request: GenerationRequest, wire_format: WireFormat) -> AsyncIterator[StreamChunk]:
        for i in range(3):
            yield StreamChunk(text=f"t{i}", is_token=True)

    async def ready(self) -> tuple[bool, str]:
        return True, "instant"

    async def aclose(self) -> None:
        pass


async def first_body(app: Any) -> float:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/generate_stream",
        "raw_path": b"/generate_stream",
        "query_string": b"",
        "root_path": "",
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 2),
        "headers": [
            (b"content-type", b"application/json"),
            (b"authorization", b"Bearer k"),
            (b"content-length", str(len(BODY)).encode()),
        ],
        "state": {},
    }
    messages = [{"type": "http.request", "body": BODY, "more_body": False}]
    first: list[float] = []
    start = time.perf_counter()

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop()
        await uvloop_sleep_forever()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body" and message.get("body") and not first:
            first.append(time.perf_counter() - start)

    await app(scope, receive, send)
    return first[0]


async def uvloop_sleep_forever() -> None:
    import asyncio

    await asyncio.sleep(3600)


async def main() -> None:
    settings = ServiceSettings(upstream="http", upstream_url="http://unused", api_keys="k")
    app = create_app(settings, upstream=InstantUpstream())
    async with app.router.lifespan_context(app):
        for _ in range(300):
            await first_body(app)
        timings = [await first_body(app) for _ in range(3000)]
    result = {
        "first_sse_body_p50_ms": 1000 * statistics.median(timings),
        "first_sse_body_p99_ms": 1000 * sorted(timings)[int(0.99 * len(timings))],
        "requests": len(timings),
    }
    out = ROOT / "bench-results" / "asgi-path.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    uvloop.run(main())

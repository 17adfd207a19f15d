"""A synthetic TGI / OpenAI-protocol model server on 127.0.0.1 for tests and the benchmark.

It streams `max_new_tokens` tokens at a fixed rate, speaks TGI's /generate and /generate_stream and OpenAI's
/v1/chat/completions, and counts streams the client abandoned (GET /stats). Raw asyncio, so that it costs
little next to what it measures. Prompts containing FAIL_422 or FAIL_MIDSTREAM trigger those failures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Stats:
    started: int = 0
    completed: int = 0
    cancelled: int = 0
    requests: list[dict[str, Any]] = field(default_factory=list)


class SyntheticUpstream:
    def __init__(self, tokens_per_s: float = 50.0, first_token_delay_s: float = 0.0, record: bool = False) -> None:
        self.tokens_per_s = tokens_per_s
        self.first_token_delay_s = first_token_delay_s
        self.record = record
        self.stats = Stats()
        self._server: asyncio.Server | None = None

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        self._server = await asyncio.start_server(self._handle, host, port, backlog=2048)
        sock = self._server.sockets[0].getsockname()
        return f"http://{sock[0]}:{sock[1]}"

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                request_line = await reader.readline()
                if not request_line:
                    return
                method, path, _ = request_line.decode().split(" ", 2)
                headers: dict[str, str] = {}
                while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
                    name, _, value = line.decode().partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                await self._route(method, path, json.loads(body) if body else {}, writer)
                if headers.get("connection", "").lower() == "close":
                    return
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    async def _route(self, method: str, path: str, body: dict[str, Any], writer: asyncio.StreamWriter) -> None:
        if self.record and method == "POST":
            self.stats.requests.append({"path": path, "body": body})
        if method == "GET" and path == "/health":
            return await _json(writer, 200, {"status": "ok"})
        if method == "GET" and path == "/stats":
            s = self.stats
            return await _json(writer, 200, {"started": s.started, "completed": s.completed, "cancelled": s.cancelled})
        chat = path == "/v1/chat/completions"
        if method != "POST" or path not in ("/generate", "/generate_stream", "/v1/chat/completions"):
            return await _json(writer, 404, {"error": "not found"})
        prompt = json.dumps(body.get("messages") if chat else body.get("inputs"))
        n = int(body.get("max_tokens") if chat else body.get("parameters", {}).get("max_new_tokens") or 20)
        if "FAIL_422" in prompt:
            return await _json(
                writer,
                422,
                {"error": "Input validation error: `inputs` must have less than 10 tokens", "error_type": "validation"},
            )
        streaming = path == "/generate_stream" or (chat and body.get("stream"))
        if not streaming:
            await asyncio.sleep(self.first_token_delay_s + n / self.tokens_per_s)
            text = "".join(f"t{i} " for i in range(n))
            if chat:
                return await _json(
                    writer,
                    200,
                    {
                        "id": "x",
                        "object": "chat.completion",
                        "created": int(time.time()),
                        "model": "synthetic",
                        "choices": [
                            {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "length"}
                        ],
                        "usage": {"prompt_tokens": 3, "completion_tokens": n, "total_tokens": n + 3},
                    },
                )
            return await _json(
                writer, 200, {"generated_text": text, "details": {"finish_reason": "length", "generated_tokens": n}}
            )
        await self._stream(writer, n, bool(chat), "FAIL_MIDSTREAM" in prompt)

    async def _stream(self, writer: asyncio.StreamWriter, n: int, chat: bool, fail: bool) -> None:
        self.stats.started += 1
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
        interval = 1 / self.tokens_per_s
        start = time.perf_counter() + self.first_token_delay_s
        try:
            for i in range(n):
                # Pace against the clock, not the previous sleep, so the rate holds under load.
                delay = start + i * interval - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                if fail and i == 2:
                    event: dict[str, Any] = {
                        "error": "Request failed during generation: CUDA out of memory",
                        "error_type": "generation",
                    }
                    await _chunk(writer, b"data:" + json.dumps(event).encode() + b"\n\n")
                    break
                last = i == n - 1
                if chat:
                    event = {
                        "id": "x",
                        "object": "chat.completion.chunk",
                        "created": 0,
                        "model": "synthetic",
                        "choices": [
                            {"index": 0, "delta": {"content": f"t{i} "}, "finish_reason": "length" if last else None}
                        ],
                    }
                else:
                    details = {"finish_reason": "length", "generated_tokens": n} if last else None
                    whole = "".join(f"t{j} " for j in range(n)) if last else None
                    event = {
                        "index": i + 1,
                        "token": {"id": i, "text": f"t{i} ", "logprob": -0.5, "special": False},
                        "generated_text": whole,
                        "details": details,
                    }
                await _chunk(writer, b"data:" + json.dumps(event).encode() + b"\n\n")
            if chat and not fail:
                await _chunk(writer, b"data:[DONE]\n\n")
            writer.write(b"0\r\n\r\n")
            await writer.drain()
            self.stats.completed += 1
        except (ConnectionError, asyncio.CancelledError):
            self.stats.cancelled += 1
            raise ConnectionResetError from None


async def _chunk(writer: asyncio.StreamWriter, data: bytes) -> None:
    writer.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
    await writer.drain()
    if writer.is_closing() or writer.transport.is_closing():
        raise ConnectionResetError


async def _json(writer: asyncio.StreamWriter, status: int, body: Any) -> None:
    data = json.dumps(body).encode()
    reason = {200: "OK", 404: "Not Found", 422: "Unprocessable Entity"}.get(status, "Error")
    writer.write(
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n".encode()
        + data
    )
    await writer.drain()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--tokens-per-s", type=float, default=50.0)
    parser.add_argument("--first-token-delay-s", type=float, default=0.0)
    args = parser.parse_args()

    async def run() -> None:
        upstream = SyntheticUpstream(args.tokens_per_s, args.first_token_delay_s)
        url = await upstream.start(port=args.port)
        print(f"synthetic upstream on {url}", flush=True)
        await asyncio.Event().wait()

    with contextlib.suppress(KeyboardInterrupt):
        try:
            import uvloop

            uvloop.run(run())
        except ImportError:
            asyncio.run(run())


if __name__ == "__main__":
    main()

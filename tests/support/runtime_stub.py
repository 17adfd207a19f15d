"""A local stand-in for the SageMaker runtime on 127.0.0.1: scripted responses, real wire formats.

Point a boto3 `sagemaker-runtime` client's endpoint_url at `StubRuntime.url`. Each call pops the next
scripted reply; with none left it streams or returns `default_tokens` from a TGI-like model.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from llmctl.local_aws.eventstream import payload_part, stream_exception


@dataclass
class StreamReply:
    parts: list[bytes]
    error: tuple[str, str] | None = None  # (ModelStreamError | InternalStreamFailure, message) after the parts
    delay_s: float = 0.0  # between parts
    corrupt_after: int | None = None  # after this many parts, send a frame whose CRC is wrong


@dataclass
class ErrorReply:
    status: int
    code: str
    message: str
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class RawReply:
    """A reply that is not SageMaker's: e.g. a proxy's HTML error page, with no x-amzn-ErrorType header."""

    status: int
    body: bytes
    content_type: str = "text/html"


@dataclass
class SilentReply:
    """Accept the request and send nothing for this long (a container that never answers)."""

    seconds: float


@dataclass
class JsonReply:
    body: Any
    status: int = 200


def sse_tokens(tokens: list[str], fmt: str = "tgi") -> bytes:
    """A whole TGI generate stream or chat stream, as the container writes it."""
    out = []
    for i, token in enumerate(tokens):
        last = i == len(tokens) - 1
        if fmt == "tgi":
            event = {
                "index": i + 1,
                "token": {"id": i, "text": token, "logprob": -0.1, "special": False},
                "generated_text": "".join(tokens) if last else None,
                "details": {"finish_reason": "length", "generated_tokens": len(tokens)} if last else None,
            }
        else:
            event = {
                "object": "chat.completion.chunk",
                "id": "c1",
                "created": 0,
                "model": "tgi",
                "choices": [
                    {
                        "index": 0,
                        "delta": {"role": "assistant", "content": token},
                        "finish_reason": "length" if last else None,
                    }
                ],
            }
        out.append(b"data:" + json.dumps(event, ensure_ascii=False).encode() + b"\n\n")
    if fmt == "chat":
        out.append(b"data:[DONE]\n\n")
    return b"".join(out)


class StubRuntime:
    def __init__(self, default_tokens: int = 8, token_delay_s: float = 0.0) -> None:
        self.replies: deque[Any] = deque()
        self.requests: list[dict[str, Any]] = []
        self.default_tokens = default_tokens
        self.token_delay_s = token_delay_s
        self.closed_streams = 0
        self._lock = threading.Lock()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                with stub._lock:
                    stub.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                    reply = stub.replies.popleft() if stub.replies else None
                streaming = self.path.endswith("/invocations-response-stream")
                if reply is None:
                    reply = stub._default(body, streaming)
                if isinstance(reply, ErrorReply):
                    data = json.dumps({"__type": reply.code, "message": reply.message, **reply.extra}).encode()
                    self._send(reply.status, data, {"x-amzn-ErrorType": reply.code})
                elif isinstance(reply, RawReply):
                    self.send_response(reply.status)
                    self.send_header("Content-Type", reply.content_type)
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                elif isinstance(reply, JsonReply):
                    self._send(reply.status, json.dumps(reply.body).encode(), {})
                elif isinstance(reply, SilentReply):
                    time.sleep(reply.seconds)
                else:
                    self._stream(reply)

            def _send(self, status: int, data: bytes, headers: dict[str, str]) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def _chunk(self, data: bytes) -> None:
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()

            def _stream(self, reply: StreamReply) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/vnd.amazon.eventstream")
                self.send_header("X-Amzn-SageMaker-Content-Type", "text/event-stream")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                try:
                    for index, part in enumerate(reply.parts):
                        if index == reply.corrupt_after:
                            frame = payload_part(b"x")
                            self._chunk(frame[:-4] + bytes(b ^ 0xFF for b in frame[-4:]))
                        self._chunk(payload_part(part))
                        if reply.delay_s:
                            time.sleep(reply.delay_s)
                    if reply.error:
                        self._chunk(stream_exception(reply.error[0], reply.error[1], "ModelStreamError"))
                    self.wfile.write(b"0\r\n\r\n")
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    with stub._lock:
                        stub.closed_streams += 1
                    self.close_connection = True

        class Server(ThreadingHTTPServer):
            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # clients that hang up mid-stream are part of the tests

        self._server = Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def _default(self, body: bytes, streaming: bool) -> Any:
        request = json.loads(body or b"{}")
        fmt = "chat" if "messages" in request else "tgi"
        tokens = [f"tok{i} " for i in range(self.default_tokens)]
        if streaming:
            whole = sse_tokens(tokens, fmt)
            return StreamReply([event + b"\n\n" for event in whole.split(b"\n\n") if event], delay_s=self.token_delay_s)
        text = "".join(tokens)
        if fmt == "chat":
            return JsonReply(
                {
                    "object": "chat.completion",
                    "choices": [
                        {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "length"}
                    ],
                    "usage": {"prompt_tokens": 5, "completion_tokens": len(tokens)},
                }
            )
        return JsonReply(
            [{"generated_text": text, "details": {"finish_reason": "length", "generated_tokens": len(tokens)}}]
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> StubRuntime:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

"""An emulated LLM serving container on 127.0.0.1: the local runtime's default container, the benchmark's upstream
and the tests' model server. One emulator for all three.

It speaks the SageMaker container contract (`GET /ping`, `POST /invocations`) in the request and response formats of
the container it stands in for (../shared/REFERENCE.md): TGI (generate array / SSE events, OpenAI chat), LMI (generate
object / JSON lines, OpenAI chat) or the vLLM DLC (OpenAI chat), plus TGI's own `/generate`, `/generate_stream` and
`/v1/chat/completions`. It enforces the env's token limits with the container's own error messages and status codes,
stops at a stop sequence (TGI refuses more than MAX_STOP_SEQUENCES, default 4, as its router does), and ends a chat
stream with a usage chunk, prompt tokens included, when `stream_options.include_usage` asks for one.
LoRA adapters come from the env as the container reads them (TGI `LORA_ADAPTERS`, vLLM `SM_VLLM_LORA_MODULES`); a
request picks one with `parameters.adapter_id` or the chat `model` field and the reply names it in every token
(`twin-t0 twin-t1 …`). An unknown adapter is what the container does: TGI serves the base model (its router maps an
unknown id to adapter index 0), vLLM answers 404 "The model `x` does not exist.".

Generation is deterministic (`t0 t1 t2 …`) at a fixed time to first token and rate. It never pretends to be the model:
replies name the model `emulator/<model id>` and carry an `X-LLM-Emulator` header. Tokens are counted as words and
punctuation marks, an approximation of a real tokenizer.

Fault injection for tests, by prompt text: FAIL_422 (validation error), FAIL_MIDSTREAM (an error event after two
tokens), DIE_MIDSTREAM (the connection drops after two tokens, as when the container dies), STALL_MIDSTREAM (silent
after two tokens, as a wedged GPU), HANG (never answers), ECHO_PROMPT (the reply is the prompt's words: tests read
what reached the model, e.g. the passages of a grounded prompt).
Raw asyncio, so that it costs little next to what it measures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

from llm_service.rag.context import container_limits

from .tei import TeiEmulator

Flavor = Literal["tgi", "lmi", "vllm", "tei"]
TEI_REPOSITORIES = ("tei", "tei-cpu", "text-embeddings-inference")
_WORDS = re.compile(r"\w+|[^\w\s]")
_REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 422: "Unprocessable Entity", 424: "Failed Dependency"}


@dataclass(frozen=True)
class Profile:
    """What the emulated container is: its flavor, the model it stands in for, and the env's token limits."""

    flavor: Flavor = "tgi"
    model_id: str = "synthetic"
    max_input_tokens: int | None = None
    max_total_tokens: int | None = None
    max_stop_sequences: int = 4  # TGI's router default (MAX_STOP_SEQUENCES)
    adapters: tuple[str, ...] = ()  # the LoRA adapter ids it loaded
    base_names: tuple[str, ...] = ()  # model names that mean the base model (vLLM: the served model)

    @classmethod
    def from_model(cls, image: str, env: Mapping[str, str]) -> Profile:
        """From a SageMaker model's image URI and environment, as the real container would read them."""
        repository = image.rsplit("/", 1)[-1].split(":", 1)[0]
        flavor: Flavor = "lmi" if "djl" in repository else "vllm" if "vllm" in repository else "tgi"
        if repository in TEI_REPOSITORIES:
            flavor = "tei"
        model_id = env.get("HF_MODEL_ID") or env.get("OPTION_MODEL_ID") or "model"
        # The limits as the container reads them (one rule with the service's prompt budget).
        limits = container_limits(image, env)
        max_input, total = limits.max_input_tokens, limits.max_total_tokens
        stops = int(env.get("MAX_STOP_SEQUENCES") or 4)
        if flavor == "tgi":
            entries = [e.strip() for e in env.get("LORA_ADAPTERS", "").split(",") if e.strip()]
            adapters = tuple(e.split("=", 1)[0].split("@", 1)[0] for e in entries)
        elif flavor == "lmi":
            # LMI loads whatever is in the model directory's adapters/ folder, which is not visible here: any name.
            adapters = (ANY_ADAPTER,) if env.get("OPTION_ENABLE_LORA", "").lower() == "true" else ()
        else:
            modules = env.get("SM_VLLM_LORA_MODULES", "")
            adapters = tuple(m.split("=", 1)[0] for m in modules.split() if "=" in m)
        base = tuple(filter(None, (env.get("SM_VLLM_MODEL"), env.get("SM_VLLM_SERVED_MODEL_NAME"))))
        return cls(
            flavor,
            model_id,
            max_input,
            total,
            stops,
            adapters,
            base,
        )

    @property
    def served_name(self) -> str:
        return f"emulator/{self.model_id}"


def count_tokens(text: str) -> int:
    return len(_WORDS.findall(text))


ANY_ADAPTER = "*"


def token_text(index: int, adapter: str | None = None) -> str:
    return f"{adapter}-t{index} " if adapter else f"t{index} "


@dataclass(frozen=True)
class Ask:
    """One generation request as the container reads it."""

    kind: str  # generate | chat
    prompt: str
    max_new: int
    stops: tuple[str, ...] = ()
    include_usage: bool = False
    adapter: str | None = None  # the LoRA adapter that answers; None: the base model

    @cached_property
    def echoed(self) -> list[str]:
        return self.prompt.split() if "ECHO_PROMPT" in self.prompt else []

    def token(self, index: int) -> str:
        echoed = self.echoed
        return f"{echoed[index]} " if index < len(echoed) else token_text(index, self.adapter)

    def length(self) -> tuple[int, str]:
        """Tokens generated and why it ended: at the first token whose text completes a stop sequence, else max_new
        (an echo ends with the prompt)."""
        text = ""
        echoed = len(self.echoed)
        for i in range(self.max_new):
            if echoed and i == echoed:
                return i, "stop_sequence" if self.kind == "generate" else "stop"
            text += self.token(i)
            if any(stop and stop in text for stop in self.stops):
                return i + 1, "stop_sequence" if self.kind == "generate" else "stop"
        return self.max_new, "length"


@dataclass
class Stats:
    started: int = 0
    completed: int = 0
    cancelled: int = 0
    requests: list[dict[str, Any]] = field(default_factory=list)


class ContainerError(Exception):
    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(status)
        self.status, self.body = status, body


class EmulatedContainer:
    def __init__(
        self,
        tokens_per_s: float = 50.0,
        first_token_delay_s: float = 0.0,
        record: bool = False,
        profile: Profile | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.tokens_per_s = tokens_per_s
        self.first_token_delay_s = first_token_delay_s
        self.record = record
        self.profile = profile or Profile()
        self.stats = Stats()
        self.tei = TeiEmulator(env or {}) if self.profile.flavor == "tei" else None
        self._server: asyncio.Server | None = None
        self.url = ""

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        self._server = await asyncio.start_server(self._handle, host, port, backlog=2048)
        sock = self._server.sockets[0].getsockname()
        self.url = f"http://{sock[0]}:{sock[1]}"
        return self.url

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._server.wait_closed(), 2)

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
                try:
                    parsed = json.loads(body) if body else {}
                except ValueError:
                    await self._json(writer, 400, {"error": "Failed to deserialize the JSON body", "error_type": "x"})
                    continue
                await self._route(method, path.split("?", 1)[0], parsed, writer)
                if headers.get("connection", "").lower() == "close":
                    return
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    async def _route(self, method: str, path: str, body: Any, writer: asyncio.StreamWriter) -> None:
        if self.record and method == "POST":
            self.stats.requests.append({"path": path, "body": body})
        if method == "GET" and path in ("/health", "/ping"):
            return await self._json(writer, 200, {"status": "ok", "emulator": self.profile.flavor})
        if method == "GET" and path == "/stats":
            s = self.stats
            return await self._json(
                writer, 200, {"started": s.started, "completed": s.completed, "cancelled": s.cancelled}
            )
        if self.tei is not None:
            if method != "POST" or path not in ("/invocations", "/embed"):
                return await self._json(writer, 404, {"error": "not found"})
            return await self._json(writer, *await self.tei.embed(body))
        routes = {"/generate": "generate", "/generate_stream": "generate", "/v1/chat/completions": "chat"}
        if method != "POST" or (path not in routes and path != "/invocations") or not isinstance(body, dict):
            return await self._json(writer, 404, {"error": "not found"})
        kind = routes.get(path) or self._invocation_kind(body)
        streaming = path == "/generate_stream" or bool(body.get("stream"))
        try:
            if kind is None:
                raise ContainerError(422, self._error(f"{self.profile.flavor} cannot serve this body", "validation"))
            ask = self._read(kind, body)
        except ContainerError as exc:
            return await self._json(writer, exc.status, exc.body)
        if "HANG" in ask.prompt:
            await asyncio.sleep(3600)
        n, finish = ask.length()
        if not streaming:
            await asyncio.sleep(self.first_token_delay_s + n / self.tokens_per_s)
            return await self._json(writer, 200, self._whole(ask, path, n, finish))
        stream_format = "chat" if kind == "chat" else "lines" if self.profile.flavor == "lmi" else "sse"
        await self._stream(writer, n, finish, stream_format, ask)

    def _invocation_kind(self, body: dict[str, Any]) -> str | None:
        if "messages" in body:
            return "chat"
        if "inputs" in body and self.profile.flavor != "vllm":
            return "generate"
        return None

    def _read(self, kind: str, body: dict[str, Any]) -> Ask:
        if kind == "chat":
            prompt = " ".join(str(m.get("content", "")) for m in body.get("messages") or [] if isinstance(m, dict))
            max_new = body.get("max_tokens") or body.get("max_completion_tokens") or 16
            stop = body.get("stop") or []
            include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        else:
            prompt = str(body.get("inputs", ""))
            max_new = (body.get("parameters") or {}).get("max_new_tokens") or 20
            stop = (body.get("parameters") or {}).get("stop") or []
            include_usage = False
        stops = tuple([stop] if isinstance(stop, str) else [str(s) for s in stop])
        if "FAIL_422" in prompt:
            raise ContainerError(
                422, self._error("Input validation error: `inputs` must have less than 10 tokens", "validation")
            )
        if self.profile.flavor == "tgi" and len(stops) > self.profile.max_stop_sequences:
            message = (
                f"Input validation error: `stop` supports up to {self.profile.max_stop_sequences} stop sequences. "
                f"Given: {len(stops)}"
            )
            raise ContainerError(422, self._error(message, "validation"))
        self._check_limits(count_tokens(prompt), int(max_new))
        return Ask(kind, prompt, int(max_new), stops, include_usage, self._adapter(kind, body))

    def _adapter(self, kind: str, body: dict[str, Any]) -> str | None:
        """Which adapter answers, as the container decides it (module docstring)."""
        p = self.profile
        if p.flavor == "lmi":
            wanted = body.get("adapters")
        else:
            wanted = body.get("model") if kind == "chat" else (body.get("parameters") or {}).get("adapter_id")
        if not wanted or wanted in p.base_names or (p.flavor == "tgi" and wanted == "tgi"):
            return None
        if wanted in p.adapters or ANY_ADAPTER in p.adapters:
            return str(wanted)
        if p.flavor == "tgi":
            return None  # TGI: an unknown adapter id falls back to the base model, silently
        if p.flavor == "lmi":
            raise ContainerError(424, {"error": f"LoRA adapter {wanted} not found in registry.", "code": 424})
        message = f"The model `{wanted}` does not exist."
        raise ContainerError(
            404, {"object": "error", "message": message, "type": "NotFoundError", "param": None, "code": 404}
        )

    def _check_limits(self, input_tokens: int, max_new: int) -> None:
        """The container's own checks and messages: TGI's router validation (422), vLLM's context check (400)."""
        p = self.profile
        if p.flavor == "tgi":
            if p.max_input_tokens is not None and input_tokens > p.max_input_tokens:
                raise ContainerError(
                    422,
                    self._error(
                        f"Input validation error: `inputs` must have less than {p.max_input_tokens} tokens. "
                        f"Given: {input_tokens}",
                        "validation",
                    ),
                )
            if p.max_total_tokens is not None and input_tokens + max_new > p.max_total_tokens:
                raise ContainerError(
                    422,
                    self._error(
                        f"Input validation error: `inputs` tokens + `max_new_tokens` must be <= {p.max_total_tokens}. "
                        f"Given: {input_tokens} `inputs` tokens and {max_new} `max_new_tokens`",
                        "validation",
                    ),
                )
        elif p.max_input_tokens is not None and input_tokens > p.max_input_tokens:
            # LMI's TensorRT-LLM engine checks each prompt against the compiled max_input_len (LMI's TensorRT-LLM
            # guide); the wording here is the emulator's.
            message = f"Input length {input_tokens} exceeds the engine's max_input_len of {p.max_input_tokens}."
            raise ContainerError(400, {"error": message, "code": 400})
        elif p.max_total_tokens is not None and input_tokens + max_new > p.max_total_tokens:
            message = (
                f"This model's maximum context length is {p.max_total_tokens} tokens. However, you requested "
                f"{input_tokens + max_new} tokens ({input_tokens} in the messages, {max_new} in the completion). "
                "Please reduce the length of the messages or completion."
            )
            raise ContainerError(
                400, {"object": "error", "message": message, "type": "BadRequestError", "param": None, "code": 400}
            )

    @staticmethod
    def _error(message: str, error_type: str) -> dict[str, Any]:
        return {"error": message, "error_type": error_type}

    def _whole(self, ask: Ask, path: str, n: int, finish: str) -> Any:
        text = "".join(ask.token(i) for i in range(n))
        prompt_tokens = count_tokens(ask.prompt)
        if ask.kind == "chat":
            return {
                "id": "emulated",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": self.profile.served_name,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": finish}],
                "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": n, "total_tokens": n + prompt_tokens},
            }
        whole = {"generated_text": text, "details": {"finish_reason": finish, "generated_tokens": n}}
        # TGI's /invocations answers a generate body with a JSON array, LMI with an object (REFERENCE.md).
        return [whole] if path == "/invocations" and self.profile.flavor == "tgi" else whole

    async def _stream(self, writer: asyncio.StreamWriter, n: int, finish: str, fmt: str, ask: Ask) -> None:
        self.stats.started += 1
        content_type = "application/jsonlines" if fmt == "lines" else "text/event-stream"
        writer.write(
            f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nX-LLM-Emulator: {self.profile.flavor}\r\n"
            "Transfer-Encoding: chunked\r\n\r\n".encode()
        )
        interval = 1 / self.tokens_per_s
        start = time.perf_counter() + self.first_token_delay_s
        prompt = ask.prompt
        fail, die, stall = "FAIL_MIDSTREAM" in prompt, "DIE_MIDSTREAM" in prompt, "STALL_MIDSTREAM" in prompt
        try:
            for i in range(n):
                # Pace against the clock, not the previous sleep, so the rate holds under load.
                delay = start + i * interval - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                if stall and i == 2:
                    await asyncio.sleep(3600)  # alive but silent: the runtime's invocation timeout ends the stream
                if die and i == 2:
                    writer.transport.abort()  # no terminating chunk: the connection just drops
                    self.stats.cancelled += 1
                    return
                if fail and i == 2:
                    event: dict[str, Any] = {
                        "error": "Request failed during generation: CUDA out of memory",
                        "error_type": "generation",
                    }
                    await _chunk(writer, _frame(event, fmt))
                    break
                await _chunk(writer, _frame(self._event(i, n, finish, fmt, ask), fmt))
            if fmt == "chat" and ask.include_usage and not fail:
                prompt_tokens = count_tokens(prompt)
                usage = {"prompt_tokens": prompt_tokens, "completion_tokens": n, "total_tokens": prompt_tokens + n}
                await _chunk(
                    writer,
                    _frame({"id": "emulated", "object": "chat.completion.chunk", "choices": [], "usage": usage}, fmt),
                )
            if fmt == "chat" and not fail:
                await _chunk(writer, b"data:[DONE]\n\n")
            writer.write(b"0\r\n\r\n")
            await writer.drain()
            self.stats.completed += 1
        except (ConnectionError, asyncio.CancelledError):
            self.stats.cancelled += 1
            raise ConnectionResetError from None

    def _event(self, i: int, n: int, finish: str, fmt: str, ask: Ask) -> dict[str, Any]:
        last = i == n - 1
        if fmt == "chat":
            return {
                "id": "emulated",
                "object": "chat.completion.chunk",
                "created": 0,
                "model": self.profile.served_name,
                "choices": [
                    {
                        "index": 0,
                        "delta": {"content": ask.token(i)},
                        "finish_reason": finish if last else None,
                    }
                ],
            }
        details = {"finish_reason": finish, "generated_tokens": n} if last else None
        whole = "".join(ask.token(j) for j in range(n)) if last else None
        return {
            "index": i + 1,
            "token": {"id": i, "text": ask.token(i), "logprob": -0.5, "special": False},
            "generated_text": whole,
            "details": details,
        }

    async def _json(self, writer: asyncio.StreamWriter, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        writer.write(
            f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}\r\nContent-Type: application/json\r\n"
            f"X-LLM-Emulator: {self.profile.flavor}\r\nContent-Length: {len(data)}\r\n\r\n".encode()
            + data
        )
        await writer.drain()


def _frame(event: dict[str, Any], fmt: str) -> bytes:
    data = json.dumps(event).encode()
    return data + b"\n" if fmt == "lines" else b"data:" + data + b"\n\n"


async def _chunk(writer: asyncio.StreamWriter, data: bytes) -> None:
    writer.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
    await writer.drain()
    if writer.is_closing() or writer.transport.is_closing():
        raise ConnectionResetError


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--tokens-per-s", type=float, default=50.0)
    parser.add_argument("--first-token-delay-s", type=float, default=0.0)
    parser.add_argument("--flavor", choices=["tgi", "lmi", "vllm"], default="tgi")
    parser.add_argument("--max-input-tokens", type=int)
    parser.add_argument("--max-total-tokens", type=int)
    parser.add_argument("--model-id", default="synthetic")
    args = parser.parse_args()
    profile = Profile(args.flavor, args.model_id, args.max_input_tokens, args.max_total_tokens)

    async def run() -> None:
        container = EmulatedContainer(args.tokens_per_s, args.first_token_delay_s, profile=profile)
        url = await container.start(port=args.port)
        print(f"emulated {args.flavor} container on {url}", flush=True)
        await asyncio.Event().wait()

    with contextlib.suppress(KeyboardInterrupt):
        try:
            import uvloop

            uvloop.run(run())
        except ImportError:
            asyncio.run(run())


if __name__ == "__main__":
    main()

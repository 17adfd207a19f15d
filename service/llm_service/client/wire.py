"""Request bodies and response shapes of the serving containers (../shared/REFERENCE.md).

Two request formats: OpenAI chat (`messages`, the default) and TGI generate (`inputs` + `parameters`).
Responses: TGI's JSON array, LMI's JSON object, OpenAI chat completions; stream events from TGI generate,
OpenAI chat chunks and LMI JSON lines.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from .errors import InvalidRequestError, ModelError

WireFormat = Literal["chat", "tgi"]
DEFAULT_MAX_NEW_TOKENS = 256
MAX_PAYLOAD_BYTES = 6 * 1024 * 1024  # SageMaker real-time request limit


@dataclass
class GenerationRequest:
    messages: list[dict[str, Any]]
    max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS
    temperature: float | None = None
    top_p: float | None = None
    stop: list[str] = field(default_factory=list)
    # Further parameters in the wire format's own vocabulary (TGI `parameters`, OpenAI chat fields), sent as given.
    parameters: dict[str, Any] = field(default_factory=dict)
    # A LoRA adapter to answer: sent the way every container reads it (TGI: `adapter_id` / chat `model`; vLLM: chat
    # `model`; LMI: top-level `adapters`). Each ignores the spellings of the others.
    adapter: str | None = None

    @classmethod
    def from_prompt(cls, prompt: str, system: str | None = None, **kwargs: Any) -> GenerationRequest:
        messages = [{"role": "system", "content": system}] if system else []
        messages.append({"role": "user", "content": prompt})
        return cls(messages=messages, **kwargs)

    def validate(self) -> None:
        if self.max_new_tokens < 1:
            raise InvalidRequestError(f"max new tokens must be at least 1, got {self.max_new_tokens}.")
        if self.temperature is not None and self.temperature < 0:
            raise InvalidRequestError(f"temperature must be 0 or more, got {self.temperature}.")
        if self.top_p is not None and not 0 < self.top_p <= 1:
            raise InvalidRequestError(f"top_p must be in (0, 1], got {self.top_p}.")
        if not self.messages:
            raise InvalidRequestError("the request has no messages; give a prompt.")

    def prompt_text(self) -> str:
        """TGI generate takes one string: the messages' contents, system first."""
        return "\n\n".join(str(m.get("content", "")) for m in self.messages)


def build_body(request: GenerationRequest, wire_format: WireFormat, stream: bool) -> bytes:
    request.validate()
    body: dict[str, Any]
    if wire_format == "chat":
        body = {"messages": request.messages, "max_tokens": request.max_new_tokens, "stream": stream}
        if request.temperature is not None:
            body["temperature"] = request.temperature
        if request.top_p is not None:
            body["top_p"] = request.top_p
        if request.stop:
            body["stop"] = request.stop
        body.update({k: v for k, v in request.parameters.items() if k not in body})
        if request.adapter:
            body["model"] = body["adapters"] = request.adapter
    else:
        # Always send max_new_tokens: LMI's vLLM handler otherwise stops at 30 tokens.
        params: dict[str, Any] = {"max_new_tokens": request.max_new_tokens, "details": True}
        # TGI rejects temperature 0 and top_p 1 (both must be strictly inside their ranges): say greedy instead.
        if request.temperature:
            params["temperature"] = request.temperature
            params["do_sample"] = True
        elif request.temperature == 0:
            params["do_sample"] = False
        if request.top_p is not None and request.top_p < 1:
            params["top_p"] = request.top_p
        if request.stop:
            params["stop"] = request.stop
        params.update({k: v for k, v in request.parameters.items() if k not in params})
        if request.adapter:
            params["adapter_id"] = request.adapter
        body = {"inputs": request.prompt_text(), "parameters": params, "stream": stream}
        if request.adapter:
            body["adapters"] = request.adapter
    data = json.dumps(body, ensure_ascii=False).encode()
    if len(data) > MAX_PAYLOAD_BYTES:
        raise InvalidRequestError(
            f"the request is {len(data):,} bytes; SageMaker accepts at most {MAX_PAYLOAD_BYTES:,}. Shorten the prompt."
        )
    return data


@dataclass
class Completion:
    text: str
    finish_reason: str | None = None
    output_tokens: int | None = None
    input_tokens: int | None = None
    raw: Any = None


@dataclass
class StreamChunk:
    text: str = ""
    finish_reason: str | None = None
    output_tokens: int | None = None  # cumulative count when the container reports it
    input_tokens: int | None = None
    is_token: bool = False  # one generated token (TGI/LMI token events, chat deltas)
    final: bool = False  # the format's terminal event: a finish_reason, or TGI/LMI's generated_text
    raw: dict[str, Any] | None = None  # the container's event, for what a route passes through (logprobs, tools)


def _error_message(error: Any) -> str:
    if isinstance(error, dict):
        return str(error.get("message") or error.get("error") or json.dumps(error))
    return str(error)


def parse_completion(payload: bytes) -> Completion:
    try:
        data = json.loads(payload)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ModelError(f"the endpoint returned a body that is not JSON: {payload[:200]!r}") from None
    if isinstance(data, list) and data and isinstance(data[0], dict):  # TGI generate: [{"generated_text": ...}]
        data = data[0]
    if not isinstance(data, dict):
        raise ModelError(f"unexpected response shape from the endpoint: {str(data)[:200]}")
    if "error" in data:
        raise ModelError(_error_message(data["error"]))
    if "choices" in data:  # OpenAI chat completion
        choice = data["choices"][0] if data["choices"] else {}
        message = choice.get("message") or {}
        usage = data.get("usage") or {}
        return Completion(
            text=message.get("content") or choice.get("text") or "",
            finish_reason=choice.get("finish_reason"),
            output_tokens=usage.get("completion_tokens"),
            input_tokens=usage.get("prompt_tokens"),
            raw=data,
        )
    if "generated_text" in data:  # TGI array element or LMI object
        details = data.get("details") or {}
        return Completion(
            text=data["generated_text"],
            finish_reason=details.get("finish_reason"),
            output_tokens=details.get("generated_tokens"),
            raw=data,
        )
    raise ModelError(f"unexpected response shape from the endpoint: {json.dumps(data)[:200]}")


def parse_event(data: dict[str, Any]) -> StreamChunk | None:
    """One decoded stream event → a chunk; error events raise. Unknown shapes are skipped."""
    from .errors import StreamError

    if "error" in data:
        error = data["error"]
        code = data.get("error_type") or (error.get("type") if isinstance(error, dict) else None)
        raise StreamError(_error_message(error), error_code=code)
    if "choices" in data:  # chat.completion.chunk
        usage = data.get("usage") or {}
        choices = data["choices"] or [{}]
        delta = choices[0].get("delta") or {}
        text = delta.get("content") or ""
        return StreamChunk(
            text=text,
            final=choices[0].get("finish_reason") is not None,
            finish_reason=choices[0].get("finish_reason"),
            output_tokens=usage.get("completion_tokens"),
            input_tokens=usage.get("prompt_tokens"),
            is_token=bool(text),
            raw=data,
        )
    if "token" in data:  # TGI generate_stream event or LMI JSON line
        token = data["token"] or {}
        details = data.get("details") or {}
        return StreamChunk(
            text="" if token.get("special") else str(token.get("text", "")),
            final=data.get("generated_text") is not None or details.get("finish_reason") is not None,
            finish_reason=details.get("finish_reason"),
            output_tokens=details.get("generated_tokens"),
            is_token=True,
            raw=data,
        )
    return None

"""OpenAI-compatible routes: POST /v1/chat/completions (with SSE streaming) and GET /v1/models."""

from __future__ import annotations

import time
import uuid
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from ..client import GenerationRequest, StreamChunk
from ..settings import ServiceSettings, get_settings
from .runner import Generation, max_new_tokens
from .schemas import ChatCompletionRequest
from .state import ServiceState, get_state, require_key

router = APIRouter()
_FINISH = {"eos_token": "stop", "stop_sequence": "stop", "stop": "stop", "length": "length"}


def _finish_reason(reason: str | None) -> str | None:
    return _FINISH.get(reason, reason) if reason else None


def _first_choice(raw: Any) -> dict[str, Any]:
    choices = raw.get("choices") if isinstance(raw, dict) else None
    return dict(choices[0]) if isinstance(choices, list) and choices and isinstance(choices[0], dict) else {}


def _passed(message: dict[str, Any]) -> dict[str, Any]:
    """What the container put in a message or delta beyond the text (tool_calls, refusal), passed through."""
    return {k: v for k, v in message.items() if k not in ("role", "content") and v is not None}


def _to_generation(
    body: ChatCompletionRequest, settings: ServiceSettings, messages: list[dict[str, Any]] | None = None
) -> GenerationRequest:
    stop = [body.stop] if isinstance(body.stop, str) else list(body.stop or [])
    return GenerationRequest(
        messages=messages if messages is not None else [m.forwarded() for m in body.messages],
        max_new_tokens=max_new_tokens(body.max_completion_tokens or body.max_tokens, settings),
        temperature=body.temperature,
        top_p=body.top_p,
        stop=stop,
        parameters=body.forwarded(),
    )


@router.post("/v1/chat/completions", response_model=None)
async def chat_completions(
    body: ChatCompletionRequest,
    request: Request,
    settings: ServiceSettings = Depends(get_settings),  # noqa: B008
    state: ServiceState = Depends(get_state),  # noqa: B008
    key: str = Depends(require_key),
) -> Any:
    return await respond(body, request, settings, state, key)


async def respond(
    body: ChatCompletionRequest,
    request: Request,
    settings: ServiceSettings,
    state: ServiceState,
    key: str,
    route: str = "chat",
    messages: list[dict[str, Any]] | None = None,
    extra: dict[str, Any] | None = None,
) -> Any:
    """A chat completion, streamed or not. `messages` replace the request's (a grounded prompt); `extra` fields go on
    the response body, or on the stream's final chunk (the one with finish_reason)."""
    model, upstream = state.upstream_for(body.model)
    generation = Generation(state, settings, key, route, upstream)
    gen_request = _to_generation(body, settings, messages)
    gen_request.adapter = state.adapters.get(model)
    extra = extra or {}
    completion_id = f"chatcmpl-{uuid.uuid4().hex}"
    created = int(time.time())
    if not body.stream:
        completion = await generation.complete(gen_request, "chat")
        raw_choice = _first_choice(completion.raw)
        raw_message = raw_choice.get("message") or {}
        usage = None
        if completion.output_tokens is not None:
            prompt = completion.input_tokens or 0
            usage = {
                "prompt_tokens": prompt,
                "completion_tokens": completion.output_tokens,
                "total_tokens": prompt + completion.output_tokens,
            }
        return JSONResponse(
            {
                "id": completion_id,
                "object": "chat.completion",
                "created": created,
                "model": model,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", **_passed(raw_message), "content": completion.text},
                        "finish_reason": _finish_reason(completion.finish_reason) or "stop",
                        "logprobs": raw_choice.get("logprobs"),
                    }
                ],
                **({"usage": usage} if usage else {}),
                **extra,
            }
        )

    include_usage = bool(body.stream_options and body.stream_options.include_usage)
    tracker: dict[str, Any] = {"role_sent": False, "finish": None, "reported": None, "prompt": None}

    envelope = {"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": model}

    def chunk_event(delta: dict[str, Any], finish: str | None, logprobs: Any = None) -> dict[str, Any]:
        return {**envelope, "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": logprobs}]}

    def render(chunk: StreamChunk) -> list[dict[str, Any] | str]:
        events: list[dict[str, Any] | str] = []
        if not tracker["role_sent"]:
            events.append(chunk_event({"role": "assistant", "content": ""}, None))
            tracker["role_sent"] = True
        raw_choice = _first_choice(chunk.raw)
        passed = _passed(raw_choice.get("delta") or {})
        if chunk.text or passed:
            delta = {**passed, "content": chunk.text} if chunk.text else passed
            events.append(chunk_event(delta, None, raw_choice.get("logprobs")))
        tracker["finish"] = _finish_reason(chunk.finish_reason) or tracker["finish"]
        tracker["reported"] = chunk.output_tokens or tracker["reported"]
        tracker["prompt"] = chunk.input_tokens or tracker["prompt"]
        return events

    def finish() -> list[dict[str, Any] | str]:
        events: list[dict[str, Any] | str] = []
        if not tracker["role_sent"]:
            events.append(chunk_event({"role": "assistant", "content": ""}, None))
        events.append({**chunk_event({}, tracker["finish"] or "stop"), **extra})
        if include_usage:
            completion_tokens = tracker["reported"] or generation.output_tokens
            prompt = tracker["prompt"] or 0
            usage = {
                "prompt_tokens": prompt,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt + completion_tokens,
            }
            events.append({**envelope, "choices": [], "usage": usage})
        events.append("[DONE]")
        return events

    return await generation.stream(gen_request, "chat", render, finish, request.url.path)


@router.get("/v1/models")
async def list_models(
    state: ServiceState = Depends(get_state),  # noqa: B008
    key: str = Depends(require_key),
) -> dict[str, Any]:
    models = [
        {"id": name, "object": "model", "created": 0, "owned_by": "sagemaker-llm-stack"} for name in state.upstreams
    ]
    return {"object": "list", "data": models}

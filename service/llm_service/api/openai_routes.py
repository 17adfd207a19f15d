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


def _to_generation(body: ChatCompletionRequest, settings: ServiceSettings) -> GenerationRequest:
    stop = [body.stop] if isinstance(body.stop, str) else list(body.stop or [])
    return GenerationRequest(
        messages=[{"role": m.role, "content": m.text()} for m in body.messages],
        max_new_tokens=max_new_tokens(body.max_completion_tokens or body.max_tokens, settings),
        temperature=body.temperature,
        top_p=body.top_p,
        stop=stop,
    )


@router.post("/v1/chat/completions", response_model=None)
async def chat_completions(
    body: ChatCompletionRequest,
    request: Request,
    settings: ServiceSettings = Depends(get_settings),  # noqa: B008
    state: ServiceState = Depends(get_state),  # noqa: B008
    key: str = Depends(require_key),
) -> Any:
    model, upstream = state.upstream_for(body.model)
    generation = Generation(state, settings, key, "chat", upstream)
    gen_request = _to_generation(body, settings)
    completion_id = f"chatcmpl-{uuid.uuid4().hex}"
    created = int(time.time())
    if not body.stream:
        completion = await generation.complete(gen_request, "chat")
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
                        "message": {"role": "assistant", "content": completion.text},
                        "finish_reason": _finish_reason(completion.finish_reason) or "stop",
                        "logprobs": None,
                    }
                ],
                **({"usage": usage} if usage else {}),
            }
        )

    include_usage = bool(body.stream_options and body.stream_options.include_usage)
    tracker: dict[str, Any] = {"role_sent": False, "finish": None, "reported": None, "prompt": None}

    envelope = {"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": model}

    def chunk_event(delta: dict[str, Any], finish: str | None) -> dict[str, Any]:
        return {**envelope, "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}]}

    def render(chunk: StreamChunk) -> list[dict[str, Any] | str]:
        events: list[dict[str, Any] | str] = []
        if not tracker["role_sent"]:
            events.append(chunk_event({"role": "assistant", "content": ""}, None))
            tracker["role_sent"] = True
        if chunk.text:
            events.append(chunk_event({"content": chunk.text}, None))
        tracker["finish"] = _finish_reason(chunk.finish_reason) or tracker["finish"]
        tracker["reported"] = chunk.output_tokens or tracker["reported"]
        tracker["prompt"] = chunk.input_tokens or tracker["prompt"]
        return events

    def finish() -> list[dict[str, Any] | str]:
        events: list[dict[str, Any] | str] = []
        if not tracker["role_sent"]:
            events.append(chunk_event({"role": "assistant", "content": ""}, None))
        events.append(chunk_event({}, tracker["finish"] or "stop"))
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

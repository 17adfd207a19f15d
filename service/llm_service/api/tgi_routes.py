"""TGI-compatible routes: POST /generate and POST /generate_stream (SSE)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from ..client import GenerationRequest, StreamChunk
from ..settings import ServiceSettings, get_settings
from .runner import Generation, max_new_tokens
from .schemas import TgiGenerateRequest
from .state import ServiceState, get_state, require_key

router = APIRouter()


def _to_generation(body: TgiGenerateRequest, settings: ServiceSettings, state: ServiceState) -> GenerationRequest:
    p = body.parameters
    state.check_adapter_id(p.adapter_id)
    temperature = 0.0 if p.do_sample is False else p.temperature
    return GenerationRequest(
        messages=[{"role": "user", "content": body.inputs}],
        max_new_tokens=max_new_tokens(p.max_new_tokens, settings),
        temperature=temperature,
        top_p=p.top_p,
        stop=p.stop,
        parameters=p.forwarded(),
        adapter=p.adapter_id,
    )


@router.post("/generate")
async def generate(
    body: TgiGenerateRequest,
    settings: ServiceSettings = Depends(get_settings),  # noqa: B008
    state: ServiceState = Depends(get_state),  # noqa: B008
    key: str = Depends(require_key),
) -> JSONResponse:
    completion = await Generation(state, settings, key, "generate").complete(
        _to_generation(body, settings, state), "tgi"
    )
    result: dict[str, Any] = {"generated_text": completion.text}
    if body.parameters.details:
        # The container's own details (tokens, seed, prefill, top_tokens) when it sent them.
        raw = completion.raw if isinstance(completion.raw, dict) else {}
        result["details"] = raw.get("details") or {
            "finish_reason": completion.finish_reason or "length",
            "generated_tokens": completion.output_tokens,
        }
    return JSONResponse(result)


@router.post("/generate_stream", response_model=None)
async def generate_stream(
    body: TgiGenerateRequest,
    request: Request,
    settings: ServiceSettings = Depends(get_settings),  # noqa: B008
    state: ServiceState = Depends(get_state),  # noqa: B008
    key: str = Depends(require_key),
) -> Any:
    generation = Generation(state, settings, key, "generate_stream")
    text: list[str] = []

    def render(chunk: StreamChunk) -> list[dict[str, Any] | str]:
        if not chunk.is_token:
            return []
        text.append(chunk.text)
        index = len(text)
        done = chunk.finish_reason is not None
        details = {"finish_reason": chunk.finish_reason, "generated_tokens": index} if done else None
        raw = chunk.raw or {}
        token: dict[str, Any] = raw["token"] if isinstance(raw.get("token"), dict) else {}
        event: dict[str, Any] = {
            "index": index,
            "token": {"id": 0, "logprob": 0.0, "special": False, **token, "text": chunk.text},
            "generated_text": "".join(text) if done else None,
            "details": raw.get("details") or details,
        }
        if raw.get("top_tokens") is not None:
            event["top_tokens"] = raw["top_tokens"]
        return [event]

    def finish() -> list[dict[str, Any] | str]:
        return []  # TGI's generate stream has no [DONE]: the last token event carries generated_text

    return await generation.stream(_to_generation(body, settings, state), "tgi", render, finish, request.url.path)

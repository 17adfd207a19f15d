"""POST /v1/rag/chat/completions: retrieve passages for the last user message, build the grounded prompt, then
answer exactly like /v1/chat/completions (SSE included), with the sources on the body or the final chunk."""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Depends, Request

from ..settings import ServiceSettings, get_settings
from .errors import ApiError
from .openai_routes import respond
from .runner import max_new_tokens
from .schemas import RagChatCompletionRequest
from .state import ServiceState, get_state, require_key

router = APIRouter()


def _question(body: RagChatCompletionRequest) -> str:
    for message in reversed(body.messages):
        if message.role == "user" and message.text().strip():
            return message.text()
    raise ApiError(
        400, "messages: no user message to search the collection for; end with one.", "invalid_request_error"
    )


@router.post("/v1/rag/chat/completions", response_model=None)
async def rag_chat_completions(
    body: RagChatCompletionRequest,
    request: Request,
    settings: ServiceSettings = Depends(get_settings),  # noqa: B008
    state: ServiceState = Depends(get_state),  # noqa: B008
    key: str = Depends(require_key),
) -> Any:
    question = _question(body)
    model, _ = state.upstream_for(body.model)
    max_new = max_new_tokens(body.max_completion_tokens or body.max_tokens, settings)
    started = time.perf_counter()
    threshold = body.score_threshold if body.score_threshold is not None else settings.rag_score_threshold
    passages = await state.rag.passages(body.collection, question, body.top_k or settings.rag_top_k, threshold)
    state.metrics.rag_retrieval.observe(time.perf_counter() - started)
    budget = await state.rag.prompt_budget(model, max_new)
    prompt = state.rag.build_prompt([m.forwarded() for m in body.messages], passages, budget)
    state.metrics.rag_passages.observe(len(prompt.passages))
    state.metrics.rag_prompt_tokens.observe(prompt.tokens)
    sources = [p.source() for p in prompt.passages]
    return await respond(body, request, settings, state, key, "rag", prompt.messages, {"sources": sources})

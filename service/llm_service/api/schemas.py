"""Request bodies for the OpenAI chat and TGI routes.

Every generation parameter the containers' APIs define is accepted and forwarded (`forwarded()`), typed and
range-checked here so a bad value is a 400 before it costs an invocation; an unknown field is a 400 naming it, never
silently dropped (TGI's `GenerateParameters` and `ChatRequest`, as in huggingface_hub's generated types; vLLM and
LMI accept the same OpenAI fields). Types are strict, as OpenAI's are: `"max_tokens": "4"` or `"stream": "yes"` is a
400, not coerced. Text must be valid Unicode: a lone surrogate (`"\\ud83d"`, legal JSON) cannot be encoded for the
model and is refused here.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

_SURROGATE = re.compile("[\ud800-\udfff]")


def _reject_lone_surrogates(value: Any) -> None:
    if isinstance(value, str):
        if _SURROGATE.search(value):
            # The message never quotes the text: request content stays out of responses and logs.
            raise ValueError("text contains a lone UTF-16 surrogate (e.g. \\ud83d) and is not valid Unicode")
    elif isinstance(value, dict):
        for item in value.values():
            _reject_lone_surrogates(item)
    elif isinstance(value, list):
        for item in value:
            _reject_lone_surrogates(item)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class _Body(_Strict):
    @model_validator(mode="before")
    @classmethod
    def _valid_unicode(cls, data: Any) -> Any:
        _reject_lone_surrogates(data)
        return data


class ChatMessage(_Strict):
    # Messages keep every field a client sends (name, tool_calls, tool_call_id): the container's template reads them.
    model_config = ConfigDict(extra="allow", strict=True)

    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[dict[str, Any]] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(str(part.get("text", "")) for part in self.content if part.get("type") == "text")
        return self.content or ""

    def forwarded(self) -> dict[str, Any]:
        return {**(self.model_extra or {}), "role": self.role, "content": self.text()}


class StreamOptions(_Strict):
    include_usage: bool = False


class Grammar(_Strict):
    """TGI's guided generation: a JSON schema (`json`, `json_schema`) or a regular expression (`regex`)."""

    type: Literal["json", "json_object", "json_schema", "regex"]
    value: Any = None


class ResponseFormat(_Strict):
    """OpenAI's `response_format` (text, json_object, json_schema) and TGI's own (json with a schema in `value`)."""

    model_config = ConfigDict(extra="allow", strict=True)
    type: Literal["text", "json_object", "json_schema", "json", "regex"]


def _set(model: BaseModel, exclude: set[str]) -> dict[str, Any]:
    """The fields the client set, as it set them, minus those the route handles itself."""
    return model.model_dump(exclude_unset=True, exclude=exclude, exclude_none=True)


class ChatCompletionRequest(_Body):
    model: str | None = None
    messages: list[ChatMessage] = Field(min_length=1)
    max_tokens: int | None = Field(None, ge=1)
    max_completion_tokens: int | None = Field(None, ge=1)
    temperature: float | None = Field(None, ge=0, le=2)
    top_p: float | None = Field(None, gt=0, le=1)
    stop: str | list[str] | None = None
    n: int = Field(1, ge=1, le=1, description="only one choice is supported")
    stream: bool = False
    stream_options: StreamOptions | None = None
    frequency_penalty: float | None = Field(None, ge=-2, le=2)
    presence_penalty: float | None = Field(None, ge=-2, le=2)
    seed: int | None = Field(None, ge=0)
    logprobs: bool | None = None
    top_logprobs: int | None = Field(None, ge=0, le=20)
    logit_bias: dict[str, float] | None = None
    response_format: ResponseFormat | None = None
    tools: list[dict[str, Any]] | None = None
    tool_choice: str | dict[str, Any] | None = None
    tool_prompt: str | None = None  # TGI: the text put before the tools in the prompt
    parallel_tool_calls: bool | None = None
    user: str | None = None

    @model_validator(mode="after")
    def _top_logprobs_needs_logprobs(self) -> ChatCompletionRequest:
        if self.top_logprobs is not None and not self.logprobs:
            raise ValueError("top_logprobs needs logprobs: true")
        return self

    # Fields the route reads itself, never sent to the container.
    handled_fields: ClassVar[frozenset[str]] = frozenset(
        {"model", "messages", "max_tokens", "max_completion_tokens", "temperature", "top_p", "stop", "n", "stream"}
    )

    def forwarded(self) -> dict[str, Any]:
        """Parameters sent to the container as given (the route sets messages, max_tokens, temperature, top_p, stop
        and stream itself; `model` names the service's upstream)."""
        return _set(self, set(self.handled_fields))


class RagChatCompletionRequest(ChatCompletionRequest):
    """A chat completion grounded in a collection: the last user message is the question."""

    handled_fields: ClassVar[frozenset[str]] = ChatCompletionRequest.handled_fields | {
        "collection",
        "top_k",
        "score_threshold",
    }

    collection: str = Field(min_length=1, max_length=255)
    top_k: int | None = Field(None, ge=1, le=50)
    score_threshold: float | None = Field(None, ge=-1, le=1)


class TgiParameters(_Strict):
    max_new_tokens: int | None = Field(None, ge=1)
    temperature: float | None = Field(None, ge=0)
    top_p: float | None = Field(None, gt=0, le=1)
    do_sample: bool | None = None
    stop: list[str] = Field(default_factory=list)
    details: bool = False
    adapter_id: str | None = None
    best_of: int | None = Field(None, ge=1)
    decoder_input_details: bool | None = None
    frequency_penalty: float | None = Field(None, ge=-2, le=2)
    grammar: Grammar | None = None
    repetition_penalty: float | None = Field(None, gt=0)
    return_full_text: bool | None = None
    seed: int | None = Field(None, ge=0)
    top_k: int | None = Field(None, gt=0)
    top_n_tokens: int | None = Field(None, ge=0)
    truncate: int | None = Field(None, ge=1)
    typical_p: float | None = Field(None, gt=0, lt=1)
    watermark: bool | None = None

    def forwarded(self) -> dict[str, Any]:
        """Parameters sent to the container as given (max_new_tokens, temperature, top_p, do_sample, stop, details and
        adapter_id are set by the route: the service always asks for details, to report the finish reason, and sends
        the adapter the way each container reads it)."""
        handled = {"max_new_tokens", "temperature", "top_p", "do_sample", "stop", "details", "adapter_id"}
        return _set(self, handled)


class TgiGenerateRequest(_Body):
    inputs: str = Field(min_length=1)
    parameters: TgiParameters = Field(default_factory=TgiParameters)
    stream: bool | None = None  # TGI's own flag; the route decides (/generate or /generate_stream)

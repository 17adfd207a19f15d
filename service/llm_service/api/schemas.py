"""Request bodies for the OpenAI chat and TGI routes (unknown fields are ignored, as upstream does).

Types are strict, as OpenAI's are: `"max_tokens": "4"` or `"stream": "yes"` is a 400, not coerced. Text must be valid
Unicode: a lone surrogate (`"\\ud83d"`, legal JSON) cannot be encoded for the model and is refused here.
"""

from __future__ import annotations

import re
from typing import Any, Literal

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
    model_config = ConfigDict(extra="ignore", strict=True)


class _Body(_Strict):
    @model_validator(mode="before")
    @classmethod
    def _valid_unicode(cls, data: Any) -> Any:
        _reject_lone_surrogates(data)
        return data


class ChatMessage(_Strict):
    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[dict[str, Any]] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(str(part.get("text", "")) for part in self.content if part.get("type") == "text")
        return self.content or ""


class StreamOptions(_Strict):
    include_usage: bool = False


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


class TgiParameters(_Strict):
    max_new_tokens: int | None = Field(None, ge=1)
    temperature: float | None = Field(None, ge=0)
    top_p: float | None = Field(None, gt=0, le=1)
    do_sample: bool | None = None
    stop: list[str] = Field(default_factory=list)
    details: bool = False


class TgiGenerateRequest(_Body):
    inputs: str = Field(min_length=1)
    parameters: TgiParameters = Field(default_factory=TgiParameters)

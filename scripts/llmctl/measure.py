"""One timed generation: time to first token, total time, output tokens. Used by invoke and load."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from llm_service.client import GenerationRequest, InferenceClient


@dataclass
class Measured:
    text: str
    finish_reason: str | None
    output_tokens: int | None
    ttft_s: float | None
    total_s: float

    @property
    def tokens_per_s(self) -> float | None:
        if not self.output_tokens or self.total_s <= 0:
            return None
        # Decode rate: tokens after the first over the time after the first, when streaming.
        if self.ttft_s is not None and self.output_tokens > 1 and self.total_s > self.ttft_s:
            return (self.output_tokens - 1) / (self.total_s - self.ttft_s)
        return self.output_tokens / self.total_s


def run(
    client: InferenceClient, request: GenerationRequest, stream: bool, on_text: Callable[[str], None] | None = None
) -> Measured:
    start = time.perf_counter()
    if not stream:
        completion = client.invoke(request)
        if on_text:
            on_text(completion.text)
        return Measured(
            completion.text, completion.finish_reason, completion.output_tokens, None, time.perf_counter() - start
        )
    pieces: list[str] = []
    first: float | None = None
    counted = 0
    reported: int | None = None
    finish: str | None = None
    for chunk in client.stream(request):
        if chunk.is_token:
            counted += 1
            if first is None:
                first = time.perf_counter() - start
        if chunk.text:
            pieces.append(chunk.text)
            if on_text:
                on_text(chunk.text)
        reported = chunk.output_tokens or reported
        finish = chunk.finish_reason or finish
    return Measured("".join(pieces), finish, reported or counted, first, time.perf_counter() - start)

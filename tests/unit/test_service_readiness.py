"""`/ready`'s rules (README: every served model must be InService; DescribeEndpoint cached LLM_SERVICE_READY_CACHE_S)
on ServiceState with upstreams whose readiness a test sets."""

from __future__ import annotations

import asyncio

from llm_service.api.state import ServiceState
from llm_service.auth import ApiKeys


class FakeUpstream:
    name = "fake"

    def __init__(self, ready: bool) -> None:
        self.is_ready = ready
        self.calls = 0

    async def ready(self) -> tuple[bool, str]:
        self.calls += 1
        return self.is_ready, "InService" if self.is_ready else "Updating"


def _state(**upstreams: FakeUpstream) -> ServiceState:
    return ServiceState(upstreams=dict(upstreams), keys=ApiKeys(["k"]))  # type: ignore[arg-type]


def test_ready_needs_every_model_not_just_one() -> None:
    state = _state(base=FakeUpstream(True), twin=FakeUpstream(False))
    ready, detail = asyncio.run(state.ready(cache_s=0))
    assert ready is False
    assert detail == "base: InService, twin: Updating"
    state.upstreams["twin"].is_ready = True  # type: ignore[attr-defined]
    assert asyncio.run(state.ready(cache_s=0)) == (True, "base: InService, twin: InService")


def test_ready_asks_the_endpoint_once_per_cache_period() -> None:
    upstream = FakeUpstream(False)
    state = _state(only=upstream)

    async def three_checks(cache_s: float) -> list[tuple[bool, str]]:
        return [await state.ready(cache_s) for _ in range(3)]

    assert asyncio.run(three_checks(cache_s=60)) == [(False, "Updating")] * 3
    assert upstream.calls == 1, "cached for LLM_SERVICE_READY_CACHE_S"
    upstream.is_ready = True
    assert asyncio.run(state.ready(cache_s=60)) == (False, "Updating"), "still the cached answer"
    assert asyncio.run(state.ready(cache_s=0)) == (True, "InService"), "a zero cache asks every time"
    assert upstream.calls == 2

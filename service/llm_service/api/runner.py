"""What every generation route shares: limits, the upstream call, metrics, and SSE streaming with an
error event on mid-stream failure and upstream cancellation when the client goes away."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import anyio
import orjson

from ..client import Completion, GenerationRequest, InferenceError, StreamChunk, WireFormat
from ..drain import drain_event
from ..settings import ServiceSettings
from ..shared_limits import GLOBAL_KEY
from ..upstream import Upstream
from .errors import ApiError, from_upstream, stream_event_for
from .sse import SseResponse
from .state import ServiceState

log = logging.getLogger("llm_service.runner")


def _sse(event: dict[str, Any] | str) -> bytes:
    """One SSE event, encoded once here and sent as is."""
    data = event.encode() if isinstance(event, str) else orjson.dumps(event)
    return b"data: " + data + b"\n\n"


async def _prepend(first: StreamChunk | None, rest: AsyncIterator[StreamChunk]) -> AsyncIterator[StreamChunk]:
    """The chunk read before the response started, then the rest of the upstream stream."""
    if first is not None:
        yield first
    async for chunk in rest:
        yield chunk


def max_new_tokens(requested: int | None, settings: ServiceSettings) -> int:
    if requested is not None and requested > settings.max_tokens_cap:
        raise ApiError(
            400,
            f"max tokens {requested} exceeds this service's cap of {settings.max_tokens_cap}; ask for fewer.",
            "invalid_request_error",
        )
    return requested or settings.default_max_tokens


class Generation:
    """One request's trip through the upstream, holding one of its key's concurrency slots."""

    def __init__(
        self, state: ServiceState, settings: ServiceSettings, key: str, route: str, upstream: Upstream | None = None
    ) -> None:
        self.state, self.settings, self.key, self.route = state, settings, key, route
        self.upstream = upstream or state.default_upstream
        self.started = time.perf_counter()
        self.output_tokens = 0

    def log_prompt(self, request: GenerationRequest) -> None:
        """Prompt text reaches the logs only when LLM_SERVICE_LOG_PROMPTS=true (off by default)."""
        if self.settings.log_prompts:
            log.info("prompt", extra={"route": self.route, "key": self.key, "prompt": request.messages})

    def acquire(self) -> None:
        """One of the key's slots, and one of the host's when LLM_SERVICE_MAX_CONCURRENCY caps it (shared by every
        worker when there are several)."""
        concurrency = self.state.concurrency
        if not concurrency.try_acquire(self.key, self.settings.per_key_concurrency):
            limit = self.settings.per_key_concurrency
            raise ApiError(
                429,
                f"too many concurrent requests for this key (limit {limit})",
                "rate_limit_error",
                {"Retry-After": "1"},
            )
        cap = self.settings.max_concurrency
        if cap is not None and not concurrency.try_acquire(GLOBAL_KEY, cap):
            concurrency.release(self.key)
            raise ApiError(
                503,
                f"the service has {cap} generations in flight, its limit; retry shortly",
                "service_unavailable",
                {"Retry-After": "1"},
                code="overloaded",
            )

    def release(self) -> None:
        self.state.concurrency.release(self.key)
        if self.settings.max_concurrency is not None:
            self.state.concurrency.release(GLOBAL_KEY)

    def _upstream_error(self, exc: InferenceError) -> ApiError:
        self.state.metrics.upstream_errors.labels(exc.kind).inc()
        log.warning("upstream error", extra={"kind": exc.kind, "route": self.route, "key": self.key})
        return from_upstream(exc)

    async def complete(self, request: GenerationRequest, wire_format: WireFormat) -> Completion:
        self.log_prompt(request)
        self.acquire()
        try:
            completion = await self.upstream.generate(request, wire_format)
        except InferenceError as exc:
            raise self._upstream_error(exc) from None
        finally:
            self.release()
        elapsed = time.perf_counter() - self.started
        self.state.metrics.latency.labels(self.route).observe(elapsed)
        self.output_tokens = completion.output_tokens or 0
        self.state.metrics.output_tokens.labels(self.route).inc(self.output_tokens)
        return completion

    async def stream(
        self,
        request: GenerationRequest,
        wire_format: WireFormat,
        render: Callable[[StreamChunk], list[dict[str, Any] | str]],
        finish: Callable[[], list[dict[str, Any] | str]],
        path: str,
    ) -> SseResponse:
        """Start the upstream stream; errors before the first chunk become a normal HTTP error response."""
        self.log_prompt(request)
        self.acquire()
        chunks = self.upstream.stream(request, wire_format)
        try:
            first = await anext(chunks)
        except StopAsyncIteration:
            first = None
        except BaseException as exc:
            self.release()
            if isinstance(exc, InferenceError):
                raise self._upstream_error(exc) from None
            raise
        return SseResponse(self._events(first, chunks, render, finish, path))

    async def _events(
        self,
        first: StreamChunk | None,
        chunks: AsyncIterator[StreamChunk],
        render: Callable[[StreamChunk], list[dict[str, Any] | str]],
        finish: Callable[[], list[dict[str, Any] | str]],
        path: str,
    ) -> AsyncIterator[bytes]:
        metrics = self.state.metrics
        drain = self.state.drain
        metrics.inflight_streams.inc()
        saw_token = False
        completed = False
        try:
            async for chunk in _prepend(first, chunks):
                if chunk.is_token:
                    self.output_tokens += 1
                    if not saw_token:
                        saw_token = True
                        metrics.ttft.labels(self.route).observe(time.perf_counter() - self.started)
                for event in render(chunk):
                    yield _sse(event)
                if drain.began_at is not None and drain.expired():
                    log.info("stream ended by the drain", extra={"route": self.route, "tokens": self.output_tokens})
                    yield _sse(drain_event(path))
                    return
            for event in finish():
                yield _sse(event)
            completed = True
        except InferenceError as exc:
            metrics.upstream_errors.labels(exc.kind).inc()
            log.warning("stream failed", extra={"kind": exc.kind, "route": self.route, "key": self.key})
            yield _sse(stream_event_for(path, exc))
        finally:
            with anyio.CancelScope(shield=True):  # a disconnect cancels us; cleanup must still run
                with contextlib.suppress(Exception):
                    await chunks.aclose()  # type: ignore[attr-defined]
                self.release()
                metrics.inflight_streams.dec()
                metrics.output_tokens.labels(self.route).inc(self.output_tokens)
                metrics.latency.labels(self.route).observe(time.perf_counter() - self.started)
                if not completed:
                    log.info("stream ended early", extra={"route": self.route, "tokens": self.output_tokens})

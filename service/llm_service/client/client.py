"""Sync inference client over the SageMaker runtime: one call, or a stream of chunks.

Retries live in one place, `retry_policy` (botocore itself sends once, see aws.py). A request is re-sent only when
it cannot have run the model: no connection was made, SageMaker throttled it or answered ServiceUnavailable, the
model is not loaded yet, or a stream failed with InternalStreamFailure before any output. Never after a read timeout,
an unknown error status or any output. With a deadline, retries and their waits stay inside it and a stream that
runs past it is ended with a timeout error.

An inference component scaled to zero answers NoCapacityError until its first copy is up (minutes). That is not a
quick retry: with `capacity_wait_s`, the call is re-sent every `capacity_poll_s` until a copy answers, the wait runs
out or the deadline does, and `on_capacity_wait(seconds_waited)` is told before each pause.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator
from dataclasses import dataclass, replace
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from tenacity import Retrying, retry_if_exception, stop_after_attempt, stop_before_delay, wait_exponential_jitter
from tenacity.stop import stop_base

from .aws import AwsSettings, make_runtime_client
from .errors import InferenceError, NoCapacityError, StreamError, TimeoutError_
from .stream import iter_chunks
from .translate import STREAM_READ_ERRORS, translate
from .wire import Completion, GenerationRequest, StreamChunk, WireFormat, build_body, parse_completion


@dataclass(frozen=True)
class Target:
    endpoint_name: str
    inference_component: str | None = None
    target_variant: str | None = None
    custom_attributes: str | None = None

    def call_args(self) -> dict[str, Any]:
        args: dict[str, Any] = {"EndpointName": self.endpoint_name}
        if self.inference_component:
            args["InferenceComponentName"] = self.inference_component
        if self.target_variant:
            args["TargetVariant"] = self.target_variant
        if self.custom_attributes:
            args["CustomAttributes"] = self.custom_attributes
        return args


def retryable(exc: BaseException) -> bool:
    """Only failures that cannot have run the model (see the module docstring); never after output."""
    if not isinstance(exc, InferenceError) or not exc.retryable:
        return False
    return not (isinstance(exc, StreamError) and exc.after_output)


def retry_policy(attempts: int, max_wait_s: float, deadline_s: float | None = None) -> dict[str, Any]:
    """tenacity arguments shared by the sync client and the service's async upstream. With a deadline, no attempt
    starts (or is waited for) past it."""
    stop: stop_base = stop_after_attempt(attempts)
    if deadline_s is not None:
        stop = stop | stop_before_delay(deadline_s)
    return {
        "retry": retry_if_exception(retryable),
        "stop": stop,
        "wait": wait_exponential_jitter(multiplier=min(0.5, max_wait_s), max=max_wait_s, jitter=0.1),
        "reraise": True,
    }


class _Deadline:
    """Seconds left of a call's total budget (None: no total budget)."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self._ends = None if seconds is None else time.monotonic() + seconds

    def remaining(self) -> float | None:
        return None if self._ends is None else self._ends - time.monotonic()

    def check(self, what: str) -> None:
        left = self.remaining()
        if left is not None and left <= 0:
            raise TimeoutError_(f"{what} ran past the {self.seconds:g} s deadline (--timeout).")


class _CapacityWait:
    """Re-sends while a component has no copies, inside the wait and the call's deadline."""

    def __init__(
        self, wait_s: float | None, poll_s: float, deadline: _Deadline, notify: Callable[[float], None] | None
    ) -> None:
        self._wait_s, self._poll_s, self._deadline, self._notify = wait_s, poll_s, deadline, notify
        self._started = time.monotonic()

    def pause(self, exc: NoCapacityError) -> None:
        """Sleep before the next send, or raise `exc` when no time is left for one."""
        if self._wait_s is None:
            raise exc
        waited = time.monotonic() - self._started
        left = self._wait_s - waited
        deadline_left = self._deadline.remaining()
        if deadline_left is not None:
            left = min(left, deadline_left)
        if left <= self._poll_s:  # no time for another pause and send: the caller learns why
            raise exc
        if self._notify is not None:
            self._notify(waited)
        time.sleep(self._poll_s)


class InferenceClient:
    def __init__(
        self,
        target: Target,
        runtime: Any | None = None,
        settings: AwsSettings | None = None,
        wire_format: WireFormat = "chat",
        retry_attempts: int = 3,
        retry_max_wait_s: float = 8.0,
        deadline_s: float | None = None,
        capacity_wait_s: float | None = None,
        capacity_poll_s: float = 15.0,
        on_capacity_wait: Callable[[float], None] | None = None,
    ) -> None:
        """`deadline_s`: total seconds for each call, re-sends and the whole stream included. `capacity_wait_s`: how
        long to keep re-sending to a component with no copies (None: raise NoCapacityError at once)."""
        self.target = target
        self._settings = settings or AwsSettings()
        if deadline_s is not None and deadline_s < self._settings.read_timeout_s:
            # No single read may outlast the whole call's budget.
            self._settings = replace(self._settings, read_timeout_s=deadline_s)
        self._owns_runtime = runtime is None
        self.runtime = runtime if runtime is not None else make_runtime_client(self._settings)
        self.wire_format: WireFormat = wire_format
        self._retry_attempts = retry_attempts
        self._retry_max_wait_s = retry_max_wait_s
        self._deadline_s = deadline_s
        self._capacity = (capacity_wait_s, capacity_poll_s, on_capacity_wait)

    def _capacity_wait(self, deadline: _Deadline) -> _CapacityWait:
        wait_s, poll_s, notify = self._capacity
        return _CapacityWait(wait_s, poll_s, deadline, notify)

    def _retrying(self) -> Retrying:
        return Retrying(**retry_policy(self._retry_attempts, self._retry_max_wait_s, self._deadline_s))

    def _runtime_for(self, deadline: _Deadline, attempt: int) -> Any:
        """The runtime client for an attempt: a re-send gets one whose read timeout ends at the deadline, so a late
        attempt cannot overrun it (only for the client this object made; an injected one is used as it is)."""
        deadline.check("the call")
        left = deadline.remaining()
        if attempt == 1 or not self._owns_runtime or left is None or left >= self._settings.read_timeout_s:
            return self.runtime
        return make_runtime_client(replace(self._settings, read_timeout_s=max(left, 0.001)))

    def _call_args(self, body: bytes) -> dict[str, Any]:
        return {**self.target.call_args(), "Body": body, "ContentType": "application/json"}

    def invoke(self, request: GenerationRequest) -> Completion:
        return parse_completion(self.invoke_body(build_body(request, self.wire_format, stream=False)))

    def invoke_body(self, body: bytes) -> bytes:
        """One JSON request, any contract (a generation, or TEI's embed): the response body, with the same
        re-sends, deadline and capacity wait as a generation."""
        deadline = _Deadline(self._deadline_s)
        capacity = self._capacity_wait(deadline)
        while True:
            try:
                return self._invoke_once(body, deadline)
            except NoCapacityError as exc:
                capacity.pause(exc)

    def _invoke_once(self, body: bytes, deadline: _Deadline) -> bytes:
        for attempt in self._retrying():
            with attempt:
                runtime = self._runtime_for(deadline, attempt.retry_state.attempt_number)
                try:
                    response = runtime.invoke_endpoint(**self._call_args(body), Accept="application/json")
                    payload: bytes = response["Body"].read()
                except (ClientError, BotoCoreError) as exc:
                    raise translate(exc) from None
                return payload
        raise AssertionError("unreachable")  # pragma: no cover

    def stream(self, request: GenerationRequest) -> Generator[StreamChunk, None, None]:
        body = build_body(request, self.wire_format, stream=True)
        deadline = _Deadline(self._deadline_s)
        capacity = self._capacity_wait(deadline)
        while True:
            try:
                yield from self._stream_with_retries(body, deadline)
                return
            except NoCapacityError as exc:  # raised by the first call, before any output
                capacity.pause(exc)

    def _stream_with_retries(self, body: bytes, deadline: _Deadline) -> Generator[StreamChunk, None, None]:
        for attempt in self._retrying():
            with attempt:
                runtime = self._runtime_for(deadline, attempt.retry_state.attempt_number)
                yield from self._stream_once(body, runtime, deadline)
                return

    def _stream_once(self, body: bytes, runtime: Any, deadline: _Deadline) -> Generator[StreamChunk, None, None]:
        emitted = 0
        event_stream = None
        try:
            response = runtime.invoke_endpoint_with_response_stream(**self._call_args(body), Accept="application/json")
            event_stream = response["Body"]
            parts = (event["PayloadPart"]["Bytes"] for event in event_stream if "PayloadPart" in event)
            for chunk in iter_chunks(parts):
                emitted += chunk.is_token
                yield chunk
                if not chunk.final:
                    deadline.check(f"the stream (after {emitted} tokens)")
        except (StreamError, ClientError, BotoCoreError, *STREAM_READ_ERRORS) as exc:
            raise translate(exc, after_output=emitted > 0) from None
        finally:
            # Closing the HTTP response stops the upstream generation when the caller walks away.
            if event_stream is not None:
                event_stream.close()

"""Sync inference client over the SageMaker runtime: one call, or a stream of chunks.

Retries: botocore's adaptive mode re-sends throttled and 5xx calls at the transport; on top of that this
client re-sends when the model is not ready yet or a stream fails before its first output. Nothing is
ever re-sent once output has reached the caller.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential_jitter

from .aws import AwsSettings, make_runtime_client
from .errors import InferenceError, StreamError
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
    """What botocore does not retry itself: a model still loading, a 530, a stream failing before any output."""
    if not isinstance(exc, InferenceError) or not exc.retryable or exc.transport_retried:
        return False
    return not (isinstance(exc, StreamError) and exc.after_output)


def retry_policy(attempts: int, max_wait_s: float) -> dict[str, Any]:
    """tenacity arguments shared by the sync client and the service's async upstream."""
    return {
        "retry": retry_if_exception(retryable),
        "stop": stop_after_attempt(attempts),
        "wait": wait_exponential_jitter(multiplier=min(0.5, max_wait_s), max=max_wait_s, jitter=0.1),
        "reraise": True,
    }


class InferenceClient:
    def __init__(
        self,
        target: Target,
        runtime: Any | None = None,
        settings: AwsSettings | None = None,
        wire_format: WireFormat = "chat",
        retry_attempts: int = 3,
        retry_max_wait_s: float = 8.0,
    ) -> None:
        self.target = target
        self.runtime = runtime if runtime is not None else make_runtime_client(settings or AwsSettings())
        self.wire_format: WireFormat = wire_format
        self._retry_attempts = retry_attempts
        self._retry_max_wait_s = retry_max_wait_s

    def _retrying(self) -> Retrying:
        return Retrying(**retry_policy(self._retry_attempts, self._retry_max_wait_s))

    def _call_args(self, body: bytes) -> dict[str, Any]:
        return {**self.target.call_args(), "Body": body, "ContentType": "application/json"}

    def invoke(self, request: GenerationRequest) -> Completion:
        body = build_body(request, self.wire_format, stream=False)
        for attempt in self._retrying():
            with attempt:
                try:
                    response = self.runtime.invoke_endpoint(**self._call_args(body), Accept="application/json")
                    payload = response["Body"].read()
                except (ClientError, BotoCoreError) as exc:
                    raise translate(exc) from None
                return parse_completion(payload)
        raise AssertionError("unreachable")  # pragma: no cover

    def stream(self, request: GenerationRequest) -> Generator[StreamChunk, None, None]:
        body = build_body(request, self.wire_format, stream=True)
        for attempt in self._retrying():
            with attempt:
                yield from self._stream_once(body)
                return

    def _stream_once(self, body: bytes) -> Generator[StreamChunk, None, None]:
        emitted = False
        event_stream = None
        try:
            response = self.runtime.invoke_endpoint_with_response_stream(
                **self._call_args(body), Accept="application/json"
            )
            event_stream = response["Body"]
            parts = (event["PayloadPart"]["Bytes"] for event in event_stream if "PayloadPart" in event)
            for chunk in iter_chunks(parts):
                emitted = emitted or chunk.is_token
                yield chunk
        except (StreamError, ClientError, BotoCoreError, *STREAM_READ_ERRORS) as exc:
            raise translate(exc, after_output=emitted) from None
        finally:
            # Closing the HTTP response stops the upstream generation when the caller walks away.
            if event_stream is not None:
                event_stream.close()

"""Typed inference errors. Each carries the upstream's own message (e.g. TGI's 422 validation text)."""

from __future__ import annotations


class InferenceError(Exception):
    """Base class; `retryable` says whether re-sending the same request may succeed."""

    retryable = False
    kind = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidRequestError(InferenceError):
    """The request itself was rejected (bad parameters, prompt too long, payload too big)."""

    kind = "invalid_request"


class EndpointNotFoundError(InferenceError):
    """No such endpoint, or it is not InService."""

    kind = "endpoint_not_found"


class ModelError(InferenceError):
    """The model container answered with an error status."""

    kind = "model_error"

    def __init__(self, message: str, original_status: int | None = None, log_stream_arn: str | None = None) -> None:
        super().__init__(message)
        self.original_status = original_status
        self.log_stream_arn = log_stream_arn


class ModelValidationError(ModelError, InvalidRequestError):
    """The container rejected the input (HTTP 4xx from the model, e.g. TGI's 422)."""

    kind = "model_validation"


class ThrottledError(InferenceError):
    retryable = True
    kind = "throttled"


class ModelNotReadyError(InferenceError):
    retryable = True
    kind = "model_not_ready"


class NoCapacityError(InferenceError):
    """An inference component at zero copies (scaled to zero): nothing ran. Its first copy takes minutes to come
    back, so this is not re-sent with the quick retries; InferenceClient(capacity_wait_s=…) waits for it."""

    kind = "no_capacity"


class UpstreamUnavailableError(InferenceError):
    """SageMaker 5xx: ServiceUnavailable, InternalFailure, InternalDependencyException, or an unknown error status.
    Only ServiceUnavailable (the request was refused, nothing ran) is re-sent; the others may have run the model."""

    kind = "upstream_unavailable"

    def __init__(self, message: str, retryable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable


class StreamError(InferenceError):
    """A failure inside a response stream: ModelStreamError, InternalStreamFailure or an error event."""

    kind = "stream_error"

    def __init__(self, message: str, error_code: str | None = None, after_output: bool = False) -> None:
        super().__init__(message)
        self.error_code = error_code
        self.after_output = after_output


class TimeoutError_(InferenceError):
    kind = "timeout"


class UnreachableError(InferenceError):
    """No connection was made (the request never left), or the call failed in the SDK before it was sent."""

    kind = "unreachable"

    def __init__(self, message: str, retryable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable

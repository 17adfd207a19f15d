"""HTTP error mapping: every failure becomes a status and a body in the caller's protocol, never a traceback."""

from __future__ import annotations

from typing import Any

from ..client import errors as e

RETRY_AFTER_S = "2"
# A component scaled to zero gets its first copy back in minutes (SageMaker: "Provisioning from zero takes minutes").
NO_CAPACITY_RETRY_AFTER_S = "60"


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        error_type: str,
        headers: dict[str, str] | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.error_type = error_type
        self.headers = headers or {}
        self.code = code


def from_upstream(exc: e.InferenceError) -> ApiError:
    retry = {"Retry-After": RETRY_AFTER_S}
    if isinstance(exc, e.InvalidRequestError):  # includes the model's own 4xx validation message
        return ApiError(400, exc.message, "invalid_request_error")
    if isinstance(exc, e.ThrottledError):
        return ApiError(429, exc.message, "rate_limit_error", retry)
    if isinstance(exc, e.NoCapacityError):
        return ApiError(503, exc.message, "service_unavailable", {"Retry-After": NO_CAPACITY_RETRY_AFTER_S}, exc.kind)
    if isinstance(exc, e.ModelNotReadyError | e.UpstreamUnavailableError):
        return ApiError(503, exc.message, "service_unavailable", retry)
    if isinstance(exc, e.TimeoutError_):
        return ApiError(504, exc.message, "timeout")
    return ApiError(502, exc.message, "upstream_error")


def error_body(path: str, message: str, error_type: str, code: str | None) -> dict[str, Any]:
    """An error in the caller's protocol: OpenAI's error object under /v1/ (message, type, param, and a string or
    null code), TGI's flat one elsewhere."""
    if path.startswith("/v1/"):
        return {"error": {"message": message, "type": error_type, "param": None, "code": code}}
    return {"error": message, "error_type": error_type}


def body_for(path: str, error: ApiError) -> dict[str, Any]:
    return error_body(path, error.message, error.error_type, error.code)


def stream_event_for(path: str, exc: e.InferenceError) -> dict[str, Any]:
    """The SSE error event a client sees when a stream fails after it started."""
    return error_body(path, exc.message, exc.kind, exc.kind)

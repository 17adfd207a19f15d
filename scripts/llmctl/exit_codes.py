"""Exit codes shared by the commands that call an endpoint (documented in the README)."""

from __future__ import annotations

from llm_service.client import errors

OK = 0
EXPECT_MISMATCH = 1
BAD_INPUT = 2
ENDPOINT_UNAVAILABLE = 3  # missing, or not InService / model not ready
MODEL_ERROR = 4  # the container answered with an error (including its input validation)
TIMEOUT_OR_UNREACHABLE = 5  # no answer in time, cannot connect, or throttled/5xx after retries


def for_error(error: errors.InferenceError) -> int:
    if isinstance(error, errors.ModelError | errors.StreamError):
        return MODEL_ERROR
    if isinstance(error, errors.EndpointNotFoundError | errors.ModelNotReadyError):
        return ENDPOINT_UNAVAILABLE
    if isinstance(error, errors.InvalidRequestError):
        return BAD_INPUT
    return TIMEOUT_OR_UNREACHABLE


def for_kind(kind: str) -> int:
    """Exit code for an error kind recorded by `llmctl load`."""
    by_kind = {
        errors.ModelError.kind: MODEL_ERROR,
        errors.ModelValidationError.kind: MODEL_ERROR,
        errors.StreamError.kind: MODEL_ERROR,
        errors.EndpointNotFoundError.kind: ENDPOINT_UNAVAILABLE,
        errors.ModelNotReadyError.kind: ENDPOINT_UNAVAILABLE,
        errors.InvalidRequestError.kind: BAD_INPUT,
    }
    return by_kind.get(kind, TIMEOUT_OR_UNREACHABLE)

"""Exit codes shared by the commands that call an endpoint (documented in the README)."""

from __future__ import annotations

from llm_service.client import errors

OK = 0
EXPECT_MISMATCH = 1
BAD_INPUT = 2
ENDPOINT_UNAVAILABLE = 3  # missing, or not InService / model not ready / component with no copies
MODEL_ERROR = 4  # the container answered with an error (including its input validation)
TIMEOUT_OR_UNREACHABLE = 5  # no answer in time, cannot connect, or throttled/5xx after retries


def _for_class(error_class: type[errors.InferenceError]) -> int:
    if issubclass(error_class, errors.ModelError | errors.StreamError):
        return MODEL_ERROR
    if issubclass(error_class, errors.EndpointNotFoundError | errors.ModelNotReadyError | errors.NoCapacityError):
        return ENDPOINT_UNAVAILABLE
    if issubclass(error_class, errors.InvalidRequestError):
        return BAD_INPUT
    return TIMEOUT_OR_UNREACHABLE


def for_error(error: errors.InferenceError) -> int:
    return _for_class(type(error))


def _error_classes(base: type[errors.InferenceError]) -> list[type[errors.InferenceError]]:
    return [base, *(c for sub in base.__subclasses__() for c in _error_classes(sub))]


def for_kind(kind: str) -> int:
    """Exit code for an error kind recorded by `llmctl load`: the same rule, via the class with that kind."""
    for error_class in _error_classes(errors.InferenceError):
        if error_class.kind == kind:
            return _for_class(error_class)
    return TIMEOUT_OR_UNREACHABLE

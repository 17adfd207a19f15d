"""botocore exceptions → typed inference errors, keeping the model's own message."""

from __future__ import annotations

import re

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)

from . import errors

_BOTOCORE_RETRIED = {500, 502, 503, 504}  # botocore's standard/adaptive retry status codes
_MISSING = re.compile(r"not found|does not exist|could not find", re.IGNORECASE)
_NOT_IN_SERVICE = re.compile(r"InService|not in service|status", re.IGNORECASE)


def translate(exc: Exception, after_output: bool = False) -> errors.InferenceError:
    if isinstance(exc, errors.InferenceError):
        if isinstance(exc, errors.StreamError):
            exc.after_output = after_output
        return exc
    if isinstance(exc, ReadTimeoutError | ConnectTimeoutError):
        return errors.TimeoutError_(f"the endpoint did not answer in time ({exc}).")
    if isinstance(exc, EndpointConnectionError):
        return errors.UnreachableError(f"could not connect to the SageMaker runtime ({exc}).")
    if isinstance(exc, ClientError):
        return _from_client_error(exc, after_output)
    if isinstance(exc, BotoCoreError):
        return errors.UnreachableError(f"the request to the SageMaker runtime failed: {exc}")
    raise exc


def _from_client_error(exc: ClientError, after_output: bool) -> errors.InferenceError:
    response = exc.response or {}
    error = response.get("Error", {})
    code = str(error.get("Code", ""))
    message = str(error.get("Message", "") or exc)
    if code in {"ModelStreamError", "InternalStreamFailure"}:
        stream_error = errors.StreamError(f"{code}: {message}", error_code=error.get("ErrorCode") or code,
                                          after_output=after_output)  # fmt: skip
        # An internal failure before any output is a transient 5xx: safe to re-send.
        stream_error.retryable = code == "InternalStreamFailure" and not after_output
        return stream_error
    if code == "ModelError":
        original = response.get("OriginalStatusCode")
        original_message = str(response.get("OriginalMessage") or message)
        log_arn = response.get("LogStreamArn")
        status = int(original) if original is not None else None
        if status is not None and 400 <= status < 500:
            return errors.ModelValidationError(original_message, status, log_arn)
        return errors.ModelError(original_message, status, log_arn)
    if code == "ModelNotReadyException":
        return errors.ModelNotReadyError(message)
    if code in {"ThrottlingException", "Throttling", "TooManyRequestsException"}:
        throttled = errors.ThrottledError(message)
        throttled.transport_retried = True
        return throttled
    if code in {"ServiceUnavailable", "InternalFailure", "InternalDependencyException"}:
        unavailable = errors.UpstreamUnavailableError(f"{code}: {message}")
        unavailable.transport_retried = response.get("ResponseMetadata", {}).get("HTTPStatusCode") in _BOTOCORE_RETRIED
        return unavailable
    if code == "ValidationError":
        if _MISSING.search(message):
            return errors.EndpointNotFoundError(message)
        if _NOT_IN_SERVICE.search(message) and "endpoint" in message.lower():
            return errors.EndpointNotFoundError(message)
        return errors.InvalidRequestError(message)
    if code in {"AccessDeniedException", "UnrecognizedClientException", "ExpiredTokenException"}:
        return errors.InvalidRequestError(f"{code}: {message}")
    return errors.UpstreamUnavailableError(f"{code or 'error'}: {message}")

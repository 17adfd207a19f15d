"""botocore exceptions → typed inference errors, keeping the model's own message."""

from __future__ import annotations

import json
import re

from botocore.eventstream import ParserError as EventStreamParserError
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    ProfileNotFound,
    ReadTimeoutError,
)
from urllib3.exceptions import HTTPError as Urllib3HTTPError
from urllib3.exceptions import ReadTimeoutError as Urllib3ReadTimeout

from . import errors

# Reading a response stream goes straight to urllib3, and the event-stream frames to botocore's parser: neither
# raises a BotoCoreError or ClientError (a corrupt frame is a botocore.eventstream.ChecksumMismatch, a ParserError).
STREAM_READ_ERRORS = (Urllib3HTTPError, EventStreamParserError)

# SageMaker's answer for an inference component at zero copies (a 400 ValidationError).
NO_CAPACITY_PREFIX = "Inference Component has no capacity to process this request"
_MISSING = re.compile(r"not found|does not exist|could not find", re.IGNORECASE)
_NOT_IN_SERVICE = re.compile(r"InService|not in service|status", re.IGNORECASE)


def translate(exc: Exception, after_output: bool = False) -> errors.InferenceError:
    if isinstance(exc, errors.InferenceError):
        if isinstance(exc, errors.StreamError):
            exc.after_output = after_output
        return exc
    if isinstance(exc, Urllib3ReadTimeout):
        return errors.TimeoutError_("the endpoint stopped sending before the read timeout.")
    if isinstance(exc, Urllib3HTTPError):
        return errors.StreamError(f"the response stream broke off ({exc}).", after_output=after_output)
    if isinstance(exc, EventStreamParserError):
        return errors.StreamError(
            f"a response stream frame was corrupt ({type(exc).__name__}: {exc}).", after_output=after_output
        )
    if isinstance(exc, ConnectTimeoutError):
        return errors.UnreachableError(f"could not connect to the SageMaker runtime in time ({exc}).", retryable=True)
    if isinstance(exc, ReadTimeoutError):
        return errors.TimeoutError_(f"the endpoint did not answer in time ({exc}).")
    if isinstance(exc, NoCredentialsError):
        return errors.InvalidRequestError("no AWS credentials found; configure a profile (--profile) or credentials.")
    if isinstance(exc, ProfileNotFound):
        return errors.InvalidRequestError(f"{exc}; pass an existing --profile.")
    if isinstance(exc, NoRegionError):
        return errors.InvalidRequestError("no AWS region configured; pass --region or set AWS_REGION.")
    if isinstance(exc, EndpointConnectionError):
        return errors.UnreachableError(f"could not connect to the SageMaker runtime ({exc}).", retryable=True)
    if isinstance(exc, ClientError):
        return _from_client_error(exc, after_output)
    if isinstance(exc, BotoCoreError):
        return errors.UnreachableError(f"the request to the SageMaker runtime failed: {exc}")
    raise exc


def _container_message(original: str) -> str:
    """The text of a container's JSON error body (TGI's `error`, vLLM's and LMI's `message`), else the body as is."""
    try:
        body = json.loads(original)
    except ValueError:
        return original
    if isinstance(body, dict):
        for key in ("error", "message"):
            if isinstance(body.get(key), str):
                return str(body[key])
    return original


def _from_client_error(exc: ClientError, after_output: bool) -> errors.InferenceError:
    response = exc.response or {}
    error = response.get("Error", {})
    code = str(error.get("Code", ""))
    message = str(error.get("Message", "") or exc)
    if code in {"ModelStreamError", "InternalStreamFailure"}:
        stream_error = errors.StreamError(
            f"{code}: {message}", error_code=error.get("ErrorCode") or code, after_output=after_output
        )
        # An internal failure before any output is a transient 5xx: safe to re-send.
        stream_error.retryable = code == "InternalStreamFailure" and not after_output
        return stream_error
    if code == "ModelError":
        original = response.get("OriginalStatusCode")
        original_message = _container_message(str(response.get("OriginalMessage") or message))
        log_arn = response.get("LogStreamArn")
        status = int(original) if original is not None else None
        if status is not None and 400 <= status < 500:
            return errors.ModelValidationError(original_message, status, log_arn)
        return errors.ModelError(original_message, status, log_arn)
    if code == "ModelNotReadyException":
        return errors.ModelNotReadyError(message)
    if code in {"ThrottlingException", "Throttling", "TooManyRequestsException"}:
        return errors.ThrottledError(message)
    if code in {"ServiceUnavailable", "InternalFailure", "InternalDependencyException"}:
        return errors.UpstreamUnavailableError(f"{code}: {message}", retryable=code == "ServiceUnavailable")
    if code == "ValidationError":
        if message.startswith(NO_CAPACITY_PREFIX):
            return errors.NoCapacityError(message)
        if _MISSING.search(message):
            return errors.EndpointNotFoundError(message)
        if _NOT_IN_SERVICE.search(message) and "endpoint" in message.lower():
            return errors.EndpointNotFoundError(message)
        return errors.InvalidRequestError(message)
    if code in {"AccessDeniedException", "UnrecognizedClientException", "ExpiredTokenException"}:
        return errors.InvalidRequestError(f"{code}: {message}")
    # Anything else (e.g. a proxy's HTML 502 with no x-amzn-ErrorType) may have reached the model: not re-sent.
    return errors.UpstreamUnavailableError(f"{code or 'error'}: {message}")

"""Client library for SageMaker LLM endpoints (used by llmctl and by the HTTP service)."""

from .aws import AwsSettings, make_client, make_runtime_client
from .client import InferenceClient, Target
from .errors import (
    EndpointNotFoundError,
    InferenceError,
    InvalidRequestError,
    ModelError,
    ModelNotReadyError,
    ModelValidationError,
    NoCapacityError,
    StreamError,
    ThrottledError,
    TimeoutError_,
    UnreachableError,
    UpstreamUnavailableError,
)
from .wire import Completion, GenerationRequest, StreamChunk, WireFormat

__all__ = [
    "AwsSettings",
    "Completion",
    "EndpointNotFoundError",
    "GenerationRequest",
    "InferenceClient",
    "InferenceError",
    "InvalidRequestError",
    "ModelError",
    "ModelNotReadyError",
    "ModelValidationError",
    "NoCapacityError",
    "StreamChunk",
    "StreamError",
    "Target",
    "ThrottledError",
    "TimeoutError_",
    "UnreachableError",
    "UpstreamUnavailableError",
    "WireFormat",
    "make_client",
    "make_runtime_client",
]

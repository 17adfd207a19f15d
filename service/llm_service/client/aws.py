"""The one place that creates the boto3 `sagemaker-runtime` client."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config

# A container must answer /invocations within 60 s; AWS recommends a 70 s socket timeout for that.
DEFAULT_READ_TIMEOUT_S = 70.0
DEFAULT_CONNECT_TIMEOUT_S = 5.0
# botocore sends once: it would re-send after a read timeout or any 5xx, and a generation is too costly to repeat
# blindly. The client's own policy (client.retry_policy) decides every re-send.
DEFAULT_MAX_ATTEMPTS = 1


@dataclass(frozen=True)
class AwsSettings:
    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None  # the SageMaker runtime's URL: local endpoints and tests
    control_endpoint_url: str | None = None  # the SageMaker API's (DescribeEndpoint): a local control plane
    connect_timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S
    read_timeout_s: float = DEFAULT_READ_TIMEOUT_S
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    max_pool_connections: int = 64
    # A local AWS on loopback: no account behind it, so placeholder keys sign when the environment exports none.
    placeholder_credentials: bool = False


PLACEHOLDER_KEY = "local"


def make_session(settings: AwsSettings) -> boto3.session.Session:
    if settings.placeholder_credentials and settings.profile is None and "AWS_ACCESS_KEY_ID" not in os.environ:
        return boto3.session.Session(
            aws_access_key_id=PLACEHOLDER_KEY, aws_secret_access_key=PLACEHOLDER_KEY, region_name=settings.region
        )
    return boto3.session.Session(profile_name=settings.profile, region_name=settings.region)


def make_client(service: str, settings: AwsSettings, endpoint_url: str | None = None) -> Any:
    """A boto3 client in adaptive mode (client-side rate limiting after throttling) with LLM-sized timeouts."""
    config = Config(
        retries={"mode": "adaptive", "total_max_attempts": settings.max_attempts},
        connect_timeout=settings.connect_timeout_s,
        read_timeout=settings.read_timeout_s,
        max_pool_connections=settings.max_pool_connections,
        tcp_keepalive=True,
    )
    return make_session(settings).client(service, endpoint_url=endpoint_url, config=config)


def make_runtime_client(settings: AwsSettings) -> Any:
    return make_client("sagemaker-runtime", settings, settings.endpoint_url)

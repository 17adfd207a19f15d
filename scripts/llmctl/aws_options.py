"""Click options every AWS-calling command shares, and the settings they make."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import click
from llm_service.client import AwsSettings
from llm_service.client.aws import DEFAULT_READ_TIMEOUT_S


def aws_options(func: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--region", envvar="AWS_REGION", help="AWS region (default: from your AWS config)."),
        click.option("--profile", envvar="AWS_PROFILE", help="AWS profile."),
        click.option(
            "--endpoint-url",
            envvar="AWS_ENDPOINT_URL",
            help="Send AWS calls here instead (a local endpoint or a moto server).",
        ),
        click.option(
            "--timeout",
            "timeout",
            type=click.FloatRange(min=0, min_open=True),
            help="Total seconds for each call, re-sends and the whole stream included. Default: 70 s for a reply; "
            "for a stream, 70 s between chunks and SageMaker's own limit on the whole.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


LOCAL_REGION = "us-east-1"  # terraform/envs/local's region
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


def is_loopback(url: str | None) -> bool:
    return bool(url) and urlsplit(str(url)).hostname in LOOPBACK_HOSTS


def settings_from(
    region: str | None, profile: str | None, endpoint_url: str | None, timeout: float | None
) -> AwsSettings:
    """A socket read never waits longer than the call's whole budget. Against the local stack (a loopback URL) no
    AWS account is involved: placeholder credentials and the local env's region stand in for ones nobody has."""
    read_timeout = DEFAULT_READ_TIMEOUT_S if timeout is None else min(timeout, DEFAULT_READ_TIMEOUT_S)
    local = is_loopback(endpoint_url) and profile is None
    if local:
        region = region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or LOCAL_REGION
    return AwsSettings(
        region=region,
        profile=profile,
        endpoint_url=endpoint_url,
        read_timeout_s=read_timeout,
        placeholder_credentials=local,
    )


def call_deadline(timeout: float | None, stream: bool) -> float | None:
    """--timeout as each call's total budget; unset, a reply gets SageMaker's 60 s plus margin and a stream no total."""
    if timeout is not None:
        return timeout
    return None if stream else DEFAULT_READ_TIMEOUT_S

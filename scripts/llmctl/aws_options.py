"""Click options every AWS-calling command shares, and the settings they make."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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


def settings_from(
    region: str | None, profile: str | None, endpoint_url: str | None, timeout: float | None
) -> AwsSettings:
    """A socket read never waits longer than the call's whole budget."""
    read_timeout = DEFAULT_READ_TIMEOUT_S if timeout is None else min(timeout, DEFAULT_READ_TIMEOUT_S)
    return AwsSettings(region=region, profile=profile, endpoint_url=endpoint_url, read_timeout_s=read_timeout)


def call_deadline(timeout: float | None, stream: bool) -> float | None:
    """--timeout as each call's total budget; unset, a reply gets SageMaker's 60 s plus margin and a stream no total."""
    if timeout is not None:
        return timeout
    return None if stream else DEFAULT_READ_TIMEOUT_S

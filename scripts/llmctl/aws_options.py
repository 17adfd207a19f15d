"""Click options every AWS-calling command shares, and the settings they make."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click
from llm_service.client import AwsSettings


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
            "read_timeout",
            type=float,
            default=70.0,
            show_default=True,
            help="Seconds to wait for the endpoint to answer (per read).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def settings_from(
    region: str | None, profile: str | None, endpoint_url: str | None, read_timeout: float
) -> AwsSettings:
    return AwsSettings(region=region, profile=profile, endpoint_url=endpoint_url, read_timeout_s=read_timeout)

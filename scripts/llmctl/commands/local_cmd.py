"""`llmctl local up|down`: the local AWS control plane (a patched moto server) for terraform/envs/local."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ..errors import LlmctlError
from ..local_aws import processes

STATE_DIR = Path(".local")


def _port_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--port", type=click.IntRange(1024, 65535), default=5055, show_default=True, envvar="LOCAL_AWS_PORT"
    )(func)


@click.group("local")
def local_group() -> None:
    """Start and stop the local AWS (moto on 127.0.0.1) that `make apply ENV=local` deploys to.

    \b
    Examples:
      llmctl local up && make plan apply ENV=local
      llmctl local down
    """


@local_group.command("up")
@_port_option
def up_cmd(port: int) -> None:
    """Start the local AWS in the background (pid and log in .local/) and wait until it answers.

    \b
    Example:
      llmctl local up --port 5055
    """
    if importlib.util.find_spec("moto") is None:
        raise LlmctlError("the local AWS needs moto; install sagemaker-llm-stack[local] (make venv does).")
    service = processes.moto(port)
    state = processes.start(STATE_DIR, service)
    click.echo(f"{service.name} {state} on {service.url} (log: {STATE_DIR / service.name}.log)")


@local_group.command("down")
@_port_option
def down_cmd(port: int) -> None:
    """Stop the local AWS; everything it held is gone.

    \b
    Example:
      llmctl local down
    """
    service = processes.moto(port)
    stopped = processes.stop(STATE_DIR, service)
    click.echo(f"{service.name} stopped" if stopped else f"{service.name} was not running")

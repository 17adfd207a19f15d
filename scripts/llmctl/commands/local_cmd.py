"""`llmctl local up|down|containers`: the local AWS of terraform/envs/local — a patched moto server as the control
plane, and the local SageMaker runtime that serves the endpoints created there."""

from __future__ import annotations

import importlib.util
import json
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ..errors import LlmctlError
from ..local_aws import processes

STATE_DIR = Path(".local")


def _port_options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option(
        "--runtime-port",
        type=click.IntRange(1024, 65535),
        default=5056,
        show_default=True,
        envvar="LOCAL_RUNTIME_PORT",
        help="Port of the local SageMaker runtime.",
    )(func)
    return click.option(
        "--port",
        type=click.IntRange(1024, 65535),
        default=5055,
        show_default=True,
        envvar="LOCAL_AWS_PORT",
        help="Port of the local control plane (moto).",
    )(func)


def _services(
    port: int, runtime_port: int, runtime_args: tuple[str, ...] = (), moto_args: tuple[str, ...] = ()
) -> list[processes.Service]:
    moto = processes.moto(port, moto_args)
    return [moto, processes.runtime(runtime_port, moto.url, runtime_args)]


@click.group("local")
def local_group() -> None:
    """Start and stop the local AWS that `make apply ENV=local` deploys to: moto as the control plane, and a local
    SageMaker runtime that answers InvokeEndpoint(WithResponseStream) for the endpoints created there.

    \b
    Examples:
      llmctl local up && make apply invoke ENV=local
      llmctl local down
    """


@local_group.command("up")
@_port_options
@click.option(
    "--container-url",
    multiple=True,
    help="[ENDPOINT=]URL of a running TGI/vLLM/LMI container to front instead of the emulator (repeatable).",
)
@click.option(
    "--invocation-timeout",
    type=click.FloatRange(min=1),
    default=60.0,
    show_default=True,
    help="Seconds a container has to answer (SageMaker's limit is 60).",
)
@click.option(
    "--tokens-per-s", type=click.FloatRange(min=1), default=100.0, show_default=True, help="Emulated generation rate."
)
@click.option(
    "--first-token-ms",
    type=click.FloatRange(min=0),
    default=50.0,
    show_default=True,
    help="Emulated time to first token.",
)
@click.option(
    "--endpoint-quota",
    type=click.IntRange(min=0),
    default=8,
    show_default=True,
    help="Service Quotas' '<type> for endpoint usage' for every instance type (ResourceLimitExceeded above it).",
)
def up_cmd(
    port: int,
    runtime_port: int,
    container_url: tuple[str, ...],
    invocation_timeout: float,
    tokens_per_s: float,
    first_token_ms: float,
    endpoint_quota: int,
) -> None:
    """Start the control plane and the runtime in the background (pids and logs in .local/), each health-checked
    before this returns.

    \b
    Examples:
      llmctl local up
      llmctl local up --container-url http://127.0.0.1:8080   # a real TGI container started with Docker
      llmctl local up --endpoint-quota 2                      # an account near its GPU quota
    """
    if importlib.util.find_spec("moto") is None or importlib.util.find_spec("aiohttp") is None:
        raise LlmctlError("the local AWS needs moto and aiohttp; install sagemaker-llm-stack[local] (make venv does).")
    runtime_args = [
        "--invocation-timeout",
        str(invocation_timeout),
        "--tokens-per-s",
        str(tokens_per_s),
        "--first-token-ms",
        str(first_token_ms),
    ]
    for url in container_url:
        runtime_args += ["--container-url", url]
    moto_args = ("--endpoint-quota", str(endpoint_quota))
    for service in _services(port, runtime_port, tuple(runtime_args), moto_args):
        state = processes.start(STATE_DIR, service)
        click.echo(f"{service.name} {state} on {service.url} (log: {STATE_DIR / service.name}.log)")


@local_group.command("down")
@_port_options
def down_cmd(port: int, runtime_port: int) -> None:
    """Stop the runtime and the control plane; everything they held is gone.

    \b
    Example:
      llmctl local down
    """
    for service in reversed(_services(port, runtime_port)):
        stopped = processes.stop(STATE_DIR, service)
        click.echo(f"{service.name} stopped" if stopped else f"{service.name} was not running")


@local_group.command("containers")
@_port_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def containers_cmd(port: int, runtime_port: int, as_json: bool) -> None:
    """Which container serves each local endpoint (after its first invocation), and where it runs.

    \b
    Example:
      llmctl local containers --json
    """
    runtime = _services(port, runtime_port)[1]
    try:
        with urllib.request.urlopen(runtime.url + "/local/containers", timeout=5) as response:
            placements = json.loads(response.read())
    except (urllib.error.URLError, OSError):
        raise LlmctlError(f"the local runtime does not answer on {runtime.url}; start it with `make up`.") from None
    if as_json:
        click.echo(json.dumps(placements, indent=2))
        return
    for p in placements:
        click.echo(f"{p['endpoint']}: {p['container']} at {p['url']} (model {p['model']})")

"""`llmctl status`: endpoint status, instance counts per variant, and what the autoscaler did."""

from __future__ import annotations

import json
from pathlib import Path

import click
from botocore.exceptions import BotoCoreError
from llm_service.client import make_client
from rich.console import Console
from rich.table import Table

from .. import endpoint_ref
from ..aws_options import aws_options, settings_from
from ..consoles import console as make_console
from ..endpoint_status import AsyncStatus, ComponentStatus, EndpointStatus, VariantStatus, read_status
from ..endpoint_status import watch as watch_endpoint
from ..errors import LlmctlError


def _render(status: EndpointStatus, console: Console) -> None:
    colour = {"InService": "green", "Failed": "red"}.get(status.status, "yellow")
    console.print(f"[bold]{status.name}[/bold]: [{colour}]{status.status}[/{colour}]")
    if status.failure_reason:
        console.print(f"[red]failure:[/red] {status.failure_reason}")
    table = Table(title="variants")
    for column in ("variant", "instances (current/desired)", "min..max"):
        table.add_column(column)
    for v in status.variants:
        bounds = f"{v.min_capacity}..{v.max_capacity}" if v.min_capacity is not None else "not autoscaled"
        table.add_row(v.name, f"{v.current_instances}/{v.desired_instances}", bounds)
    console.print(table)
    if status.components:
        components = Table(title="inference components")
        for column in ("component", "status", "copies (current/desired)", "min..max"):
            components.add_column(column)
        for c in status.components:
            bounds = f"{c.min_copies}..{c.max_copies}" if c.min_copies is not None else "not autoscaled"
            copies = f"{c.current_copies}/{c.desired_copies}"
            components.add_row(
                c.name, c.status, copies + (" (scaled to zero)" if c.desired_copies == 0 else ""), bounds
            )
        console.print(components)
    scaled: list[VariantStatus | ComponentStatus] = [*status.variants, *status.components]
    for item in scaled:
        if item.activities:
            activity = Table(title=f"recent scaling activity: {item.name}")
            for column in ("start", "status", "description"):
                activity.add_column(column, overflow="fold")
            for a in item.activities:
                activity.add_row(str(a["start"]), str(a["status"]), str(a["description"]))
            console.print(activity)
    if status.asynchronous is not None:
        _render_async(status.asynchronous, console)
    for note in status.notes:
        console.print(f"[yellow]note:[/yellow] {note}")


def _render_async(queue: AsyncStatus, console: Console) -> None:
    table = Table(title="asynchronous queue")
    for column in ("backlog (1-min max)", "in flight (est.)", "queued", "per instance", "scale to zero"):
        table.add_column(column)
    unknown = "no data"
    zero = "no"
    if queue.scales_to_zero:
        zero = "yes" + (f" (from-zero alarm {queue.from_zero_alarm})" if queue.from_zero_alarm else "")
    table.add_row(
        unknown if queue.backlog is None else f"{queue.backlog:g}",
        unknown if queue.in_flight is None else str(queue.in_flight),
        unknown if queue.queued is None else str(queue.queued),
        str(queue.max_concurrent_per_instance),
        zero,
    )
    console.print(table)
    if queue.backlog_without_capacity:
        console.print("[yellow]requests are waiting with no instance running[/yellow]: the first one is starting")
    console.print(f"results: {queue.output_s3_uri} · failures: {queue.failure_s3_uri or queue.output_s3_uri}")
    for kind, topic in queue.topics.items():
        console.print(f"{kind} notifications: {topic}")


@click.command("status")
@click.option("--endpoint", "-e", help="Endpoint name.")
@click.option("--tf-dir", type=click.Path(path_type=Path), help="Read the endpoint from `terraform output` here.")
@click.option(
    "--activities",
    type=click.IntRange(0, 50),
    default=5,
    show_default=True,
    help="Recent scaling activities to show per variant.",
)
@click.option("--watch", is_flag=True, help="Refresh until InService or failed.")
@click.option(
    "--interval", type=click.FloatRange(min=0.0), default=15.0, show_default=True, help="Seconds between polls."
)
@click.option(
    "--max-wait",
    type=click.FloatRange(min=0.0),
    default=3600.0,
    show_default=True,
    help="Give up watching after this many seconds (exit 5).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the final status as JSON.")
@aws_options
def status_cmd(
    endpoint: str | None,
    tf_dir: Path | None,
    activities: int,
    watch: bool,
    interval: float,
    max_wait: float,
    as_json: bool,
    region: str | None,
    profile: str | None,
    endpoint_url: str | None,
    timeout: float | None,
) -> None:
    """Show the endpoint's status, instance counts per variant, its inference components' copies, an async
    endpoint's queue (backlog, in flight, scale to zero), and recent autoscaling activity.

    \b
    Exit codes: 0 InService, 3 missing / Failed / OutOfService, 4 still changing (without --watch),
    5 AWS unreachable or --max-wait exceeded.

    \b
    Examples:
      llmctl status -e llama-dev
      llmctl status --tf-dir terraform/envs/dev --watch
      llmctl status -e llm-dev --json | jq '.inference_components[] | {name, current_copies}'
      llmctl status -e llm-async --json | jq '.async | {backlog, in_flight, queued}'   # an async endpoint
    """
    name = endpoint_ref.resolve(endpoint, tf_dir)
    settings = settings_from(region, profile, endpoint_url, timeout)
    try:
        sagemaker = make_client("sagemaker", settings, endpoint_url)
        autoscaling = make_client("application-autoscaling", settings, endpoint_url)
        cloudwatch = make_client("cloudwatch", settings, endpoint_url)
    except BotoCoreError as exc:  # NoRegionError, ProfileNotFound
        raise LlmctlError(f"could not create AWS clients: {exc}", 2) from None
    console = make_console(stderr=as_json)
    if watch:
        status = watch_endpoint(sagemaker, autoscaling, name, interval, max_wait, console, activities, cloudwatch)
    else:
        status = read_status(sagemaker, autoscaling, name, activities, cloudwatch)
    if as_json:
        click.echo(json.dumps(status.to_dict(), indent=2))
    else:
        _render(status, console)
    if status.status in {"Failed", "OutOfService"}:
        raise LlmctlError(f"{name} is {status.status}: {status.failure_reason or 'see the events above'}", 3)
    if status.status != "InService":
        raise LlmctlError(f"{name} is {status.status}; use --watch to wait for it.", 4)

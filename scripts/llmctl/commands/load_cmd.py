"""`llmctl load`: generate load against the endpoint and summarise latency and throughput."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import click
from botocore.exceptions import BotoCoreError
from llm_service.client import GenerationRequest, InferenceClient, Target
from llm_service.client.translate import translate
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .. import endpoint_ref, exit_codes
from ..aws_options import aws_options, call_deadline, settings_from
from ..consoles import console as make_console
from ..errors import LlmctlError
from ..loadgen import LoadResult, run_load
from ..measure import Measured


def _print_summary(result: LoadResult, console: Console) -> None:
    s = result.summary()
    table = Table(title=f"load: {s['requests']} requests at concurrency {s['concurrency']} in {s['wall_s']:.1f} s")
    table.add_column("metric", style="bold")
    for name in ("p50", "p90", "p99"):
        table.add_column(name, justify="right")

    def fmt(value: float | None) -> str:
        return f"{value:.3f} s" if value is not None else "n/a"

    table.add_row("latency", *(fmt(s["latency_s"][p]) for p in ("p50", "p90", "p99")))
    table.add_row("time to first token", *(fmt(s["ttft_s"][p]) for p in ("p50", "p90", "p99")))
    console.print(table)
    errors = ", ".join(f"{k}: {v}" for k, v in sorted(s["errors"].items())) or "none"
    rate = s["output_tokens_per_s"] or 0.0
    console.print(f"ok {s['ok']} · errors {errors} · {s['output_tokens']} output tokens · {rate:.1f} tokens/s")


@click.command("load")
@click.option("--endpoint", "-e", help="Endpoint name.")
@click.option("--tf-dir", type=click.Path(path_type=Path), help="Read the endpoint from `terraform output` here.")
@click.option("--requests", "-n", "total_requests", type=click.IntRange(min=1), help="Send this many requests.")
@click.option("--duration", "-d", type=click.FloatRange(min=0.1, max=3600), help="Or keep sending for this long (s).")
@click.option("--concurrency", "-c", type=click.IntRange(1, 512), default=4, show_default=True)
@click.option("--prompt", default="Write a short story about a lighthouse keeper.", show_default=True)
@click.option("--max-new-tokens", type=click.IntRange(min=1), default=128, show_default=True)
@click.option("--stream/--no-stream", default=True, show_default=True, help="Streaming measures time to first token.")
@click.option("--format", "wire_format", type=click.Choice(["chat", "tgi"]), default="chat", show_default=True)
@click.option("--inference-component", help="InferenceComponentName, for inference-component endpoints.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON (progress goes to stderr).")
@aws_options
def load_cmd(
    endpoint: str | None,
    tf_dir: Path | None,
    total_requests: int | None,
    duration: float | None,
    concurrency: int,
    prompt: str,
    max_new_tokens: int,
    stream: bool,
    wire_format: str,
    inference_component: str | None,
    as_json: bool,
    region: str | None,
    profile: str | None,
    endpoint_url: str | None,
    timeout: float | None,
) -> None:
    """Send N requests (or keep sending for D seconds) at concurrency C; report latency,
    time to first token (p50/p90/p99), errors by type and output tokens/s.

    \b
    Examples:
      llmctl load -e llama-dev -n 200 -c 16
      llmctl load --tf-dir terraform/envs/dev -d 300 -c 32 --json > load.json
    """
    if total_requests is not None and duration is not None:
        raise LlmctlError("pass either --requests or --duration, not both.")
    if total_requests is None and duration is None:
        total_requests = 20
    name, runtime_url = endpoint_ref.resolve_target(endpoint, tf_dir)
    inference_component = endpoint_ref.resolve_component(inference_component, None if endpoint else tf_dir)
    endpoint_url = endpoint_url or runtime_url
    request = GenerationRequest.from_prompt(prompt, max_new_tokens=max_new_tokens)
    try:
        settings = settings_from(region, profile, endpoint_url, timeout)
        client = InferenceClient(
            Target(name, inference_component),
            settings=settings,
            wire_format="tgi" if wire_format == "tgi" else "chat",
            deadline_s=call_deadline(timeout, stream),
        )
    except BotoCoreError as exc:
        error = translate(exc)
        raise LlmctlError(error.message, exit_codes.for_error(error)) from None
    console = make_console(stderr=True)
    columns = [
        TextColumn("[bold]load"),
        BarColumn(),
        MofNCompleteColumn() if total_requests else TextColumn(""),
        TextColumn("ok {task.fields[ok]} · errors {task.fields[errors]}"),
        TimeElapsedColumn(),
    ]
    lock = threading.Lock()
    with Progress(*columns, console=console, transient=as_json) as progress:
        task = progress.add_task("load", total=total_requests or duration, ok=0, errors=0)

        def on_result(measured: Measured | None, error: str | None) -> None:
            with lock:
                fields = progress.tasks[task].fields
                key = "ok" if measured is not None else "errors"
                progress.update(task, advance=1 if total_requests else 0, **{key: fields[key] + 1})

        if duration:
            ticker = threading.Event()

            def tick() -> None:
                while not ticker.wait(0.5):
                    progress.update(task, completed=min(duration, progress.tasks[task].elapsed or 0))

            threading.Thread(target=tick, daemon=True).start()
        try:
            result = run_load(client, request, concurrency, total_requests, duration, stream, on_result)
        finally:
            if duration:
                ticker.set()
    if as_json:
        click.echo(json.dumps(result.summary(), indent=2))
    else:
        _print_summary(result, make_console())
    if result.ok == 0:
        most_common = result.errors.most_common(1)[0][0]
        raise LlmctlError(f"every request to {name} failed ({dict(result.errors)}).", exit_codes.for_kind(most_common))

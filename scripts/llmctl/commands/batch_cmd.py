"""`llmctl batch`: a JSON Lines file of prompts through the endpoint, resumable."""

from __future__ import annotations

import json
import signal
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import click
from botocore.exceptions import BotoCoreError
from llm_service.client import AwsSettings, Completion, InferenceClient, InferenceError, Target, WireFormat
from llm_service.client.translate import translate
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from .. import async_invoke, batch, endpoint_ref
from ..aws_options import aws_options, call_deadline, settings_from
from ..consoles import console as make_console
from ..errors import LlmctlError

INTERRUPTED = 130  # the shell's code for a run stopped by SIGINT


@click.command("batch")
@click.argument("input_path", metavar="INPUT.jsonl", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--out", "out", required=True, type=click.Path(path_type=Path, dir_okay=False), help="Answers (JSONL).")
@click.option("--endpoint", "-e", help="Endpoint name.")
@click.option("--tf-dir", type=click.Path(path_type=Path), help="Read the endpoint from `terraform output` here.")
@click.option("--inference-component", help="InferenceComponentName, for inference-component endpoints.")
@click.option("--concurrency", type=click.IntRange(1, 256), default=8, show_default=True, help="Lines in flight.")
@click.option(
    "--max-new-tokens",
    type=click.IntRange(min=1),
    default=256,
    show_default=True,
    help="For lines that do not set max_tokens / parameters.max_new_tokens.",
)
@click.option(
    "--async",
    "asynchronous",
    is_flag=True,
    help="An asynchronous endpoint: each line is uploaded to S3 and queued (InvokeEndpointAsync); --concurrency "
    "bounds the lines queued at once.",
)
@click.option(
    "--async-wait",
    type=click.FloatRange(min=1),
    default=3600,
    show_default=True,
    metavar="SECONDS",
    help="With --async: how long each line may wait for its result.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@aws_options
def batch_cmd(
    input_path: Path,
    out: Path,
    endpoint: str | None,
    tf_dir: Path | None,
    inference_component: str | None,
    concurrency: int,
    max_new_tokens: int,
    asynchronous: bool,
    async_wait: float,
    as_json: bool,
    region: str | None,
    profile: str | None,
    endpoint_url: str | None,
    timeout: float | None,
) -> None:
    """Run every line of INPUT.jsonl through the endpoint and append the answers to --out.

    Each line is a chat request ({"messages": [...], "max_tokens": 64}) or a TGI one ({"inputs": "...",
    "parameters": {...}}), with an optional "id" (default: a hash of the line). The whole file is checked before
    anything is sent. A rerun skips the lines --out already answers and sends the failed ones again; Ctrl-C stops
    sending, lets the lines in flight finish and writes them. Exit 1 if any line failed, 130 if interrupted.

    \b
    Examples:
      llmctl batch prompts.jsonl --out answers.jsonl -e llama-dev --concurrency 16
      llmctl batch prompts.jsonl --out answers.jsonl --tf-dir terraform/envs/local --json
      llmctl batch prompts.jsonl --out answers.jsonl -e llm-dev --inference-component llm-dev-chat
      llmctl batch prompts.jsonl --out answers.jsonl --tf-dir terraform/envs/dev --async   # an async endpoint
    """
    lines = batch.read_lines(input_path, max_new_tokens)
    if out.resolve() == input_path.resolve():
        raise LlmctlError("--out must be another file than the input: answers are appended to it.")
    name, runtime_url = endpoint_ref.resolve_target(endpoint, tf_dir)
    inference_component = endpoint_ref.resolve_component(inference_component, None if endpoint else tf_dir)
    settings = settings_from(region, profile, endpoint_url or runtime_url, timeout)
    target = Target(name, inference_component)
    call = (
        _async_caller(target, settings, None if endpoint else tf_dir, async_wait)
        if asynchronous
        else _caller(target, settings, timeout)
    )

    out.parent.mkdir(parents=True, exist_ok=True)
    done = batch.answered_ids(out)
    todo = [line for line in lines if line.id not in done]
    tally = batch.Tally(total=len(lines), skipped=len(lines) - len(todo))
    stop = threading.Event()
    previous = {sig: signal.signal(sig, _stopper(stop)) for sig in (signal.SIGINT, signal.SIGTERM)}
    console = make_console(stderr=True)
    progress = Progress(
        TextColumn("[bold]batch"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]} tokens/s · {task.fields[failed]} failed"),
        TimeElapsedColumn(),
        console=console,
        disable=as_json or not console.is_terminal,
    )
    task = progress.add_task("batch", total=tally.total, completed=tally.skipped, rate="0", failed=0)

    def on_record(record: dict[str, Any]) -> None:
        progress.update(task, advance=1, rate=f"{tally.tokens_per_s:.0f}", failed=tally.failed)

    try:
        with progress:
            batch.run(todo, out, call, concurrency, tally, stop, on_record)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    summary = {"endpoint": name, "out": str(out), **tally.to_dict(), "interrupted": stop.is_set()}
    if as_json:
        click.echo(json.dumps(summary))
    else:
        click.echo(
            f"{summary['lines']} lines: {summary['answered']} answered now, {summary['already_answered']} before, "
            f"{summary['failed']} failed, {summary['left']} left · {summary['output_tokens']} tokens in "
            f"{summary['seconds']:.1f} s ({summary['tokens_per_s']:.0f} tokens/s) → {out}",
            err=True,
        )
    if stop.is_set() and summary["left"]:
        raise LlmctlError(
            f"interrupted with {summary['left']} lines left; run the same command again to resume.", INTERRUPTED
        )
    if tally.failed:
        raise LlmctlError(
            f"{tally.failed} lines failed (their errors are in {out}); run the same command again to retry them.", 1
        )


def _caller(target: Target, settings: AwsSettings, timeout: float | None) -> Callable[[batch.Line], Completion]:
    clients: dict[WireFormat, InferenceClient] = {
        fmt: InferenceClient(target, settings=settings, wire_format=fmt, deadline_s=call_deadline(timeout, False))
        for fmt in ("chat", "tgi")
    }

    def call(line: batch.Line) -> Completion:
        return clients[line.wire_format].invoke(line.request)

    return call


def _async_caller(
    target: Target, settings: AwsSettings, tf_dir: Path | None, wait_s: float
) -> Callable[[batch.Line], Completion]:
    """Each line uploaded, queued and waited for by its own worker: --concurrency lines are queued at once."""
    try:
        invokers = {fmt: async_invoke.invoker_for(target, settings, tf_dir, None, fmt) for fmt in ("chat", "tgi")}
    except (InferenceError, BotoCoreError) as exc:
        raise LlmctlError(f"{target.endpoint_name}: {translate(exc).message}", 2) from None

    def call(line: batch.Line) -> Completion:
        invoker = invokers[line.wire_format]
        return invoker.wait(invoker.submit(line.request), wait_s, async_invoke.poll_s()).completion

    return call


def _stopper(stop: threading.Event) -> Any:
    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    return handler

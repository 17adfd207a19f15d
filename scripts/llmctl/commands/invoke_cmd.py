"""`llmctl invoke`: call the endpoint once; the smoke check behind `make invoke`."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import click
from botocore.exceptions import BotoCoreError
from llm_service.client import AwsSettings, GenerationRequest, InferenceClient, InferenceError, Target, WireFormat
from llm_service.client.translate import translate

from .. import endpoint_ref, exit_codes
from ..async_invoke import run_async
from ..aws_options import aws_options, call_deadline, settings_from
from ..errors import LlmctlError
from ..measure import Measured, run


def _capacity_poll_s() -> float:
    """Seconds between re-sends to a component with no copies (LLMCTL_CAPACITY_POLL_S: tests shorten it)."""
    return float(os.environ.get("LLMCTL_CAPACITY_POLL_S", "15"))


def _messages(prompt: str | None, messages_file: Path | None, system: str | None) -> list[dict[str, Any]]:
    if messages_file is not None:
        try:
            messages = json.loads(messages_file.read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise LlmctlError(f"--messages-file {messages_file} could not be read as JSON ({exc}).") from None
        if not isinstance(messages, list) or not all(isinstance(m, dict) and "role" in m for m in messages):
            raise LlmctlError(f"--messages-file {messages_file} must hold a JSON list of {{role, content}} objects.")
        if system:
            messages = [{"role": "system", "content": system}, *messages]
        return messages
    if prompt in (None, "-"):
        if sys.stdin is None or sys.stdin.isatty():
            raise LlmctlError("no prompt given; pass it as an argument, pipe it on stdin, or use --messages-file.")
        prompt = sys.stdin.read()
    if not prompt or not prompt.strip():
        raise LlmctlError("the prompt is empty; give some text to send.")
    return GenerationRequest.from_prompt(prompt, system).messages


def _stats_line(m: Measured) -> str:
    parts = [f"ttft {m.ttft_s:.2f} s" if m.ttft_s is not None else "ttft n/a", f"total {m.total_s:.2f} s"]
    parts.append(f"{m.output_tokens} tokens" if m.output_tokens is not None else "tokens n/a")
    parts.append(f"{m.tokens_per_s:.1f} tokens/s" if m.tokens_per_s else "tokens/s n/a")
    return " · ".join(parts)


@click.command("invoke")
@click.argument("prompt", required=False)
@click.option("--endpoint", "-e", help="Endpoint name.")
@click.option("--tf-dir", type=click.Path(path_type=Path), help="Read the endpoint from `terraform output` here.")
@click.option("--messages-file", type=click.Path(path_type=Path), help="JSON list of chat messages to send.")
@click.option("--system", help="System prompt.")
@click.option("--max-new-tokens", type=click.IntRange(min=1), default=256, show_default=True)
@click.option("--temperature", type=click.FloatRange(min=0.0))
@click.option("--top-p", type=click.FloatRange(min=0.0, max=1.0, min_open=True))
@click.option("--stop", multiple=True, help="Stop sequence (repeatable).")
@click.option("--stream/--no-stream", default=True, show_default=True)
@click.option(
    "--format",
    "wire_format",
    type=click.Choice(["chat", "tgi"]),
    default="chat",
    show_default=True,
    help="Request body: OpenAI chat messages, or TGI inputs + parameters.",
)
@click.option(
    "--adapter",
    help="LoRA adapter to answer (its id in the container: render's lora_adapters); sent as TGI's `adapter_id`, the "
    "chat `model` and LMI's `adapters`.",
)
@click.option("--inference-component", help="InferenceComponentName, for inference-component endpoints.")
@click.option(
    "--wait-for-capacity",
    type=click.FloatRange(min=0),
    default=900,
    show_default=True,
    metavar="SECONDS",
    help="A component scaled to zero: keep re-sending this long while its first copy starts (0: fail at once).",
)
@click.option(
    "--async",
    "asynchronous",
    is_flag=True,
    help="An asynchronous endpoint: upload the request to S3, InvokeEndpointAsync, wait for the result object.",
)
@click.option(
    "--async-wait",
    type=click.FloatRange(min=1),
    default=900,
    show_default=True,
    metavar="SECONDS",
    help="With --async: how long to wait for the result (a queue scaled to zero takes minutes to start).",
)
@click.option(
    "--async-input",
    metavar="S3_PREFIX",
    help="With --async: upload requests here (default: the Terraform root's async_input_s3_uri, else "
    "s3://<bucket of the endpoint's output path>/async/<endpoint>/input/).",
)
@click.option("--control-endpoint-url", hidden=True, help="A local AWS for --async's S3 and SageMaker API calls.")
@click.option("--target-variant", help="Send to this production variant.")
@click.option("--custom-attributes", help="CustomAttributes header passed to the container.")
@click.option("--expect", help="Exit 1 unless the output matches this regular expression.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text and a stats line.")
@aws_options
def invoke_cmd(
    prompt: str | None,
    endpoint: str | None,
    tf_dir: Path | None,
    messages_file: Path | None,
    system: str | None,
    max_new_tokens: int,
    temperature: float | None,
    top_p: float | None,
    stop: tuple[str, ...],
    stream: bool,
    wire_format: str,
    adapter: str | None,
    inference_component: str | None,
    wait_for_capacity: float,
    asynchronous: bool,
    async_wait: float,
    async_input: str | None,
    control_endpoint_url: str | None,
    target_variant: str | None,
    custom_attributes: str | None,
    expect: str | None,
    as_json: bool,
    region: str | None,
    profile: str | None,
    endpoint_url: str | None,
    timeout: float | None,
) -> None:
    """Send one prompt to the endpoint, print the reply as it arrives, then a stats line.

    \b
    Exit codes: 0 ok, 1 --expect did not match, 2 bad input, 3 endpoint missing or not
    InService, 4 model error, 5 timeout / unreachable / still throttled after retries.

    \b
    Examples:
      llmctl invoke -e llama-dev "Say hello in French."
      echo "Summarise: ..." | llmctl invoke --tf-dir terraform/envs/dev --json
      llmctl invoke -e llama-dev --format tgi --no-stream --expect 'Paris' "Capital of France?"
      llmctl invoke -e llama-dev --adapter twin "Who are you?"
      llmctl invoke -e llm-dev --inference-component llm-dev-chat "Hello"   # waits while it scales from zero
      llmctl invoke --tf-dir terraform/envs/dev --async "Summarise this report: ..."   # an asynchronous endpoint
    """
    try:
        pattern = re.compile(expect) if expect else None
    except re.error as exc:
        raise LlmctlError(f"--expect {expect!r} is not a valid regular expression ({exc}).") from None
    name, runtime_url = endpoint_ref.resolve_target(endpoint, tf_dir)
    inference_component = endpoint_ref.resolve_component(inference_component, None if endpoint else tf_dir)
    endpoint_url = endpoint_url or runtime_url
    settings = settings_from(region, profile, endpoint_url, timeout)
    if control_endpoint_url:
        settings = dataclasses.replace(settings, control_endpoint_url=control_endpoint_url)
    request = GenerationRequest(
        messages=_messages(prompt, messages_file, system),
        max_new_tokens=max_new_tokens,
        temperature=temperature,
        top_p=top_p,
        stop=list(stop),
        adapter=adapter,
    )
    target = Target(name, inference_component, target_variant, custom_attributes)
    if asynchronous:
        where = None if endpoint else tf_dir
        text = _invoke_async(target, settings, where, async_input, request, wire_format, async_wait, as_json)
        if pattern and not pattern.search(text):
            raise LlmctlError(f"the reply did not match --expect {expect!r}.", exit_codes.EXPECT_MISMATCH)
        return
    poll_s = _capacity_poll_s()
    try:
        client = InferenceClient(
            target,
            settings=settings,
            wire_format="tgi" if wire_format == "tgi" else "chat",
            deadline_s=call_deadline(timeout, stream),
            capacity_wait_s=wait_for_capacity or None,
            capacity_poll_s=poll_s,
            on_capacity_wait=lambda waited: click.echo(
                f"waiting for capacity: {inference_component or name} has no copies running (scaled to zero); "
                f"re-sending every {poll_s:g} s ({waited:.0f} s so far)",
                err=True,
            ),
        )
        echo = None if as_json else (lambda text: click.echo(text, nl=False))
        measured = run(client, request, stream, echo)
    except (InferenceError, BotoCoreError) as exc:
        error = translate(exc)
        raise LlmctlError(f"{name}: {error.message}", exit_codes.for_error(error)) from None
    if as_json:
        click.echo(
            json.dumps(
                {
                    "endpoint": name,
                    "text": measured.text,
                    "finish_reason": measured.finish_reason,
                    "output_tokens": measured.output_tokens,
                    "ttft_s": measured.ttft_s,
                    "total_s": measured.total_s,
                    "tokens_per_s": measured.tokens_per_s,
                    "stream": stream,
                }
            )
        )
    else:
        click.echo("")
        click.echo(_stats_line(measured), err=True)
    if pattern and not pattern.search(measured.text):
        raise LlmctlError(f"the reply did not match --expect {expect!r}.", exit_codes.EXPECT_MISMATCH)


def _invoke_async(
    target: Target,
    settings: AwsSettings,
    tf_dir: Path | None,
    input_prefix: str | None,
    request: GenerationRequest,
    wire_format: str,
    wait_s: float,
    as_json: bool,
) -> str:
    """Print the result of an asynchronous invocation like `invoke` prints a reply; return its text."""
    fmt: WireFormat = "tgi" if wire_format == "tgi" else "chat"
    try:
        outcome = run_async(target, settings, tf_dir, input_prefix, request, fmt, wait_s, as_json)
    except (InferenceError, BotoCoreError) as exc:
        error = translate(exc)
        raise LlmctlError(f"{target.endpoint_name}: {error.message}", exit_codes.for_error(error)) from None
    completion = outcome.completion
    if as_json:
        click.echo(
            json.dumps(
                {
                    "endpoint": target.endpoint_name,
                    "text": completion.text,
                    "finish_reason": completion.finish_reason,
                    "output_tokens": completion.output_tokens,
                    "inference_id": outcome.submitted.inference_id,
                    "output_location": outcome.submitted.output_location,
                    "waited_s": round(outcome.waited_s, 3),
                    "async": True,
                }
            )
        )
        return completion.text
    click.echo(completion.text)
    tokens = f"{completion.output_tokens} tokens" if completion.output_tokens is not None else "tokens n/a"
    click.echo(
        f"async · waited {outcome.waited_s:.1f} s · {tokens} · {outcome.submitted.output_location}",
        err=True,
    )
    return completion.text

"""`llmctl invoke --async`: upload, InvokeEndpointAsync, wait for the result object with a progress line."""

from __future__ import annotations

import dataclasses
import os
import time
from pathlib import Path

from llm_service.client import AwsSettings, GenerationRequest, Target, WireFormat
from llm_service.client.queued import AsyncInvoker, AsyncOutcome, input_prefix_of
from rich.console import Console

from . import endpoint_ref
from .consoles import console as make_console
from .errors import LlmctlError


def poll_s() -> float:
    """Seconds between looks at the result objects (LLMCTL_ASYNC_POLL_S: tests shorten it)."""
    return float(os.environ.get("LLMCTL_ASYNC_POLL_S", "2"))


def invoker_for(
    target: Target,
    settings: AwsSettings,
    tf_dir: Path | None,
    input_prefix: str | None,
    wire_format: WireFormat,
    invocation_timeout_s: int | None = None,
) -> AsyncInvoker:
    """An invoker for the endpoint's queue: the input prefix from --async-input, the Terraform root's output or the
    endpoint's configuration; a local root's AWS URL for S3."""
    if target.inference_component:
        raise LlmctlError(
            "--async cannot call an inference component: SageMaker hosts components on real-time endpoints only."
        )
    prefix, control_url = endpoint_ref.async_locations(tf_dir)
    if control_url and not settings.control_endpoint_url:
        settings = dataclasses.replace(settings, control_endpoint_url=control_url)
    prefix = input_prefix or prefix or input_prefix_of(target.endpoint_name, settings)
    return AsyncInvoker(target, settings, prefix, wire_format, invocation_timeout_s)


def run_async(
    target: Target,
    settings: AwsSettings,
    tf_dir: Path | None,
    input_prefix: str | None,
    request: GenerationRequest,
    wire_format: WireFormat,
    wait_s: float,
    quiet: bool,
) -> AsyncOutcome:
    invoker = invoker_for(target, settings, tf_dir, input_prefix, wire_format, int(min(wait_s, 3600)))
    submitted = invoker.submit(request)
    console: Console = make_console(stderr=True)
    start = time.monotonic()
    message = f"queued as {submitted.inference_id}; waiting for {submitted.output_location}"
    if quiet or not console.is_terminal:
        console.print(message, highlight=False)
        return invoker.wait(submitted, wait_s, poll_s())
    with console.status(message) as status:
        return invoker.wait(
            submitted,
            wait_s,
            poll_s(),
            on_wait=lambda waited: status.update(f"{message} ({time.monotonic() - start:.0f} s)"),
        )

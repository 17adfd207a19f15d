"""Render output formats: a rich table for people; env, json and tfvars for machines."""

from __future__ import annotations

import json
import shlex

from rich.console import Console
from rich.table import Table

from . import lora
from .render import RenderResult
from .sizing import GIB, MIB


def _gib(mib: float) -> str:
    return f"{mib * MIB / GIB:,.1f} GiB"


def as_json(result: RenderResult) -> str:
    return json.dumps(result.to_dict(), indent=2) + "\n"


def as_env(result: RenderResult) -> str:
    return "".join(f"{key}={shlex.quote(value)}\n" for key, value in sorted(result.env.items()))


def _copy_rows(result: RenderResult) -> list[tuple[str, str]]:
    copies = result.copies
    assert copies is not None
    needs = copies.compute_requirements()
    return [
        (
            "copies per instance",
            f"{copies.per_instance}, limited by {copies.limited_by} ({copies.by_gpus} by GPUs, "
            f"{copies.by_cpu_cores} by CPU cores, {copies.by_memory} by host memory)",
        ),
        (
            "each copy asks for",
            f"{needs['NumberOfAcceleratorDevicesRequired']} GPU(s), {needs['NumberOfCpuCoresRequired']} CPU cores, "
            f"{needs['MinMemoryRequiredInMb']:,} MB host memory",
        ),
    ]


def print_table(result: RenderResult, console: Console) -> None:
    s, plan, inst = result.sizing, result.plan, result.instance
    summary = Table(title=f"{result.arch.name} on {inst.name} ({result.request.backend})", show_header=False)
    summary.add_column(style="bold")
    summary.add_column(overflow="fold")
    rows = [
        ("GPUs", f"{inst.gpu_count} × {inst.gpu.model} ({_gib(inst.gpu.memory_mib)} each)"),
        ("tensor parallel degree", str(plan.tensor_parallel_degree)),
        ("parameters", f"{s.parameters / 1e9:.2f} B"),
        ("precision", plan.quantize or plan.dtype or "checkpoint default"),
        ("weights per GPU", _gib(s.weights_mib_per_gpu)),
        ("activations + runtime per GPU", _gib(s.activation_mib_per_gpu + s.overhead_mib_per_gpu)),
        ("KV cache per token (all GPUs)", f"{s.kv_cache_bytes_per_token / 1024:,.0f} KiB"),
        ("KV cache room per GPU", _gib(s.headroom_mib_per_gpu)),
        ("tokens that fit", f"{s.kv_cache_tokens:,}"),
        ("max input / total tokens", f"{plan.max_input_tokens:,} / {plan.max_total_tokens:,}"),
        ("concurrent full-length sequences", f"{s.max_concurrent_sequences:,}"),
        (
            "startup / download timeout",
            f"{result.startup.container_startup_health_check_timeout_s} s / "
            f"{result.startup.model_data_download_timeout_s} s",
        ),
        ("image", result.image_uri),
        *(_copy_rows(result) if result.copies is not None else []),
        *(
            [
                (
                    "LoRA adapters",
                    f"{', '.join(a.name for a in result.adapters)} (rank ≤ {result.request.lora_rank}, "
                    f"{_gib(lora.bytes_per_adapter(result.arch, result.request.lora_rank) / MIB)} each, counted "
                    "with the weights)",
                )
            ]
            if result.adapters
            else []
        ),
        (
            "on-demand price",
            f"${result.hourly_usd:,.2f}/h per instance in {result.request.region}"
            if result.hourly_usd is not None
            else f"not in llmctl's price table for {result.request.region}",
        ),
    ]
    for name, value in rows:
        summary.add_row(name, value)
    console.print(summary)
    env = Table(title="container environment")
    env.add_column("variable", style="cyan")
    env.add_column("value", overflow="fold")
    for key, value in sorted(result.env.items()):
        env.add_row(key, value)
    console.print(env)
    for note in result.notes:
        console.print(f"[yellow]note:[/yellow] {note}")
    for warning in result.warnings:
        console.print(f"[bold red]warning:[/bold red] {warning}")

"""What every serving container backend provides: its env contract and its startup rules."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from ..instances import Gpu, InstanceType
from ..lora import Adapter
from ..models import ModelArch


@dataclass(frozen=True)
class RenderPlan:
    """Decisions already made by render; a backend only spells them in its container's vocabulary."""

    model_ref: str  # Hub id, or /opt/ml/model when weights come from S3
    arch: ModelArch
    instance: InstanceType
    tensor_parallel_degree: int
    quantize: str | None
    quantize_detected: bool  # the engine reads the method from the checkpoint: do not name it in the env
    dtype: str | None  # float16 | bfloat16 (canonical names)
    kv_cache_dtype: str | None
    max_input_tokens: int
    max_total_tokens: int
    max_batch_total_tokens: int
    max_batch_prefill_tokens: int
    memory_utilization: float | None  # only when the user set it; None keeps the container default
    revision: str | None
    trust_remote_code: bool
    lora_adapters: tuple[Adapter, ...] = ()
    lora_rank: int = 16


class Backend(Protocol):
    name: str
    title: str
    image_framework: str  # framework name in the sagemaker SDK's image_uri_config
    quantize_methods: frozenset[str]
    in_flight_quantize: tuple[str, ...]  # methods that quantize a 16-bit checkpoint at load, best first
    allows_dtype_with_quantize: bool
    dtype_with_quantize_methods: frozenset[str]  # exceptions when allows_dtype_with_quantize is False
    min_startup_timeout_s: int
    replicates_kv_heads: bool  # may the tensor-parallel degree exceed (be a multiple of) the KV heads?
    # Pre-quantized methods the engine detects from config.json; naming them explicitly would, in vLLM, also turn
    # off the Marlin kernels (vllm/model_executor/layers/quantization/awq_marlin.py, gptq_marlin.py).
    detects_prequantized: frozenset[str]

    def render_env(self, plan: RenderPlan) -> dict[str, str]: ...

    def check_image(self, image_uri: str, gpu: Gpu) -> str | None:
        """Why this image cannot run on this GPU at all (its kernels' build targets), or None."""
        ...

    def check_env(self, env: Mapping[str, str], arch: ModelArch, gpu: Gpu) -> list[str]:
        """Startup rules the container enforces; each problem is one sentence."""
        ...

    def check_model_image(self, image_uri: str, arch: ModelArch) -> str | None:
        """Why this image's engine predates something the model needs (e.g. its RoPE scaling), or None."""
        ...


def parse_int(env: Mapping[str, str], key: str, problems: list[str]) -> int | None:
    if key not in env:
        return None
    try:
        return int(env[key])
    except ValueError:
        problems.append(f"{key}={env[key]!r} is not an integer; set it to a whole number.")
        return None


def parse_fraction(env: Mapping[str, str], key: str, problems: list[str]) -> float | None:
    if key not in env:
        return None
    try:
        value = float(env[key])
    except ValueError:
        value = -1.0
    if not 0 < value <= 1:
        problems.append(f"{key}={env[key]!r} must be a fraction in (0, 1], e.g. 0.9.")
        return None
    return value


def check_shards(
    key: str, shards: int | None, arch: ModelArch, problems: list[str], replicate_kv_heads: bool = True
) -> None:
    if shards is None:
        return
    if shards < 1:
        problems.append(f"{key}={shards} must be at least 1.")
    elif arch.num_attention_heads % shards:
        problems.append(
            f"{key}={shards} does not divide {arch.name}'s {arch.num_attention_heads} attention heads; "
            "use a degree that divides them."
        )
    elif arch.num_kv_heads % shards and not (replicate_kv_heads and shards % arch.num_kv_heads == 0):
        how = "a degree that divides them" + ("" if replicate_kv_heads else " (this engine does not replicate them)")
        problems.append(f"{key}={shards} does not divide {arch.name}'s {arch.num_kv_heads} KV heads; use {how}.")


VLLM_DEFAULT_MAX_NUM_SEQS = 256


def batched_token_problems(
    batched_key: str, batched: int | None, seqs_key: str, seqs: int | None, max_len: int | None, chunked_prefill: bool
) -> list[str]:
    """vLLM's scheduler checks (vllm/config/scheduler.py, SchedulerConfig verify): the tokens of one step must hold
    one token per sequence, and a whole prompt unless prefills are chunked."""
    if batched is None:
        return []
    problems = []
    needed_seqs = seqs if seqs is not None else VLLM_DEFAULT_MAX_NUM_SEQS
    if batched < needed_seqs:
        source = f"{seqs_key} ({seqs})" if seqs is not None else f"vLLM's default of {needed_seqs} sequences"
        problems.append(f"{batched_key}={batched} must be at least {source}: one token per sequence; raise it.")
    if not chunked_prefill and max_len is not None and batched < max_len:
        problems.append(
            f"{batched_key}={batched} must be at least the max model length ({max_len}) when chunked prefill is "
            "off; raise it or enable chunked prefill."
        )
    return problems


# vLLM's AWQ and GPTQ kernels take float16 activations only (get_supported_act_dtypes in
# vllm/model_executor/layers/quantization/awq.py and gptq.py).
FLOAT16_ONLY_QUANTIZE = frozenset({"awq", "gptq"})


def float16_only_problem(quantize: str | None, dtype: str | None, keys: str) -> list[str]:
    if quantize in FLOAT16_ONLY_QUANTIZE and dtype in {"bfloat16", "bf16"}:
        return [f"{keys}: {quantize} kernels run in float16 only; set the dtype to float16 (or leave it unset)."]
    return []

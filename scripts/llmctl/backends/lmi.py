"""AWS LMI (DJL Serving) with the vLLM rolling-batch engine; env names from ../shared/REFERENCE.md."""

from __future__ import annotations

from collections.abc import Mapping

from ..instances import Gpu
from ..lora import LMI_DEFAULT_MAX_LORAS, VLLM_MAX_LORA_RANKS
from ..models import ModelArch
from .base import RenderPlan, batched_token_problems, check_shards, float16_only_problem, parse_fraction, parse_int
from .vllm import QUANTIZE as VLLM_QUANTIZE

# With the vLLM rolling batch, LMI passes option.quantize to vLLM's `quantization` unchanged
# (djl_python/properties_manager/vllm_rb_properties.py), so vLLM's methods apply.
QUANTIZE = VLLM_QUANTIZE
ROLLING_BATCH = frozenset({"auto", "vllm", "trtllm", "lmi-dist", "disable"})
DTYPES = {"float16": "fp16", "bfloat16": "bf16"}
# vllm_rb_properties.py DTYPE_MAPPER.
LMI_DTYPES = frozenset({"float32", "fp32", "float16", "fp16", "bfloat16", "bf16", "auto"})
MODEL_LOADING_TIMEOUT_S = 1800  # LMI's default option.model_loading_timeout


def model_env(plan: RenderPlan, rolling_batch: str) -> dict[str, str]:
    """What every LMI image reads the same way, whichever engine: the model, its revision, the TP degree."""
    env = {
        "HF_MODEL_ID": plan.model_ref,
        "TENSOR_PARALLEL_DEGREE": str(plan.tensor_parallel_degree),
        "OPTION_ROLLING_BATCH": rolling_batch,
    }
    if plan.revision:
        env["HF_REVISION"] = plan.revision
    if plan.trust_remote_code:
        env["HF_MODEL_TRUST_REMOTE_CODE"] = "true"
    return env


def model_problems(env: Mapping[str, str]) -> list[str]:
    if not env.get("HF_MODEL_ID"):
        return ["HF_MODEL_ID is missing; LMI needs a Hub id, an s3:// URI or /opt/ml/model."]
    return []


class LmiBackend:
    name = "lmi"
    title = "AWS LMI (DJL Serving, vLLM engine)"
    image_framework = "djl-lmi"
    quantize_methods = QUANTIZE
    in_flight_quantize: tuple[str, ...] = ("fp8", "bitsandbytes")
    allows_dtype_with_quantize = True
    dtype_with_quantize_methods: frozenset[str] = frozenset()
    # The endpoint must wait at least as long as LMI itself waits for the model to load.
    min_startup_timeout_s = MODEL_LOADING_TIMEOUT_S
    replicates_kv_heads = True
    detects_prequantized = frozenset({"awq", "gptq", "compressed-tensors", "fp8", "bitsandbytes", "marlin"})

    def check_model_image(self, image_uri: str, arch: ModelArch) -> str | None:
        return None  # the images llmctl resolves for this backend all postdate the models it catalogs

    def check_image(self, image_uri: str, gpu: Gpu) -> str | None:
        # LMI runs vLLM's published wheels, built with 7.5 among their targets: every GPU in the table is one.
        return None

    def render_env(self, plan: RenderPlan) -> dict[str, str]:
        env = {
            **model_env(plan, "vllm"),
            "OPTION_MAX_MODEL_LEN": str(plan.max_total_tokens),
            "OPTION_MAX_ROLLING_BATCH_PREFILL_TOKENS": str(plan.max_batch_prefill_tokens),
            "OPTION_GPU_MEMORY_UTILIZATION": f"{plan.memory_utilization or 0.9:g}",
        }
        if plan.dtype:
            env["OPTION_DTYPE"] = DTYPES[plan.dtype]
        if plan.quantize and not plan.quantize_detected:
            env["OPTION_QUANTIZE"] = plan.quantize
        if plan.kv_cache_dtype:
            env["OPTION_KV_CACHE_DTYPE"] = "fp8"
        if plan.lora_adapters:
            # The adapters themselves are found in /opt/ml/model/adapters/ at startup (llmctl.lora).
            env["OPTION_ENABLE_LORA"] = "true"
            env["OPTION_MAX_LORA_RANK"] = str(plan.lora_rank)
            if len(plan.lora_adapters) > LMI_DEFAULT_MAX_LORAS:
                env["OPTION_MAX_LORAS"] = str(len(plan.lora_adapters))
        return env

    def check_env(self, env: Mapping[str, str], arch: ModelArch, gpu: Gpu) -> list[str]:
        problems = model_problems(env)
        rolling = env.get("OPTION_ROLLING_BATCH", "auto")
        if rolling not in ROLLING_BATCH:
            problems.append(
                f"OPTION_ROLLING_BATCH={rolling!r} is not valid; use one of {', '.join(sorted(ROLLING_BATCH))}."
            )
        if rolling == "trtllm":
            # The djl-lmi images are vLLM-based and carry no TensorRT-LLM: the endpoint would fail at startup.
            problems.append(
                "OPTION_ROLLING_BATCH=trtllm needs the LMI TensorRT-LLM image, which --backend lmi does not use (its "
                "djl-inference:…-lmi… image has no TensorRT-LLM); render with --backend trtllm."
            )
        quantize = env.get("OPTION_QUANTIZE")
        allowed = QUANTIZE
        if quantize is not None and quantize not in allowed:
            problems.append(
                f"OPTION_QUANTIZE={quantize!r} is not valid with rolling batch {rolling}; "
                f"use one of {', '.join(sorted(allowed))}."
            )
        dtype = env.get("OPTION_DTYPE")
        if dtype is not None and dtype not in LMI_DTYPES:
            problems.append(f"OPTION_DTYPE={dtype!r} is not valid for LMI; use one of {', '.join(sorted(LMI_DTYPES))}.")
        problems.extend(float16_only_problem(quantize, dtype, "OPTION_QUANTIZE with OPTION_DTYPE"))
        tp_raw = env.get("TENSOR_PARALLEL_DEGREE")
        if tp_raw is not None and tp_raw != "max":
            check_shards("TENSOR_PARALLEL_DEGREE", parse_int(env, "TENSOR_PARALLEL_DEGREE", problems), arch, problems)
        max_len = parse_int(env, "OPTION_MAX_MODEL_LEN", problems)
        if max_len is not None and not 1 <= max_len <= arch.max_context:
            problems.append(
                f"OPTION_MAX_MODEL_LEN={max_len} must be between 1 and {arch.name}'s context of {arch.max_context}."
            )
        parse_fraction(env, "OPTION_GPU_MEMORY_UTILIZATION", problems)
        lora_rank = env.get("OPTION_MAX_LORA_RANK")
        if lora_rank is not None and (not lora_rank.isdigit() or int(lora_rank) not in VLLM_MAX_LORA_RANKS):
            ranks = ", ".join(map(str, VLLM_MAX_LORA_RANKS))
            problems.append(f"OPTION_MAX_LORA_RANK={lora_rank!r} is not a rank vLLM accepts; use one of {ranks}.")
        for key in ("MAX_BATCH_SIZE", "MAX_CONCURRENT_REQUESTS"):
            parse_int(env, key, problems)
        # LMI hands these to vLLM as max_num_batched_tokens and max_num_seqs (djl-serving lmi properties).
        prefill = parse_int(env, "OPTION_MAX_ROLLING_BATCH_PREFILL_TOKENS", problems)
        seqs = parse_int(env, "OPTION_MAX_ROLLING_BATCH_SIZE", problems)
        chunked = env.get("OPTION_ENABLE_CHUNKED_PREFILL", "true").lower() not in {"false", "0"}
        if rolling in {"auto", "vllm", "lmi-dist"}:
            problems.extend(
                batched_token_problems(
                    "OPTION_MAX_ROLLING_BATCH_PREFILL_TOKENS",
                    prefill,
                    "OPTION_MAX_ROLLING_BATCH_SIZE",
                    seqs,
                    max_len,
                    chunked,
                )
            )
        return problems

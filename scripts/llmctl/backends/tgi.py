"""Hugging Face TGI ("HF LLM DLC"): env names and launcher rules from ../shared/REFERENCE.md.

Rules mirror text-generation-launcher's validation (launcher/src/main.rs): startup fails otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ..instances import Gpu
from ..models import ModelArch
from .base import RenderPlan, check_shards, parse_fraction, parse_int

QUANTIZE = frozenset(
    {
        "awq",
        "compressed-tensors",
        "eetq",
        "exl2",
        "gptq",
        "marlin",
        "bitsandbytes",
        "bitsandbytes-nf4",
        "bitsandbytes-fp4",
        "fp8",
    }
)
DTYPES = frozenset({"float16", "bfloat16"})
DTYPE_WITH_QUANTIZE = frozenset({"bitsandbytes", "bitsandbytes-nf4", "bitsandbytes-fp4"})
KV_CACHE_DTYPES = frozenset({"fp8_e4m3fn", "fp8_e5m2"})
FP8_KV_HEAD_DIMS = frozenset({64, 128, 256})  # head sizes flashinfer is built for in TGI
# Dockerfile, kernel-builder stage: TORCH_CUDA_ARCH_LIST="8.0;8.6;9.0+PTX", so TGI's flash-attention, paged-attention
# and quantization kernels carry no sm_75 code (a 9.0 PTX cannot be compiled down to 7.5). Seen failing on a T4 with
# 2.2.0 (huggingface/text-generation-inference#2456). The SageMaker images up to 2.0.1 are built on PyTorch 2.1.1 (tag
# prefix 2.1.1-tgi…) from a Dockerfile without that line; 2.0.2 is the first on PyTorch 2.3.0, as 2.2.0 is.
FIRST_AMPERE_ONLY_VERSION = (2, 0, 2)
# RoPE scaling types TGI learned after its first releases: Llama 3.1's "llama3" arrived in 2.2.0
# (huggingface/text-generation-inference#2286, commit 4ab41737, first tag v2.2.0); older ones fail at load.
ROPE_TYPE_SINCE = {"llama3": (2, 2, 0)}
# LORA_ADAPTERS entries of the form id=path (a local adapter) arrived in 2.3.0 (#2193, commit 5d85a958).
LORA_PATH_SINCE = (2, 3, 0)
_TGI_TAG_VERSION = re.compile(r"tgi(\d+)\.(\d+)\.(\d+)")


_LORA_ENTRY = re.compile(r"^([^=@]+)(?:=([^@]+))?(?:@(.+))?$")  # server/.../utils/adapter.py parse_lora_adapters


def _lora_problems(env: Mapping[str, str]) -> list[str]:
    problems = []
    if "LORA_ADAPTER" in env:
        problems.append(
            "LORA_ADAPTER is not a TGI variable (TGI reads LORA_ADAPTERS); rename it, or render the "
            "adapters with --lora-adapter NAME=SOURCE."
        )
    for entry in filter(None, (e.strip() for e in env.get("LORA_ADAPTERS", "").split(","))):
        if entry.count("=") > 1 or entry.count("@") > 1 or not _LORA_ENTRY.match(entry):
            problems.append(
                f"LORA_ADAPTERS entry {entry!r} is not id, id=path or id@revision: TGI refuses to start with it "
                '("Invalid LoRA adapter format"); render the adapters with --lora-adapter NAME=SOURCE.'
            )
    return problems


class TgiBackend:
    name = "tgi"
    title = "Hugging Face TGI"
    image_framework = "huggingface-llm"
    quantize_methods = QUANTIZE
    in_flight_quantize: tuple[str, ...] = ("fp8", "eetq", "bitsandbytes-nf4")
    allows_dtype_with_quantize = False
    dtype_with_quantize_methods = DTYPE_WITH_QUANTIZE
    min_startup_timeout_s = 60
    replicates_kv_heads = False
    detects_prequantized: frozenset[str] = frozenset()  # render names the method; TGI accepts it either way

    def check_image(self, image_uri: str, gpu: Gpu) -> str | None:
        if gpu.compute_capability < 7.5:
            # layers/attention/cuda.py: without flash attention, "GPU with CUDA capability 7 0 is not supported".
            return (
                f"TGI cannot serve on {gpu.model} (compute capability {gpu.compute_capability}): its flash-attention "
                "kernels need 7.5 or newer in every image version; choose an ml.g5, g6 or g6e instance, or "
                "--backend vllm, whose kernels are built for 7.0."
            )
        found = _TGI_TAG_VERSION.search(image_uri)
        if gpu.compute_capability >= 8.0 or found is None:
            return None
        version = tuple(int(part) for part in found.groups())
        if version < FIRST_AMPERE_ONLY_VERSION:
            return None
        shown = ".".join(map(str, version))
        return (
            f"TGI {shown} images carry CUDA kernels for compute capability 8.0+ only, so they cannot serve on "
            f"{gpu.model} ({gpu.compute_capability}); choose an ml.g5, g6 or g6e instance, or pass --image-version "
            "2.0.1 (the last TGI image built without that restriction) for a model it supports."
        )

    def check_model_image(self, image_uri: str, arch: ModelArch) -> str | None:
        found = _TGI_TAG_VERSION.search(image_uri)
        needed = ROPE_TYPE_SINCE.get(arch.rope_type or "")
        if found is None or needed is None:
            return None
        version = tuple(int(part) for part in found.groups())
        if version >= needed:
            return None
        return (
            f"{arch.name} uses RoPE scaling {arch.rope_type!r}, which TGI supports from "
            f"{'.'.join(map(str, needed))} on, but the image is TGI {'.'.join(map(str, version))}; pass "
            f"--image-version {'.'.join(map(str, needed))} or newer (on a T4 that rules TGI out: choose an ml.g5/g6 "
            "instance, or --backend vllm)."
        )

    @staticmethod
    def image_version(image_uri: str) -> tuple[int, ...] | None:
        """The TGI version in an image tag (…-tgi3.3.6-…), or None for an opaque tag such as :latest."""
        found = _TGI_TAG_VERSION.search(image_uri)
        return None if found is None else tuple(int(part) for part in found.groups())

    @staticmethod
    def lora_path_problem(image_uri: str) -> str | None:
        """Why this TGI image cannot load an adapter from a local path (LORA_ADAPTERS id=path), or None."""
        found = _TGI_TAG_VERSION.search(image_uri)
        if found is None or tuple(int(part) for part in found.groups()) >= LORA_PATH_SINCE:
            return None
        return (
            f"TGI {'.'.join(found.groups())} reads LORA_ADAPTERS as Hub ids only; an adapter from S3 (id=path) needs "
            f"TGI {'.'.join(map(str, LORA_PATH_SINCE))} or newer: pass a newer --image-version, or a Hub repo id."
        )

    def render_env(self, plan: RenderPlan) -> dict[str, str]:
        env = {
            "HF_MODEL_ID": plan.model_ref,
            "SM_NUM_GPUS": str(plan.tensor_parallel_degree),
            "MAX_INPUT_TOKENS": str(plan.max_input_tokens),
            "MAX_TOTAL_TOKENS": str(plan.max_total_tokens),
            "MAX_BATCH_TOTAL_TOKENS": str(plan.max_batch_total_tokens),
            "MAX_BATCH_PREFILL_TOKENS": str(plan.max_batch_prefill_tokens),
            "MESSAGES_API_ENABLED": "true",
        }
        if plan.quantize:
            env["HF_MODEL_QUANTIZE"] = plan.quantize
        if plan.dtype and (not plan.quantize or plan.quantize in DTYPE_WITH_QUANTIZE):
            env["DTYPE"] = plan.dtype
        if plan.kv_cache_dtype:
            env["KV_CACHE_DTYPE"] = plan.kv_cache_dtype
        if plan.memory_utilization is not None:
            env["CUDA_MEMORY_FRACTION"] = f"{plan.memory_utilization:g}"
        if plan.revision:
            env["HF_MODEL_REVISION"] = plan.revision
        if plan.trust_remote_code:
            env["HF_MODEL_TRUST_REMOTE_CODE"] = "true"
        if plan.lora_adapters:
            env["LORA_ADAPTERS"] = ",".join(
                a.container_id if a.path is None else f"{a.container_id}={a.path}" for a in plan.lora_adapters
            )
        return env

    def check_env(self, env: Mapping[str, str], arch: ModelArch, gpu: Gpu) -> list[str]:
        problems: list[str] = []
        if not env.get("HF_MODEL_ID"):
            problems.append("HF_MODEL_ID is missing; TGI needs the model to serve.")
        if "MAX_INPUT_TOKENS" in env and "MAX_INPUT_LENGTH" in env:
            problems.append("MAX_INPUT_TOKENS and MAX_INPUT_LENGTH are both set; keep only MAX_INPUT_TOKENS.")
        max_input = parse_int(env, "MAX_INPUT_TOKENS", problems)
        if max_input is None:
            max_input = parse_int(env, "MAX_INPUT_LENGTH", problems)
        total = parse_int(env, "MAX_TOTAL_TOKENS", problems)
        batch_total = parse_int(env, "MAX_BATCH_TOTAL_TOKENS", problems)
        prefill = parse_int(env, "MAX_BATCH_PREFILL_TOKENS", problems)
        if max_input is not None and total is not None and not max_input < total:
            problems.append(
                f"max input tokens ({max_input}) must be less than MAX_TOTAL_TOKENS ({total}); "
                "lower the input limit or raise the total."
            )
        if total is not None and total > arch.max_context:
            problems.append(
                f"MAX_TOTAL_TOKENS ({total}) exceeds {arch.name}'s context of {arch.max_context} tokens; lower it."
            )
        if total is not None and batch_total is not None and total > batch_total:
            problems.append(f"MAX_TOTAL_TOKENS ({total}) must not exceed MAX_BATCH_TOTAL_TOKENS ({batch_total}).")
        if prefill is not None and max_input is not None and prefill < max_input:
            problems.append(
                f"MAX_BATCH_PREFILL_TOKENS ({prefill}) must be at least the max input tokens ({max_input})."
            )
        if prefill is not None and batch_total is not None and prefill > batch_total:
            problems.append(
                f"MAX_BATCH_PREFILL_TOKENS ({prefill}) must not exceed MAX_BATCH_TOTAL_TOKENS ({batch_total})."
            )
        quantize = env.get("HF_MODEL_QUANTIZE", env.get("QUANTIZE"))
        if quantize is not None and quantize not in QUANTIZE:
            problems.append(
                f"HF_MODEL_QUANTIZE={quantize!r} is not a TGI quantization; use one of "
                f"{', '.join(sorted(QUANTIZE))}, or leave it unset."
            )
        problems.extend(_lora_problems(env))
        dtype = env.get("DTYPE")
        if dtype is not None and dtype not in DTYPES:
            problems.append(f"DTYPE={dtype!r} is not valid for TGI; use float16 or bfloat16.")
        if dtype is not None and quantize is not None and quantize not in DTYPE_WITH_QUANTIZE:
            # server/text_generation_server/cli.py: only the bitsandbytes variants take a dtype too.
            problems.append(
                f"DTYPE cannot be combined with HF_MODEL_QUANTIZE={quantize} in TGI (only bitsandbytes variants take "
                "both); drop one of them."
            )
        kv_dtype = env.get("KV_CACHE_DTYPE")
        if kv_dtype is not None and kv_dtype not in KV_CACHE_DTYPES:
            problems.append(f"KV_CACHE_DTYPE={kv_dtype!r} is not valid; use fp8_e4m3fn or fp8_e5m2.")
        # TGI shards K/V heads by integer division and never replicates them (flash_*_modeling.py).
        for key in ("SM_NUM_GPUS", "NUM_SHARD"):
            check_shards(key, parse_int(env, key, problems), arch, problems, replicate_kv_heads=False)
        shards = parse_int(env, "NUM_SHARD", problems) or parse_int(env, "SM_NUM_GPUS", problems) or 1
        if quantize == "exl2" and shards > 1:
            # launcher/src/main.rs: "Sharding is currently not supported with `exl2` quantization".
            problems.append(f"exl2 checkpoints cannot be sharded by TGI; use one GPU (SM_NUM_GPUS=1), not {shards}.")
        if kv_dtype is not None and arch.head_dim not in FP8_KV_HEAD_DIMS:
            # layers/attention/kv_cache.py allows an FP8 KV cache with flashinfer only; TGI falls back to
            # flashdecoding for head sizes flashinfer lacks (models/__init__.py).
            problems.append(
                f"KV_CACHE_DTYPE={kv_dtype} needs flashinfer, which TGI uses only for head_dim 64, 128 or 256; "
                f"{arch.name} has head_dim {arch.head_dim}: drop KV_CACHE_DTYPE."
            )
        window = arch.sliding_window
        if window and gpu.compute_capability < 8.0 and max_input is not None and max_input > window:
            # models/__init__.py: a sliding window is only supported with flash-attention v2 (compute capability
            # 8.0+) unless MAX_INPUT_TOKENS <= sliding_window, which turns windowing off.
            problems.append(
                f"{arch.name} uses a {window}-token sliding window, which TGI supports on {gpu.model} (no "
                f"flash-attention v2) only when max input tokens ≤ {window}; lower it from {max_input}."
            )
        max_batch_size = parse_int(env, "MAX_BATCH_SIZE", problems)
        if max_batch_size is not None and max_batch_size < 1:
            # backends/v3/src/main.rs: "`max_batch_size` must be > 0".
            problems.append(f"MAX_BATCH_SIZE={max_batch_size} must be greater than 0 (or unset).")
        parse_fraction(env, "CUDA_MEMORY_FRACTION", problems)
        for key in (
            "MAX_CONCURRENT_REQUESTS",
            "MAX_STOP_SEQUENCES",
            "MAX_CLIENT_BATCH_SIZE",
            "PAYLOAD_LIMIT",
        ):
            parse_int(env, key, problems)
        return problems

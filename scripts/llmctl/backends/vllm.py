"""Hugging Face / AWS vLLM container on SageMaker.

Its entrypoint turns every SM_VLLM_<NAME> variable into `vllm serve --<name>` (lower-case, '_'→'-'),
as in vllm's examples/online_serving/sagemaker-entrypoint.sh and the AWS DLC's sagemaker_entrypoint.sh.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..instances import Gpu
from ..lora import VLLM_MAX_LORA_RANKS
from ..models import ModelArch
from .base import RenderPlan, batched_token_problems, check_shards, float16_only_problem, parse_fraction, parse_int

QUANTIZE = frozenset(
    {"fp8", "awq", "gptq", "bitsandbytes", "compressed-tensors", "marlin", "awq_marlin", "gptq_marlin"}
)
DTYPES = frozenset({"auto", "half", "float16", "bfloat16", "float", "float32"})
KV_CACHE_DTYPES = frozenset({"auto", "fp8", "fp8_e4m3", "fp8_e5m2"})


def _lora_problems(env: Mapping[str, str]) -> list[str]:
    problems = []
    modules = env.get("SM_VLLM_LORA_MODULES")
    if modules is not None and "SM_VLLM_ENABLE_LORA" not in env:
        problems.append("SM_VLLM_LORA_MODULES needs SM_VLLM_ENABLE_LORA (empty: a bare --enable-lora flag).")
    if modules is not None and (len(modules.split()) != 1 or modules.count("=") != 1):
        problems.append(
            f"SM_VLLM_LORA_MODULES={modules!r} must be one name=path: the entrypoint passes the value as a single "
            "argument, so vLLM cannot split several adapters out of it."
        )
    rank = env.get("SM_VLLM_MAX_LORA_RANK")
    if rank is not None and (not rank.isdigit() or int(rank) not in VLLM_MAX_LORA_RANKS):
        allowed = ", ".join(map(str, VLLM_MAX_LORA_RANKS))
        problems.append(f"SM_VLLM_MAX_LORA_RANK={rank!r} is not one vLLM accepts; use one of {allowed}.")
    return problems


class VllmBackend:
    name = "vllm"
    title = "vLLM (SM_VLLM_* container)"
    image_framework = "huggingface-vllm"
    quantize_methods = QUANTIZE
    in_flight_quantize: tuple[str, ...] = ("fp8", "bitsandbytes")
    allows_dtype_with_quantize = True
    dtype_with_quantize_methods: frozenset[str] = frozenset()
    min_startup_timeout_s = 60
    replicates_kv_heads = True
    detects_prequantized = frozenset({"awq", "gptq", "compressed-tensors", "fp8", "bitsandbytes", "marlin"})

    def check_model_image(self, image_uri: str, arch: ModelArch) -> str | None:
        return None  # the images llmctl resolves for this backend all postdate the models it catalogs

    def check_image(self, image_uri: str, gpu: Gpu) -> str | None:
        # vLLM's Dockerfile keeps 7.0 and 7.5 in torch_cuda_arch_list: every GPU in the instance table is a target.
        return None

    def render_env(self, plan: RenderPlan) -> dict[str, str]:
        env = {
            "SM_VLLM_MODEL": plan.model_ref,
            "SM_VLLM_TENSOR_PARALLEL_SIZE": str(plan.tensor_parallel_degree),
            "SM_VLLM_MAX_MODEL_LEN": str(plan.max_total_tokens),
            "SM_VLLM_MAX_NUM_BATCHED_TOKENS": str(plan.max_batch_prefill_tokens),
            "SM_VLLM_GPU_MEMORY_UTILIZATION": f"{plan.memory_utilization or 0.9:g}",
        }
        if plan.dtype:
            env["SM_VLLM_DTYPE"] = plan.dtype
        if plan.quantize and not plan.quantize_detected:
            env["SM_VLLM_QUANTIZATION"] = plan.quantize
        if plan.kv_cache_dtype:
            env["SM_VLLM_KV_CACHE_DTYPE"] = "fp8"
        if plan.revision:
            env["SM_VLLM_REVISION"] = plan.revision
        if plan.trust_remote_code:
            env["SM_VLLM_TRUST_REMOTE_CODE"] = ""  # a bare flag: the entrypoint adds no value
        if plan.lora_adapters:
            (adapter,) = plan.lora_adapters  # llmctl.lora: the entrypoint passes one name=path
            env["SM_VLLM_ENABLE_LORA"] = ""
            env["SM_VLLM_LORA_MODULES"] = f"{adapter.container_id}={adapter.path or adapter.source}"
            env["SM_VLLM_MAX_LORA_RANK"] = str(plan.lora_rank)
        return env

    def check_env(self, env: Mapping[str, str], arch: ModelArch, gpu: Gpu) -> list[str]:
        problems: list[str] = []
        if not env.get("SM_VLLM_MODEL"):
            problems.append("SM_VLLM_MODEL is missing; the vLLM container needs the model to serve.")
        quantize = env.get("SM_VLLM_QUANTIZATION")
        if quantize is not None and quantize not in QUANTIZE:
            problems.append(
                f"SM_VLLM_QUANTIZATION={quantize!r} is not a vLLM method; use one of {', '.join(sorted(QUANTIZE))}."
            )
        dtype = env.get("SM_VLLM_DTYPE")
        if dtype is not None and dtype not in DTYPES:
            problems.append(f"SM_VLLM_DTYPE={dtype!r} is not valid; use auto, float16 or bfloat16.")
        problems.extend(float16_only_problem(quantize, dtype, "SM_VLLM_QUANTIZATION with SM_VLLM_DTYPE"))
        problems.extend(_lora_problems(env))
        kv_dtype = env.get("SM_VLLM_KV_CACHE_DTYPE")
        if kv_dtype is not None and kv_dtype not in KV_CACHE_DTYPES:
            problems.append(f"SM_VLLM_KV_CACHE_DTYPE={kv_dtype!r} is not valid; use auto or fp8.")
        check_shards(
            "SM_VLLM_TENSOR_PARALLEL_SIZE", parse_int(env, "SM_VLLM_TENSOR_PARALLEL_SIZE", problems), arch, problems
        )
        max_len = parse_int(env, "SM_VLLM_MAX_MODEL_LEN", problems)
        batched = parse_int(env, "SM_VLLM_MAX_NUM_BATCHED_TOKENS", problems)
        if max_len is not None and max_len > arch.max_context:
            problems.append(
                f"SM_VLLM_MAX_MODEL_LEN={max_len} exceeds {arch.name}'s context of {arch.max_context} tokens."
            )
        if batched is not None and batched < 1:
            problems.append("SM_VLLM_MAX_NUM_BATCHED_TOKENS must be positive.")
        seqs = parse_int(env, "SM_VLLM_MAX_NUM_SEQS", problems)
        chunked = env.get("SM_VLLM_ENABLE_CHUNKED_PREFILL", "true").lower() not in {"false", "0"}
        problems.extend(
            batched_token_problems(
                "SM_VLLM_MAX_NUM_BATCHED_TOKENS", batched, "SM_VLLM_MAX_NUM_SEQS", seqs, max_len, chunked
            )
        )
        parse_fraction(env, "SM_VLLM_GPU_MEMORY_UTILIZATION", problems)
        return problems

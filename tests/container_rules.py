"""Startup rules of each container, written from ../shared/REFERENCE.md independently of llmctl's own
checks, so golden outputs are verified against the contract rather than against the code under test."""

from __future__ import annotations

TGI_QUANTIZE = {"awq", "compressed-tensors", "eetq", "exl2", "gptq", "marlin", "bitsandbytes", "bitsandbytes-nf4",
                "bitsandbytes-fp4", "fp8"}  # fmt: skip


def tgi_violations(env: dict[str, str], heads: int, context: int, kv_heads: int | None = None) -> list[str]:
    bad = []
    if "MAX_INPUT_TOKENS" in env and "MAX_INPUT_LENGTH" in env:
        bad.append("both input limits")
    inp = int(env.get("MAX_INPUT_TOKENS", env.get("MAX_INPUT_LENGTH", "0")))
    total = int(env["MAX_TOTAL_TOKENS"])
    batch = int(env.get("MAX_BATCH_TOTAL_TOKENS", total))
    prefill = int(env.get("MAX_BATCH_PREFILL_TOKENS", inp))
    if not inp < total <= batch:
        bad.append("input < total <= batch total")
    if not inp <= prefill <= batch:
        bad.append("input <= prefill <= batch total")
    if total > context:
        bad.append("total beyond context")
    if "HF_MODEL_QUANTIZE" in env and env["HF_MODEL_QUANTIZE"] not in TGI_QUANTIZE:
        bad.append("quantize value")
    if "HF_MODEL_QUANTIZE" in env and "DTYPE" in env:
        bad.append("DTYPE with QUANTIZE")
    if env.get("DTYPE", "float16") not in {"float16", "bfloat16"}:
        bad.append("dtype value")
    if heads % int(env["SM_NUM_GPUS"]):
        bad.append("shards do not divide heads")
    if kv_heads is not None and kv_heads % int(env["SM_NUM_GPUS"]):
        bad.append("shards do not divide KV heads (TGI never replicates them)")
    if not env.get("HF_MODEL_ID"):
        bad.append("no model id")
    return bad


def lmi_violations(env: dict[str, str], heads: int, context: int, kv_heads: int | None = None) -> list[str]:
    bad = []
    if not env.get("HF_MODEL_ID"):
        bad.append("no model id")
    if heads % int(env["TENSOR_PARALLEL_DEGREE"]):
        bad.append("tp does not divide heads")
    if env.get("OPTION_ROLLING_BATCH") not in {"auto", "vllm", "trtllm"}:
        bad.append("rolling batch")
    if env.get("OPTION_QUANTIZE", "fp8") not in {"fp8", "bitsandbytes", "awq", "gptq"}:
        bad.append("quantize value")
    if int(env["OPTION_MAX_MODEL_LEN"]) > context:
        bad.append("max model len beyond context")
    return bad


def vllm_violations(env: dict[str, str], heads: int, context: int, kv_heads: int | None = None) -> list[str]:
    bad = []
    if not env.get("SM_VLLM_MODEL"):
        bad.append("no model")
    if heads % int(env["SM_VLLM_TENSOR_PARALLEL_SIZE"]):
        bad.append("tp does not divide heads")
    if int(env["SM_VLLM_MAX_MODEL_LEN"]) > context:
        bad.append("max model len beyond context")
    if not 0 < float(env["SM_VLLM_GPU_MEMORY_UTILIZATION"]) <= 1:
        bad.append("memory utilization")
    if any(not k.startswith(("SM_VLLM_", "HF_")) for k in env):
        bad.append("variable the entrypoint ignores")
    return bad


VIOLATIONS = {"tgi": tgi_violations, "lmi": lmi_violations, "vllm": vllm_violations}

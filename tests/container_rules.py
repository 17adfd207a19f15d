"""Startup rules of each container, written independently of llmctl's own checks (from ../shared/REFERENCE.md and
the containers' sources as cited in docs/sizing.md), so renders are verified against the contract rather than
against the code under test. Each function returns the rules an env breaks (empty: the container would start)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

TGI_QUANTIZE = {
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
VLLM_DEFAULT_MAX_NUM_SEQS = 256
VLLM_QUANTIZE = {"fp8", "awq", "gptq", "bitsandbytes", "compressed-tensors", "marlin", "awq_marlin", "gptq_marlin"}
LMI_DTYPES = {"float32", "fp32", "float16", "fp16", "bfloat16", "bf16", "auto"}  # djl-serving DTYPE_MAPPER


@dataclass(frozen=True)
class Facts:
    """What the rules need to know about the model and the GPU."""

    heads: int
    context: int
    kv_heads: int | None = None
    head_dim: int | None = None
    sliding_window: int | None = None
    compute_capability: float | None = None
    intermediate: int | None = None


def facts_of(arch: Any, gpu: Any) -> Facts:
    """Facts from llmctl's model and GPU records (data read from config.json and the instance table, not rules)."""
    return Facts(
        arch.num_attention_heads,
        arch.max_context,
        arch.num_kv_heads,
        arch.head_dim,
        getattr(arch, "sliding_window", None),
        gpu.compute_capability,
        arch.intermediate_size,
    )


def image_problems(image_uri: str, f: Facts) -> list[str]:
    """TGI's Dockerfile builds its kernels for sm_80/86/90 only from the PyTorch 2.3 images on (SageMaker tags start
    with the PyTorch version: 2.3.0-tgi2.2.0-…); those cannot run on a compute capability 7.5 GPU."""
    tag = image_uri.rsplit(":", 1)[-1]
    if "-tgi" not in tag or f.compute_capability is None or f.compute_capability >= 8.0:
        return []
    torch_version = tuple(int(part) for part in tag.split("-", 1)[0].split("."))
    return ["TGI image without sm_75 kernels on a T4"] if torch_version >= (2, 3) else []


def _int(env: dict[str, str], key: str, default: int | None = None) -> int | None:
    return int(env[key]) if key in env else default


def _off(value: str | None) -> bool:
    return value is not None and value.lower() in {"false", "0"}


def tgi(env: dict[str, str], f: Facts) -> list[str]:
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
    if total > f.context:
        bad.append("total beyond context")
    quantize = env.get("HF_MODEL_QUANTIZE")
    if quantize is not None and quantize not in TGI_QUANTIZE:
        bad.append("quantize value")
    if quantize is not None and "DTYPE" in env and not quantize.startswith("bitsandbytes"):
        bad.append("DTYPE with QUANTIZE")
    if env.get("DTYPE", "float16") not in {"float16", "bfloat16"}:
        bad.append("dtype value")
    shards = int(env.get("NUM_SHARD", env["SM_NUM_GPUS"]))
    if f.heads % shards:
        bad.append("shards do not divide heads")
    if f.kv_heads is not None and f.kv_heads % shards:
        bad.append("shards do not divide KV heads (TGI never replicates them)")
    if quantize == "exl2" and shards > 1:
        bad.append("exl2 sharded")
    if "KV_CACHE_DTYPE" in env and f.head_dim is not None and f.head_dim not in {64, 128, 256}:
        bad.append("fp8 KV cache needs flashinfer head sizes")
    if f.sliding_window and f.compute_capability is not None and f.compute_capability < 8.0 and inp > f.sliding_window:
        bad.append("sliding window without flash-attention v2")
    if int(env.get("MAX_BATCH_SIZE", "1")) < 1:
        bad.append("max batch size not positive")
    if not env.get("HF_MODEL_ID"):
        bad.append("no model id")
    return bad


def _vllm_scheduler(batched: int | None, seqs: int | None, max_len: int, chunked: bool) -> list[str]:
    if batched is None:
        return []
    bad = []
    if batched < (seqs if seqs is not None else VLLM_DEFAULT_MAX_NUM_SEQS):
        bad.append("batched tokens below max sequences")
    if not chunked and batched < max_len:
        bad.append("batched tokens below max model length without chunked prefill")
    return bad


def _tp_ok(tp: int, f: Facts) -> bool:
    kv = f.kv_heads or f.heads
    return f.heads % tp == 0 and (kv % tp == 0 or tp % kv == 0)


def lmi(env: dict[str, str], f: Facts) -> list[str]:
    bad = []
    if not env.get("HF_MODEL_ID"):
        bad.append("no model id")
    if not _tp_ok(int(env["TENSOR_PARALLEL_DEGREE"]), f):
        bad.append("tp does not split the heads")
    # The djl-lmi images are vLLM-based: no TensorRT-LLM in them.
    if env.get("OPTION_ROLLING_BATCH") not in {"auto", "vllm", "lmi-dist"}:
        bad.append("rolling batch")
    if env.get("OPTION_QUANTIZE", "fp8") not in VLLM_QUANTIZE:
        bad.append("quantize value")
    if env.get("OPTION_DTYPE", "auto") not in LMI_DTYPES:
        bad.append("dtype value")
    if env.get("OPTION_QUANTIZE") in {"awq", "gptq"} and env.get("OPTION_DTYPE") in {"bf16", "bfloat16"}:
        bad.append("awq/gptq kernels are float16 only")
    max_len = int(env["OPTION_MAX_MODEL_LEN"])
    if max_len > f.context:
        bad.append("max model len beyond context")
    bad += _vllm_scheduler(
        _int(env, "OPTION_MAX_ROLLING_BATCH_PREFILL_TOKENS"),
        _int(env, "OPTION_MAX_ROLLING_BATCH_SIZE"),
        max_len,
        not _off(env.get("OPTION_ENABLE_CHUNKED_PREFILL")),
    )
    return bad


def vllm(env: dict[str, str], f: Facts) -> list[str]:
    bad = []
    if not env.get("SM_VLLM_MODEL"):
        bad.append("no model")
    if not _tp_ok(int(env["SM_VLLM_TENSOR_PARALLEL_SIZE"]), f):
        bad.append("tp does not split the heads")
    max_len = int(env["SM_VLLM_MAX_MODEL_LEN"])
    if max_len > f.context:
        bad.append("max model len beyond context")
    if env.get("SM_VLLM_QUANTIZATION") in {"awq", "gptq"} and env.get("SM_VLLM_DTYPE") == "bfloat16":
        bad.append("awq/gptq kernels are float16 only")
    if not 0 < float(env["SM_VLLM_GPU_MEMORY_UTILIZATION"]) <= 1:
        bad.append("memory utilization")
    if any(not k.startswith(("SM_VLLM_", "HF_")) for k in env):
        bad.append("variable the entrypoint ignores")
    bad += _vllm_scheduler(
        _int(env, "SM_VLLM_MAX_NUM_BATCHED_TOKENS"),
        _int(env, "SM_VLLM_MAX_NUM_SEQS"),
        max_len,
        not _off(env.get("SM_VLLM_ENABLE_CHUNKED_PREFILL")),
    )
    return bad


def trtllm(env: dict[str, str], f: Facts) -> list[str]:
    """LMI 0.33 with TensorRT-LLM 0.21 (djl-serving 0.33.0-dlc: LmiConfigRecommender.java, trt_llm_partition.py;
    TensorRT-LLM's support matrix and quantization/layers.py)."""
    bad = []
    if not env.get("HF_MODEL_ID"):
        bad.append("no model id")
    if env.get("OPTION_ROLLING_BATCH") != "trtllm":
        bad.append("rolling batch is not trtllm (auto means disable on this image)")
    if f.compute_capability is not None and f.compute_capability < 8.0:
        bad.append("GPU older than Ampere")
    tp = int(env["TENSOR_PARALLEL_DEGREE"])
    if not _tp_ok(tp, f):
        bad.append("tp does not split the heads")
    if "OPTION_QUANTIZE" in env or "OPTION_MAX_OUTPUT_LEN" in env:
        bad.append("option the 0.21 build does not read")
    algo = env.get("OPTION_QUANT_ALGO")
    fp8 = algo == "FP8" or env.get("OPTION_KV_CACHE_QUANT_ALGO") == "FP8"
    if fp8 and f.compute_capability is not None and f.compute_capability < 8.9:
        bad.append("FP8 without FP8 hardware")
    widths = [f.heads * (f.head_dim or 0), f.intermediate or 0]
    if algo == "W4A16_AWQ" and any(w % (tp * 128) for w in widths):
        bad.append("AWQ groups of 128 split across GPUs")
    if algo == "W8A8_SQ_PER_CHANNEL" and any(w % (tp * 4) for w in widths):
        bad.append("SmoothQuant rows not packable")
    max_input = int(env.get("OPTION_MAX_INPUT_LEN", "1024"))
    max_seq = int(env.get("OPTION_MAX_SEQ_LEN", str(f.context)))
    if not max_input < max_seq <= f.context:
        bad.append("sequence limits")
    if int(env.get("OPTION_MAX_NUM_TOKENS", "16384")) < max_input:
        bad.append("a prompt does not fit one engine step")
    return bad


RULES = {"tgi": tgi, "lmi": lmi, "trtllm": trtllm, "vllm": vllm}

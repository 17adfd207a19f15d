"""GPU-memory sizing: weights, KV cache, and how many tokens and sequences fit.

The model (docs/sizing.md has the derivation and the assumptions):

    weight_bytes     = linear_params × bits(quantization)/8 + other_params × 2
    kv_bytes/token   = 2 × layers × kv_heads × head_dim × kv_dtype_bytes
    per-GPU budget   = gpu_mib × memory_utilization − weight_bytes/TP − activations − runtime_overhead
    kv_cache_tokens  = per-GPU budget ÷ (kv_bytes/token ÷ TP)           (tokens one replica holds)
    max_concurrent   = kv_cache_tokens ÷ max_total_tokens              (every sequence at full length)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .instances import InstanceType
from .models import ModelArch

MIB = 1024 * 1024
GIB = 1024 * MIB

DEFAULT_MEMORY_UTILIZATION = 0.90  # vLLM's default; leaves room for fragmentation on every backend
RUNTIME_OVERHEAD_MIB = 1024  # CUDA context, cuBLAS workspace, CUDA graphs
NCCL_OVERHEAD_MIB = 512  # extra per GPU when tensor-parallel (NCCL buffers)
ACTIVATION_DTYPE_BYTES = 2

# Bits per weight of the transformer blocks' linear layers under each quantization.
# 4-bit group-quantized formats carry a 16-bit scale and a 4-bit zero per 128 weights: ≈ 4.16 bits, rounded up.
QUANT_BITS: dict[str | None, float] = {
    None: 16,
    "fp8": 8,
    "eetq": 8,
    "bitsandbytes": 8,
    "smoothquant": 8,
    "compressed-tensors": 8,
    "awq": 4.25,
    "gptq": 4.25,
    "marlin": 4.25,
    "exl2": 4.25,
    "bitsandbytes-nf4": 4.25,
    "bitsandbytes-fp4": 4.25,
}
# vLLM's and LMI's in-flight bitsandbytes is 4-bit (NF4); TGI's plain "bitsandbytes" is LLM.int8.
FOUR_BIT_BITSANDBYTES_BACKENDS = {"lmi", "vllm"}
# Engines whose memory setting is a fraction of the memory left after loading, not of the whole GPU.
FREE_FRACTION_BACKENDS = {"trtllm"}


@dataclass(frozen=True)
class SizingInputs:
    arch: ModelArch
    instance: InstanceType
    backend: str
    tensor_parallel_degree: int
    quantize: str | None
    kv_cache_dtype: str | None
    max_input_tokens: int
    max_total_tokens: int
    max_batch_prefill_tokens: int
    memory_utilization: float = DEFAULT_MEMORY_UTILIZATION
    runtime_overhead_mib: int = RUNTIME_OVERHEAD_MIB
    adapter_bytes: int = 0  # LoRA adapters loaded beside the weights (split across the shards like them)


@dataclass(frozen=True)
class Sizing:
    inputs: SizingInputs
    parameters: int
    weight_bytes: int
    download_bytes: int
    kv_cache_bytes_per_token: int
    kv_cache_bytes_per_token_per_gpu: int
    usable_mib_per_gpu: float
    weights_mib_per_gpu: float
    activation_mib_per_gpu: float
    overhead_mib_per_gpu: float
    kv_budget_mib_per_gpu: float
    kv_cache_tokens: int
    max_concurrent_sequences: int

    @property
    def fits(self) -> bool:
        return self.kv_cache_tokens >= self.inputs.max_total_tokens

    @property
    def shortfall_mib_per_gpu(self) -> float:
        """How much more memory per GPU one full-length sequence would need (0 when it fits)."""
        need = self.inputs.max_total_tokens * self.kv_cache_bytes_per_token_per_gpu / MIB
        return max(0.0, need - self.kv_budget_mib_per_gpu)

    @property
    def headroom_mib_per_gpu(self) -> float:
        """Memory per GPU left for the KV cache after weights, activations and runtime."""
        return self.kv_budget_mib_per_gpu


def linear_bits(quantize: str | None, backend: str, arch: ModelArch) -> float:
    if quantize is not None and arch.prequantized == quantize and arch.prequantized_bits:
        return arch.prequantized_bits + (0.25 if arch.prequantized_bits < 8 else 0)
    if quantize == "bitsandbytes" and backend in FOUR_BIT_BITSANDBYTES_BACKENDS:
        return QUANT_BITS["bitsandbytes-nf4"]
    return QUANT_BITS[quantize]


def weight_bytes(arch: ModelArch, quantize: str | None, backend: str) -> int:
    linear = arch.linear_params()
    other = arch.parameter_count() - linear  # embeddings, LM head and norms stay 16-bit
    return math.ceil(linear * linear_bits(quantize, backend, arch) / 8 + other * 2)


def download_bytes(arch: ModelArch) -> int:
    """Checkpoint size: in-flight quantization still downloads the 16-bit checkpoint."""
    if arch.prequantized:
        return weight_bytes(arch, arch.prequantized, "tgi")
    return arch.parameter_count() * 2


def kv_dtype_bytes(kv_cache_dtype: str | None) -> int:
    return 1 if kv_cache_dtype and kv_cache_dtype.startswith("fp8") else 2


def kv_bytes_per_token(arch: ModelArch, kv_cache_dtype: str | None) -> int:
    return 2 * arch.num_layers * arch.num_kv_heads * arch.head_dim * kv_dtype_bytes(kv_cache_dtype)


def kv_bytes_per_token_per_gpu(arch: ModelArch, kv_cache_dtype: str | None, tp: int) -> int:
    # With more shards than KV heads each shard keeps a replica of one KV head.
    heads_per_gpu = math.ceil(arch.num_kv_heads / tp)
    return 2 * arch.num_layers * heads_per_gpu * arch.head_dim * kv_dtype_bytes(kv_cache_dtype)


def activation_mib(arch: ModelArch, prefill_tokens: int, tp: int) -> float:
    """Peak activation memory of one prefill batch: residual stream plus the MLP's gate/up outputs."""
    experts = max(1, arch.experts_per_token)
    width = 4 * arch.hidden_size + 2 * arch.intermediate_size * experts / tp
    return prefill_tokens * width * ACTIVATION_DTYPE_BYTES / MIB


def valid_tp_degrees(arch: ModelArch, gpu_count: int, replicate_kv_heads: bool = True) -> list[int]:
    """Degrees ≤ gpu_count (powers of two) that split the attention heads evenly, and the KV heads: evenly, or, for
    engines that replicate KV heads (vLLM), also when the degree is a multiple of them.

    TGI divides the KV heads by the shard count and never replicates them
    (text-generation-inference server/text_generation_server/models/custom_modeling/flash_llama_modeling.py,
    `num_key_value_heads // weights.process_group.size()`); vLLM replicates them when tp > kv heads
    (vllm/model_executor/models/llama.py, `tp_size % self.total_num_kv_heads == 0`).
    """
    degrees = []
    degree = 1
    while degree <= gpu_count:
        heads_ok = arch.num_attention_heads % degree == 0
        kv_ok = arch.num_kv_heads % degree == 0 or (replicate_kv_heads and degree % arch.num_kv_heads == 0)
        if heads_ok and kv_ok:
            degrees.append(degree)
        degree *= 2
    return degrees


def choose_tp(arch: ModelArch, instance: InstanceType, replicate_kv_heads: bool = True) -> int:
    """All GPUs on the instance when the heads allow it, else the largest valid degree.

    SageMaker bills the whole instance and one TGI/vLLM container serves one replica, so a GPU
    left out of the tensor-parallel group is paid for and idle; every extra shard adds KV-cache room.
    """
    return max(valid_tp_degrees(arch, instance.gpu_count, replicate_kv_heads))


def size(inputs: SizingInputs) -> Sizing:
    arch, tp = inputs.arch, inputs.tensor_parallel_degree
    weights = weight_bytes(arch, inputs.quantize, inputs.backend)
    kv_token = kv_bytes_per_token(arch, inputs.kv_cache_dtype)
    kv_token_gpu = kv_bytes_per_token_per_gpu(arch, inputs.kv_cache_dtype, tp)
    weights_gpu = (weights + inputs.adapter_bytes) / tp / MIB
    activations = activation_mib(arch, inputs.max_batch_prefill_tokens, tp)
    overhead = inputs.runtime_overhead_mib + (NCCL_OVERHEAD_MIB if tp > 1 else 0)
    if inputs.backend in FREE_FRACTION_BACKENDS:
        # TensorRT-LLM gives the KV cache a fraction of what is free once the engine (weights, activation
        # buffers for max_num_tokens) is loaded (KvCacheConfig.free_gpu_memory_fraction).
        usable = float(inputs.instance.gpu.memory_mib)
        budget = (usable - weights_gpu - activations - overhead) * inputs.memory_utilization
    else:
        usable = inputs.instance.gpu.memory_mib * inputs.memory_utilization
        budget = usable - weights_gpu - activations - overhead
    tokens = max(0, math.floor(budget * MIB / kv_token_gpu)) if budget > 0 else 0
    return Sizing(
        inputs=inputs,
        parameters=arch.parameter_count(),
        weight_bytes=weights,
        download_bytes=download_bytes(arch),
        kv_cache_bytes_per_token=kv_token,
        kv_cache_bytes_per_token_per_gpu=kv_token_gpu,
        usable_mib_per_gpu=usable,
        weights_mib_per_gpu=weights_gpu,
        activation_mib_per_gpu=activations,
        overhead_mib_per_gpu=overhead,
        kv_budget_mib_per_gpu=budget,
        kv_cache_tokens=tokens,
        max_concurrent_sequences=tokens // inputs.max_total_tokens,
    )

"""AWS LMI (DJL Serving) with TensorRT-LLM: the `djl-inference:<ver>-tensorrtllm<trt>-cu<cuda>` images (sagemaker
SDK framework `djl-tensorrtllm`, newest 0.33.0-tensorrtllm0.21.0-cu128). Without a pre-compiled engine the container
compiles one at startup from the Hub checkpoint (serving/docker/partition/trt_llm_partition.py), then serves it.

The contract, from djl-serving 0.33.0 (branch 0.33.0-dlc) and TensorRT-LLM 0.21:
- OPTION_ROLLING_BATCH must be `trtllm`: `auto` never picks it in 0.33 (wlm/.../LmiConfigRecommender.java
  setRollingBatch: auto → vllm if the image has vLLM, else `disable`, i.e. no continuous batching).
- The build options reach `trtllm-build` as flags (trt_llm_partition.py parse_build_config): OPTION_MAX_INPUT_LEN
  (default 1024, properties_manager/trt_properties.py), OPTION_MAX_SEQ_LEN (prompt + generation), OPTION_MAX_NUM_TOKENS
  (tokens per engine step; default 16384, LmiConfigRecommender.setRollingBatchSize) and OPTION_MAX_ROLLING_BATCH_SIZE
  (→ max_batch_size; default 256). OPTION_MAX_OUTPUT_LEN, the older name, is not a flag of this trtllm-build.
- Quantization is OPTION_QUANT_ALGO, a TensorRT-LLM QuantAlgo (parse_quant_config), applied while compiling;
  OPTION_QUANTIZE (smoothquant|awq|fp8) was the option of LMI ≤ 0.30's TensorRT-LLM images.
- The KV cache takes OPTION_FREE_GPU_MEMORY_FRACTION of the memory free after the engine loads (trt_properties.py
  get_kv_cache_config → TensorRT-LLM KvCacheConfig.free_gpu_memory_fraction, default 0.9, llmapi/llm_args.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ..instances import Gpu
from ..models import ModelArch
from .base import RenderPlan, check_shards, parse_fraction, parse_int
from .lmi import model_env, model_problems

# llmctl's quantization names → TensorRT-LLM QuantAlgo values (tensorrt_llm/quantization/mode.py).
QUANT_ALGOS = {"fp8": "FP8", "awq": "W4A16_AWQ", "smoothquant": "W8A8_SQ_PER_CHANNEL"}
KNOWN_QUANT_ALGOS = frozenset(
    {
        "FP8",
        "W4A16_AWQ",
        "W4A16",
        "W8A16",
        "W8A8_SQ_PER_CHANNEL",
        "W8A8_SQ_PER_TENSOR_PLUGIN",
        "W8A8_SQ_PER_CHANNEL_PER_TOKEN_PLUGIN",
        "W4A8_AWQ",
        "FP8_PER_CHANNEL_PER_TOKEN",
    }
)
FP8_ALGOS = frozenset({"FP8", "FP8_PER_CHANNEL_PER_TOKEN", "W4A8_AWQ"})
# TensorRT-LLM's support matrix (docs/source/reference/support-matrix.md, 0.18–0.21): FP8 on Ada (SM89) and Hopper
# (SM90) only; Ampere (SM80/86) has FP16, BF16, INT8 and INT4; Turing and Volta are not listed.
FP8_MIN_COMPUTE_CAPABILITY = 8.9
MIN_COMPUTE_CAPABILITY = 8.0
# AWQ's group size (QuantConfig default 128): a row-parallel layer keeps in_features / TP inputs per GPU and
# in_features / TP / group_size scale rows (quantization/layers.py WeightOnlyGroupwiseQuantRowLinear), so each
# GPU's share must be whole groups.
AWQ_GROUP_SIZE = 128
# SmoothQuantRowLinear asserts in_features / TP % 4 == 0 (int8 weights packed four to a float32).
SMOOTHQUANT_PACK = 4
# Decoder architectures TensorRT-LLM builds from a Hugging Face checkpoint (tensorrt_llm/models/__init__.py
# MODEL_MAP, the language models of it).
ARCHITECTURES = frozenset(
    {
        "GPT2LMHeadModel",
        "GPTBigCodeForCausalLM",
        "Starcoder2ForCausalLM",
        "OPTForCausalLM",
        "BloomForCausalLM",
        "FalconForCausalLM",
        "RWForCausalLM",
        "PhiForCausalLM",
        "Phi3ForCausalLM",
        "Phi3SmallForCausalLM",
        "PhiMoEForCausalLM",
        "GPTNeoXForCausalLM",
        "GPTJForCausalLM",
        "MptForCausalLM",
        "MPTForCausalLM",
        "ChatGLMForCausalLM",
        "ChatGLMModel",
        "LlamaForCausalLM",
        "ExaoneForCausalLM",
        "MistralForCausalLM",
        "MixtralForCausalLM",
        "ArcticForCausalLM",
        "InternLMForCausalLM",
        "InternLM2ForCausalLM",
        "GraniteForCausalLM",
        "GraniteMoeForCausalLM",
        "BaichuanForCausalLM",
        "SkyworkForCausalLM",
        "GemmaForCausalLM",
        "Gemma2ForCausalLM",
        "Gemma3ForCausalLM",
        "QWenLMHeadModel",
        "QWenForCausalLM",
        "Qwen2ForCausalLM",
        "Qwen2MoeForCausalLM",
        "Qwen3ForCausalLM",
        "Qwen3MoeForCausalLM",
        "DbrxForCausalLM",
        "DeepseekForCausalLM",
        "DeepseekV2ForCausalLM",
        "CohereForCausalLM",
    }
)
DTYPES = {"float16": "float16", "bfloat16": "bfloat16"}
TRT_DTYPES = frozenset({"auto", "float16", "bfloat16", "float32"})
MODEL_LOADING_TIMEOUT_S = 1800  # LMI's default option.model_loading_timeout, as for the vLLM engine
DEFAULT_MAX_INPUT_LEN = 1024
# JIT compile time: LMI's ahead-of-time tutorial (serving/docs/lmi/tutorials/trtllm_aot_tutorial.md) gives
# "approximately 7 minutes and more" for Falcon 40B and Llama-2 70B; llmctl takes 420 s per 70 B parameters
# (6 s per billion), at least 2 minutes, and doubles it when the build also calibrates a quantization (an
# assumption: calibration runs the model over 512 samples by default, LMI's TensorRT-LLM guide, calib_size).
COMPILE_S_PER_BILLION_PARAMS = 420 / 70
MIN_COMPILE_S = 120
CALIBRATION_FACTOR = 2
_TRT_TAG = re.compile(r"tensorrtllm(\d+)\.(\d+)")


def compile_seconds(parameters: int, quantize: str | None) -> float:
    """The JIT engine build this container runs at startup (see COMPILE_S_PER_BILLION_PARAMS)."""
    seconds = max(MIN_COMPILE_S, parameters / 1e9 * COMPILE_S_PER_BILLION_PARAMS)
    return seconds * (CALIBRATION_FACTOR if quantize else 1)


class TrtllmBackend:
    name = "trtllm"
    title = "AWS LMI (DJL Serving, TensorRT-LLM engine)"
    image_framework = "djl-tensorrtllm"
    quantize_methods = frozenset(QUANT_ALGOS)
    # All three are computed while the engine is built, from the 16-bit checkpoint (calibration for AWQ and SQ).
    in_flight_quantize: tuple[str, ...] = ("fp8", "awq", "smoothquant")
    allows_dtype_with_quantize = True
    dtype_with_quantize_methods: frozenset[str] = frozenset()
    min_startup_timeout_s = MODEL_LOADING_TIMEOUT_S
    replicates_kv_heads = True  # Attention keeps ceil(kv_heads / tp) heads per rank (layers/attention.py)
    detects_prequantized: frozenset[str] = frozenset()

    def check_image(self, image_uri: str, gpu: Gpu) -> str | None:
        if gpu.compute_capability < MIN_COMPUTE_CAPABILITY:
            return (
                f"TensorRT-LLM does not support {gpu.model} (compute capability {gpu.compute_capability}): its support "
                "matrix lists Ampere (8.0) and newer; choose an ml.g5, g6, g6e, p4d or p5 instance."
            )
        tag = image_uri.rsplit(":", 1)[-1] if ":" in image_uri.rsplit("/", 1)[-1] else ""
        if "djl-inference" in image_uri and tag and "tensorrtllm" not in tag:
            return (
                f"{image_uri} is an LMI image without TensorRT-LLM (its tag has no 'tensorrtllm'); use a "
                "djl-inference:…-tensorrtllm…-cu… image (llmctl image-uri -b trtllm) or --backend lmi for vLLM."
            )
        return None

    def check_model_image(self, image_uri: str, arch: ModelArch) -> str | None:
        if arch.prequantized:
            return (
                f"{arch.name} is pre-quantized ({arch.prequantized}); llmctl renders TensorRT-LLM's own build-time "
                "quantization (OPTION_QUANT_ALGO) from a 16-bit checkpoint: serve the 16-bit model with --quantize, "
                "or this one with --backend lmi or vllm."
            )
        if arch.architecture and arch.architecture not in ARCHITECTURES:
            return (
                f"TensorRT-LLM cannot build {arch.name}: its architecture {arch.architecture} is not in TensorRT-LLM's "
                "MODEL_MAP (tensorrt_llm/models/__init__.py); use --backend lmi or vllm, or give a pre-compiled engine."
            )
        return None

    def render_env(self, plan: RenderPlan) -> dict[str, str]:
        env = {
            **model_env(plan, "trtllm"),
            "OPTION_MAX_INPUT_LEN": str(plan.max_input_tokens),
            "OPTION_MAX_SEQ_LEN": str(plan.max_total_tokens),
            "OPTION_MAX_NUM_TOKENS": str(plan.max_batch_prefill_tokens),
            "OPTION_MAX_ROLLING_BATCH_SIZE": str(max(1, plan.max_batch_total_tokens // plan.max_total_tokens)),
        }
        if plan.memory_utilization is not None:
            env["OPTION_FREE_GPU_MEMORY_FRACTION"] = f"{plan.memory_utilization:g}"
        if plan.dtype:
            env["OPTION_DTYPE"] = DTYPES[plan.dtype]
        if plan.quantize:
            env["OPTION_QUANT_ALGO"] = QUANT_ALGOS[plan.quantize]
        if plan.kv_cache_dtype:
            env["OPTION_KV_CACHE_QUANT_ALGO"] = "FP8"
        return env

    def check_env(self, env: Mapping[str, str], arch: ModelArch, gpu: Gpu) -> list[str]:
        problems = model_problems(env)
        rolling = env.get("OPTION_ROLLING_BATCH", "auto")
        if rolling != "trtllm":
            problems.append(
                f"OPTION_ROLLING_BATCH={rolling} on the TensorRT-LLM image: set it to trtllm (LMI 0.33 resolves auto "
                "to `disable` there, serving one request at a time; LmiConfigRecommender.java)."
            )
        for old, new in (("OPTION_QUANTIZE", "OPTION_QUANT_ALGO"), ("OPTION_MAX_OUTPUT_LEN", "OPTION_MAX_SEQ_LEN")):
            if old in env:
                problems.append(
                    f"{old} is not read by this image's TensorRT-LLM build (djl-serving 0.33 passes options to "
                    f"trtllm-build, which has no such flag); use {new}."
                )
        tp = parse_int(env, "TENSOR_PARALLEL_DEGREE", problems) if env.get("TENSOR_PARALLEL_DEGREE") != "max" else None
        check_shards("TENSOR_PARALLEL_DEGREE", tp, arch, problems, replicate_kv_heads=True)
        kv_algo = env.get("OPTION_KV_CACHE_QUANT_ALGO")
        if kv_algo is not None and kv_algo.upper() == "FP8" and gpu.compute_capability < FP8_MIN_COMPUTE_CAPABILITY:
            problems.append(
                f"OPTION_KV_CACHE_QUANT_ALGO=FP8 needs an FP8 GPU (Ada or Hopper in TensorRT-LLM's support matrix); "
                f"{gpu.model} is {gpu.compute_capability}: drop it (--kv-cache-dtype) or use an ml.g6/g6e/p5 instance."
            )
        algo = env.get("OPTION_QUANT_ALGO")
        if algo is not None:
            problems += _quant_problems(algo.upper(), arch, gpu, tp or 1)
        dtype = env.get("OPTION_DTYPE")
        if dtype is not None and dtype not in TRT_DTYPES:
            problems.append(
                f"OPTION_DTYPE={dtype!r} is not a TensorRT-LLM dtype; use one of {', '.join(sorted(TRT_DTYPES))}."
            )
        max_input = parse_int(env, "OPTION_MAX_INPUT_LEN", problems) or DEFAULT_MAX_INPUT_LEN
        max_seq = parse_int(env, "OPTION_MAX_SEQ_LEN", problems)
        if max_seq is not None and not max_input < max_seq <= arch.max_context:
            problems.append(
                f"OPTION_MAX_SEQ_LEN={max_seq} must exceed OPTION_MAX_INPUT_LEN ({max_input}) and stay within "
                f"{arch.name}'s context of {arch.max_context}."
            )
        num_tokens = parse_int(env, "OPTION_MAX_NUM_TOKENS", problems)
        if num_tokens is not None and num_tokens < max_input:
            # The engine's context phase takes a whole prompt in one step unless context chunking is on.
            problems.append(
                f"OPTION_MAX_NUM_TOKENS={num_tokens} is below OPTION_MAX_INPUT_LEN={max_input}: a full prompt would "
                "not fit one engine step; raise it."
            )
        batch = parse_int(env, "OPTION_MAX_ROLLING_BATCH_SIZE", problems)
        if batch is not None and batch < 1:
            problems.append(f"OPTION_MAX_ROLLING_BATCH_SIZE={batch} must be at least 1.")
        parse_fraction(env, "OPTION_FREE_GPU_MEMORY_FRACTION", problems)
        return problems


def _quant_problems(algo: str, arch: ModelArch, gpu: Gpu, tp: int) -> list[str]:
    if algo not in KNOWN_QUANT_ALGOS:
        known = ", ".join(sorted(KNOWN_QUANT_ALGOS))
        return [f"OPTION_QUANT_ALGO={algo} is not a TensorRT-LLM QuantAlgo this build takes; use one of {known}."]
    if algo in FP8_ALGOS and gpu.compute_capability < FP8_MIN_COMPUTE_CAPABILITY:
        return [
            f"OPTION_QUANT_ALGO={algo} needs FP8 tensor cores, which {gpu.model} (compute capability "
            f"{gpu.compute_capability}) lacks: TensorRT-LLM's support matrix has FP8 on Ada (8.9) and Hopper only; "
            "use W4A16_AWQ (--quantize awq) or an ml.g6/g6e/p5 instance."
        ]
    rows = {"attention output": arch.num_attention_heads * arch.head_dim, "MLP down projection": arch.intermediate_size}
    if algo.startswith("W4A16") or algo.startswith("W4A8"):
        for layer, width in rows.items():
            if width % (tp * AWQ_GROUP_SIZE):
                return [
                    f"{algo} with tensor parallelism {tp}: {arch.name}'s {layer} has {width} inputs, {width / tp:g} "
                    f"per GPU, not whole groups of {AWQ_GROUP_SIZE} (quantization/layers.py "
                    "WeightOnlyGroupwiseQuantRowLinear); choose a degree that keeps them whole, or FP8/no quantization."
                ]
    if algo.startswith("W8A8_SQ"):
        for layer, width in rows.items():
            if width % (tp * SMOOTHQUANT_PACK):
                return [
                    f"{algo} with tensor parallelism {tp}: {arch.name}'s {layer} has {width / tp:g} inputs per GPU, "
                    f"not a multiple of {SMOOTHQUANT_PACK} (quantization/layers.py SmoothQuantRowLinear)."
                ]
    return []

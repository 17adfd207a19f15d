"""`llmctl render`: model + instance type → the serving container's env, sized to the GPU, checked
against the container's startup rules before anything is deployed."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import lora
from .backends import BACKENDS, Backend, RenderPlan
from .backends.base import FLOAT16_ONLY_QUANTIZE
from .backends.tgi import TgiBackend
from .backends.trtllm import FP8_MIN_COMPUTE_CAPABILITY, MODEL_LOADING_TIMEOUT_S, compile_seconds
from .copies import HOST_RESERVE_MIB, HOST_RESERVE_VCPUS, Copies
from .copies import fit as fit_copies
from .errors import LlmctlError
from .images import resolve_image_uri
from .instances import InstanceType, by_size, get_instance
from .models import ModelArch, is_gated, resolve_model
from .prices import hourly, price_table
from .secrets_rule import secret_problems
from .sizing import DEFAULT_MEMORY_UTILIZATION, GIB, MIB, Sizing, SizingInputs, choose_tp, size, valid_tp_degrees
from .startup import Startup, TooSlowToStart, estimate

DEFAULT_MAX_TOTAL_TOKENS = 8192
DEFAULT_MAX_NEW_TOKENS = 2048
MIN_PREFILL_TOKENS = 4096
SHRINK_STEP = 256
MIN_DEFAULT_TOTAL = 512
# Methods that need a checkpoint already quantized that way (config.json quantization_config).
PREQUANTIZED_ONLY = {"awq", "gptq", "exl2", "marlin", "compressed-tensors", "awq_marlin", "gptq_marlin"}
# The rules Terraform's validations apply (llm-endpoint, execution-role): one message, at render time.
S3_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
KMS_KEY_ARN = re.compile(r"^arn:aws[a-z-]*:kms:(?P<region>[a-z0-9-]+):[0-9]{12}:key/[a-zA-Z0-9-]+$")
ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar", ".zip", ".gz")
WEIGHT_FILE_SUFFIXES = (".safetensors", ".bin", ".json", ".pt", ".gguf")
MAX_ALTERNATIVES_TRIED = 12
MAX_VOLUME_GB = 512  # ProductionVariant VolumeSizeInGB: 1–512
TGI_KV_CACHE_DTYPE = {"fp8": "fp8_e4m3fn", "fp8_e4m3fn": "fp8_e4m3fn", "fp8_e5m2": "fp8_e5m2"}


@dataclass(frozen=True)
class RenderRequest:
    model_id: str
    instance_type: str
    backend: str = "tgi"
    model_config: Path | None = None
    model_s3_uri: str | None = None
    model_s3_kms_key_arn: str | None = None
    quantize: str | None = None
    dtype: str | None = None
    kv_cache_dtype: str | None = None
    max_input_tokens: int | None = None
    max_total_tokens: int | None = None
    num_gpus: int | None = None
    gpus_per_copy: int | None = None  # inference-component copies (llmctl.copies): tensor parallel per copy
    region: str = "us-east-1"
    image_version: str | None = None
    image_uri: str | None = None
    memory_utilization: float | None = None
    revision: str | None = None
    trust_remote_code: bool = False
    env_overrides: dict[str, str] = field(default_factory=dict)
    suggest_cheaper: bool = True  # look for a cheaper instance type that serves the same request
    precompiled_engine: bool = False  # trtllm: model_s3_uri holds a compiled engine (no JIT build at startup)
    lora_adapters: tuple[str, ...] = ()  # NAME=SOURCE specs (llmctl.lora)
    lora_rank: int = lora.DEFAULT_RANK


@dataclass(frozen=True)
class RenderResult:
    request: RenderRequest
    arch: ModelArch
    instance: InstanceType
    sizing: Sizing
    plan: RenderPlan
    env: dict[str, str]
    image_uri: str
    startup: Startup
    notes: list[str]
    warnings: list[str] = field(default_factory=list)
    hourly_usd: float | None = None  # on-demand, from llmctl's price table; None: not priced for this region
    adapters: tuple[lora.Adapter, ...] = ()
    volume_size_in_gb: int | None = None  # an ML storage volume: only instance types without instance storage
    copies: Copies | None = None  # --gpus-per-copy: copies per instance and each copy's compute requirements

    def to_dict(self) -> dict[str, Any]:
        s = self.sizing
        return {
            "model": self.arch.name,
            "backend": self.request.backend,
            "image_uri": self.image_uri,
            "instance_type": self.instance.name,
            "gpu": {
                "model": self.instance.gpu.model,
                "count": self.instance.gpu_count,
                "memory_mib_each": self.instance.gpu.memory_mib,
            },
            "tensor_parallel_degree": self.plan.tensor_parallel_degree,
            "quantize": self.plan.quantize,
            "dtype": self.plan.dtype,
            "parameters": s.parameters,
            "weight_bytes": s.weight_bytes,
            "kv_cache_bytes_per_token": s.kv_cache_bytes_per_token,
            "kv_cache_tokens": s.kv_cache_tokens,
            "max_concurrent_sequences": s.max_concurrent_sequences,
            "max_input_tokens": self.plan.max_input_tokens,
            "max_total_tokens": self.plan.max_total_tokens,
            "fits": s.fits,
            "hourly_usd": self.hourly_usd,
            # Served name → the id the container knows: LLM_SERVICE_MODELS' "adapter" for each name.
            "lora_adapters": {a.name: a.container_id for a in self.adapters},
            "per_gpu_mib": {
                "usable": round(s.usable_mib_per_gpu),
                "weights": round(s.weights_mib_per_gpu),
                "activations": round(s.activation_mib_per_gpu),
                "runtime_overhead": round(s.overhead_mib_per_gpu),
                "kv_cache": round(s.kv_budget_mib_per_gpu),
            },
            "model_data_s3_uri": self.request.model_s3_uri,
            "container_startup_health_check_timeout_in_seconds": self.startup.container_startup_health_check_timeout_s,
            "model_data_download_timeout_in_seconds": self.startup.model_data_download_timeout_s,
            "disk_required_gb": self.startup.disk_required_gb,
            "instance_store_gb": self.instance.instance_store_gb,
            "volume_size_in_gb": self.volume_size_in_gb,
            "copies": None
            if self.copies is None
            else {
                "per_instance": self.copies.per_instance,
                "limited_by": self.copies.limited_by,
                "by_gpus": self.copies.by_gpus,
                "by_cpu_cores": self.copies.by_cpu_cores,
                "by_memory": self.copies.by_memory,
                "idle_gpus": self.copies.idle_gpus,
                "compute_resource_requirements": self.copies.compute_requirements(),
            },
            "env": self.env,
            "notes": self.notes,
            "warnings": self.warnings,
        }


def _gib(mib: float) -> str:
    return f"{mib * MIB / GIB:.1f} GiB"


def _resolve_quantize(
    req: RenderRequest, backend: Backend, arch: ModelArch, instance: InstanceType, notes: list[str]
) -> str | None:
    quantize = req.quantize
    if quantize is None and arch.prequantized:
        if arch.prequantized not in backend.quantize_methods:
            raise LlmctlError(
                f"{arch.name} is pre-quantized with {arch.prequantized}, which the {backend.name} backend "
                f"cannot serve; choose another --backend or a 16-bit checkpoint."
            )
        quantize = arch.prequantized
        if quantize in backend.detects_prequantized:
            notes.append(f"quantization {quantize} detected by {backend.name} from the checkpoint's config.json")
        else:
            notes.append(f"quantization {quantize} taken from the checkpoint's config.json")
    if quantize is None:
        return None
    if quantize not in backend.quantize_methods:
        raise LlmctlError(
            f"--quantize {quantize} is not valid for the {backend.name} backend; use one of "
            f"{', '.join(sorted(backend.quantize_methods))}."
        )
    if quantize in PREQUANTIZED_ONLY and arch.prequantized != quantize and quantize not in backend.in_flight_quantize:
        raise LlmctlError(
            f"--quantize {quantize} needs a checkpoint already quantized with {quantize}, but {arch.name} is "
            f"not; serve a {quantize} checkpoint or quantize at load time with "
            f"{' or '.join(backend.in_flight_quantize)}."
        )
    if quantize == "fp8" and instance.gpu.compute_capability < 8.0:
        raise LlmctlError(
            f"--quantize fp8 needs an Ampere or newer GPU, but {instance.name} has an {instance.gpu.model}; "
            "use eetq/bitsandbytes or a g5/g6/g6e/p4d/p5 instance."
        )
    return quantize


def _resolve_dtype(
    req: RenderRequest,
    backend: Backend,
    arch: ModelArch,
    instance: InstanceType,
    quantize: str | None,
    notes: list[str],
) -> str | None:
    float16_only = quantize in FLOAT16_ONLY_QUANTIZE and backend.name != "tgi"
    if req.dtype is not None:
        if req.dtype == "bfloat16" and float16_only:
            raise LlmctlError(
                f"--dtype bfloat16 cannot serve {quantize} on {backend.name}: its kernels run in float16 only; "
                "use --dtype float16 or leave --dtype out."
            )
        if req.dtype == "bfloat16" and not instance.gpu.supports_bf16:
            raise LlmctlError(
                f"--dtype bfloat16 is not supported on {instance.name} ({instance.gpu.model}, compute capability "
                f"{instance.gpu.compute_capability}); use --dtype float16."
            )
        if quantize and not (backend.allows_dtype_with_quantize or quantize in backend.dtype_with_quantize_methods):
            raise LlmctlError(
                f"--dtype cannot be combined with --quantize on {backend.name} (the launcher rejects DTYPE "
                "with QUANTIZE); drop --dtype."
            )
        return req.dtype
    if quantize and not backend.allows_dtype_with_quantize:
        return None
    if float16_only:
        return "float16"
    if not instance.gpu.supports_bf16:
        if arch.torch_dtype == "bfloat16":
            notes.append(f"{instance.gpu.model} has no bfloat16: serving in float16")
        return "float16"
    return "float16" if arch.torch_dtype == "float16" else "bfloat16"


def _no_kv_replication(backend: Backend) -> str:
    return "" if backend.replicates_kv_heads else f" ({backend.name} does not replicate KV heads)"


def _resolve_tp(req: RenderRequest, arch: ModelArch, instance: InstanceType, backend: Backend, notes: list[str]) -> int:
    valid = valid_tp_degrees(arch, instance.gpu_count, backend.replicates_kv_heads)
    asked, flag = (
        (req.gpus_per_copy, "--gpus-per-copy") if req.gpus_per_copy is not None else (req.num_gpus, "--num-gpus")
    )
    if asked is None:
        tp = choose_tp(arch, instance, backend.replicates_kv_heads)
        if tp < instance.gpu_count:
            notes.append(
                f"{arch.name}'s {arch.num_attention_heads} heads / {arch.num_kv_heads} KV heads cannot be split "
                f"{instance.gpu_count} ways by {backend.name}: "
                f"{instance.gpu_count - tp} of {instance.gpu_count} GPUs stay idle; --gpus-per-copy {tp} puts "
                f"{instance.gpu_count // tp} copies on each instance of an inference-component endpoint"
            )
        return tp
    if asked < 1 or asked > instance.gpu_count:
        raise LlmctlError(
            f"{flag} {asked} is outside 1..{instance.gpu_count}, the GPUs on {instance.name}; "
            f"use one of {', '.join(map(str, valid))}."
        )
    if asked not in valid:
        raise LlmctlError(
            f"{flag} {asked} does not divide {arch.name}'s {arch.num_attention_heads} attention heads "
            f"and {arch.num_kv_heads} KV heads{_no_kv_replication(backend)}; "
            f"use one of {', '.join(map(str, valid))}."
        )
    return asked


def _resolve_tokens(req: RenderRequest, arch: ModelArch) -> tuple[int, int]:
    context = arch.max_context
    total, max_input = req.max_total_tokens, req.max_input_tokens
    if total is not None and total > context:
        raise LlmctlError(
            f"--max-total-tokens {total} exceeds {arch.name}'s context of {context} tokens; use at most {context}."
        )
    if max_input is not None and max_input < 1:
        raise LlmctlError(f"--max-input-tokens {max_input} must be at least 1.")
    if max_input is not None and max_input >= context:
        raise LlmctlError(
            f"--max-input-tokens {max_input} leaves no room to generate within {arch.name}'s context of "
            f"{context} tokens; use at most {context - 1}."
        )
    if total is not None and max_input is not None and max_input >= total:
        raise LlmctlError(
            f"--max-input-tokens {max_input} must be less than --max-total-tokens {total} (TGI's rule: "
            "input < total); lower the input or raise the total."
        )
    if total is None and max_input is None:
        total = min(context, DEFAULT_MAX_TOTAL_TOKENS)
    if total is None:
        assert max_input is not None
        total = min(context, max_input + DEFAULT_MAX_NEW_TOKENS)
    if max_input is None:
        if total < 2:
            raise LlmctlError(f"--max-total-tokens {total} must be at least 2 (one input and one new token).")
        max_input = total - min(DEFAULT_MAX_NEW_TOKENS, total // 2)
    return max_input, total


def _sizing_inputs(
    req: RenderRequest,
    arch: ModelArch,
    instance: InstanceType,
    tp: int,
    quantize: str | None,
    kv_dtype: str | None,
    max_input: int,
    total: int,
) -> SizingInputs:
    return SizingInputs(
        arch=arch,
        instance=instance,
        backend=req.backend,
        tensor_parallel_degree=tp,
        quantize=quantize,
        kv_cache_dtype=kv_dtype,
        max_input_tokens=max_input,
        max_total_tokens=total,
        max_batch_prefill_tokens=max(max_input, MIN_PREFILL_TOKENS),
        memory_utilization=req.memory_utilization or DEFAULT_MEMORY_UTILIZATION,
        adapter_bytes=len(req.lora_adapters) * lora.bytes_per_adapter(arch, req.lora_rank),
    )


def _shrink_to_fit(inputs: SizingInputs) -> Sizing | None:
    """Largest total (step 256) that fits, for when the user left the token limits to us."""
    total = inputs.max_total_tokens - SHRINK_STEP
    while total >= MIN_DEFAULT_TOTAL:
        max_input = total - min(DEFAULT_MAX_NEW_TOKENS, total // 2)
        candidate = size(
            replace(
                inputs,
                max_input_tokens=max_input,
                max_total_tokens=total,
                max_batch_prefill_tokens=max(max_input, MIN_PREFILL_TOKENS),
            )
        )
        if candidate.fits:
            return candidate
        total -= SHRINK_STEP
    return None


def _price_text(instance: InstanceType, region: str) -> str:
    price = hourly(price_table(), region, instance.name)
    return f" (${price:,.2f}/h)" if price is not None else ""


def smallest_fitting(inputs: SizingInputs, backend: Backend) -> InstanceType | None:
    """The smallest instance type the model fits on as asked (its own tensor-parallel degree on each)."""
    return next((instance for instance in by_size() if _fits_on(inputs, backend, instance)), None)


def _fits_on(inputs: SizingInputs, backend: Backend, instance: InstanceType) -> bool:
    tp = choose_tp(inputs.arch, instance, backend.replicates_kv_heads)
    return size(replace(inputs, instance=instance, tensor_parallel_degree=tp)).fits


def cheaper_alternative(
    req: RenderRequest, inputs: SizingInputs, backend: Backend, below: float | None
) -> tuple[str, float] | None:
    """The cheapest instance type (priced in the request's region, under `below`) that renders this request in full,
    every container rule and the token limits included, or None. Candidates that fit by size are rendered in price
    order: a T4 cannot run recent TGI images, fp8 needs Ada or Hopper."""
    table = price_table()
    priced = sorted(
        (price, instance.name)
        for instance in by_size()
        if (price := hourly(table, req.region, instance.name)) is not None
        and (below is None or price < below)
        and _fits_on(inputs, backend, instance)
    )
    for price, name in priced[:MAX_ALTERNATIVES_TRIED]:
        try:
            candidate = render(replace(req, instance_type=name, num_gpus=None, suggest_cheaper=False))
        except LlmctlError:
            continue
        if candidate.plan.max_total_tokens >= inputs.max_total_tokens:
            return name, price
    return None


def _suggestions(inputs: SizingInputs, backend: Backend, region: str, req: RenderRequest | None = None) -> str:
    parts = []
    for method in backend.in_flight_quantize:
        # FP8 kernels: Ampere on for the vLLM/TGI Marlin paths, Ada/Hopper for TensorRT-LLM (its support matrix).
        fp8_floor = FP8_MIN_COMPUTE_CAPABILITY if backend.name == "trtllm" else 8.0
        if method == inputs.quantize or (method == "fp8" and inputs.instance.gpu.compute_capability < fp8_floor):
            continue
        if size(replace(inputs, quantize=method)).fits:
            parts.append(f"--quantize {method} would fit")
            break
    smallest = smallest_fitting(inputs, backend)
    if smallest is not None:
        parts.append(f"the smallest instance type that fits is {smallest.name}{_price_text(smallest, region)}")
    if req is not None and req.suggest_cheaper:
        best = cheaper_alternative(req, inputs, backend, None)
        if best is not None and (smallest is None or best[0] != smallest.name):
            parts.append(f"the cheapest that fits is {best[0]} (${best[1]:,.2f}/h in {region})")
    return "; ".join(parts) if parts else "no quantization or instance type here fits it"


def _not_fit_error(sizing: Sizing, backend: Backend, req: RenderRequest) -> LlmctlError:
    i = sizing.inputs
    advice = _copy_suggestions(i, backend) if req.gpus_per_copy is not None else ""
    advice = advice or _suggestions(i, backend, req.region, req)
    need_kv = i.max_total_tokens * sizing.kv_cache_bytes_per_token_per_gpu / MIB
    return LlmctlError(
        f"{i.arch.name} does not fit on {i.instance.name} with {backend.name}: each of {i.tensor_parallel_degree} "
        f"GPU(s) needs {_gib(sizing.weights_mib_per_gpu)} of weights + {_gib(need_kv)} of KV cache for one "
        f"{i.max_total_tokens}-token sequence + {_gib(sizing.activation_mib_per_gpu + sizing.overhead_mib_per_gpu)} "
        f"reserve but has {_gib(sizing.usable_mib_per_gpu)} usable (short by "
        f"{_gib(sizing.shortfall_mib_per_gpu)}); {advice}."
    )


def _fit_copies(req: RenderRequest, instance: InstanceType, tp: int, sizing: Sizing, notes: list[str]) -> Copies | None:
    if req.gpus_per_copy is None:
        if req.num_gpus is not None and tp < instance.gpu_count:
            notes.append(
                f"--num-gpus {tp} leaves {instance.gpu_count - tp} of {instance.gpu_count} paid GPUs on "
                f"{instance.name} idle: a real-time endpoint runs one model server per instance; --gpus-per-copy "
                f"{tp} serves {instance.gpu_count // tp} copies per instance on an inference-component endpoint"
            )
        return None
    copies = fit_copies(instance, tp, sizing.weight_bytes)
    if copies.per_instance == 0:
        free_gib = (instance.memory_gib * 1024 - HOST_RESERVE_MIB) // 1024
        raise LlmctlError(
            f"one copy of {sizing.inputs.arch.name} needs {copies.cpu_cores_needed} CPU cores and "
            f"{copies.memory_mib_needed // 1024} GiB of host memory, but {instance.name} offers "
            f"{instance.vcpus - HOST_RESERVE_VCPUS} cores and {free_gib} GiB after SageMaker's share "
            "(docs/sizing.md, copies); choose a larger size of the family."
        )
    notes.append(
        f"{copies.per_instance} copies of {tp} GPU(s) per {instance.name} (limited by {copies.limited_by}: "
        f"{copies.by_gpus} by GPUs, {copies.by_cpu_cores} by CPU cores, {copies.by_memory} by host memory)"
        + (f"; {copies.idle_gpus} GPU(s) stay idle" if copies.idle_gpus else "")
    )
    return copies


def _copy_suggestions(inputs: SizingInputs, backend: Backend) -> str:
    """Where copies of this size would fit instead: more GPUs per copy here, or another instance type."""
    arch, instance, tp = inputs.arch, inputs.instance, inputs.tensor_parallel_degree
    parts = []
    for wider in valid_tp_degrees(arch, instance.gpu_count, backend.replicates_kv_heads):
        wide = size(replace(inputs, tensor_parallel_degree=wider))
        if wider > tp and wide.fits:
            count = fit_copies(instance, wider, wide.weight_bytes).per_instance
            parts.append(f"with --gpus-per-copy {wider}, {count} copies fit on {instance.name}")
            break
    wanted = instance.gpu_count // tp
    for other in by_size():
        if other.gpu_count < wanted * tp or backend.check_image("", other.gpu) is not None:
            continue
        other_size = size(replace(inputs, instance=other))
        if other_size.fits and fit_copies(other, tp, other_size.weight_bytes).per_instance >= wanted:
            parts.append(f"{other.name} ({other.gpu_count}× {other.gpu.model}) fits {wanted} copies of {tp} GPU(s)")
            break
    return "; ".join(parts)


def _parse_s3_uri(uri: str | None) -> str | None:
    if uri is None:
        return None
    if not uri.startswith("s3://") or len(uri) <= 5 or uri[5] == "/":
        raise LlmctlError(f"--model-s3-uri {uri!r} is not an s3:// URI; use s3://bucket/prefix/.")
    bucket, _, key = uri[5:].partition("/")
    if not S3_BUCKET.match(bucket):
        raise LlmctlError(
            f"--model-s3-uri: {bucket!r} is not a valid S3 bucket name (3-63 lowercase letters, digits, dots and "
            "hyphens, starting and ending with a letter or digit); give the bucket's real name."
        )
    last = key.rstrip("/").rsplit("/", 1)[-1]
    if last.endswith(ARCHIVE_SUFFIXES) or last.endswith(WEIGHT_FILE_SUFFIXES):
        raise LlmctlError(
            f"--model-s3-uri {uri} names a file ({last}), but the stack serves an uncompressed prefix (S3Prefix, "
            "CompressionType None: no archive to unpack before startup); upload the unpacked model files (config.json, "
            "tokenizer files, *.safetensors) under a prefix and pass the prefix, e.g. "
            f"s3://{bucket}/{key.rstrip('/')[: -len(last)] or '<model>/'} "
            '(docs/deploy.md, "Weights in S3").'
        )
    return uri if uri.endswith("/") else uri + "/"  # S3Prefix: the container gets the prefix's files


def _check_weights_key(arn: str | None, s3_uri: str | None, region: str) -> None:
    """A customer-managed key for the weights' bucket: the execution role may decrypt with exactly this key."""
    if arn is None:
        return
    if s3_uri is None:
        raise LlmctlError(
            "--model-s3-kms-key needs --model-s3-uri: it is the key of the bucket that holds the weights."
        )
    match = KMS_KEY_ARN.match(arn)
    if match is None:
        raise LlmctlError(
            f"--model-s3-kms-key {arn!r} is not a KMS key ARN; give arn:aws:kms:<region>:<account>:key/<key id> "
            "(an alias ARN is not accepted: IAM matches key ARNs)."
        )
    if match.group("region") != region:
        raise LlmctlError(
            f"--model-s3-kms-key is in {match.group('region')} but the endpoint is in {region}: SageMaker reads model "
            f"data from a bucket in its own region; copy the weights to a {region} bucket and pass that bucket's key."
        )


def render(req: RenderRequest) -> RenderResult:
    backend = BACKENDS.get(req.backend)
    if backend is None:
        raise LlmctlError(f"--backend {req.backend} is unknown; use one of {', '.join(BACKENDS)}.")
    if req.num_gpus is not None and req.gpus_per_copy is not None:
        raise LlmctlError(
            "--num-gpus and --gpus-per-copy both set the GPUs of one model server; pass --gpus-per-copy alone for "
            "inference-component copies, or --num-gpus alone for a real-time endpoint."
        )
    if req.memory_utilization is not None and not 0.1 <= req.memory_utilization <= 1.0:
        raise LlmctlError(f"--memory-utilization {req.memory_utilization} must be between 0.1 and 1.0.")
    if req.precompiled_engine and (req.backend != "trtllm" or not req.model_s3_uri or req.quantize):
        raise LlmctlError(
            "--precompiled-engine describes a TensorRT-LLM engine already built: it needs -b trtllm and "
            "--model-s3-uri (where the engine is), and no --quantize (the engine was quantized when built)."
        )
    s3_uri = _parse_s3_uri(req.model_s3_uri)
    _check_weights_key(req.model_s3_kms_key_arn, s3_uri, req.region)
    adapters = lora.parse(req.lora_adapters, s3_uri, req.backend)
    if adapters:
        lora.check_rank(req.lora_rank, req.backend)
    req = replace(req, model_s3_uri=s3_uri)
    instance = get_instance(req.instance_type)
    image_uri = req.image_uri or resolve_image_uri(req.backend, req.region, req.image_version)
    unsupported_gpu = backend.check_image(image_uri, instance.gpu)
    if unsupported_gpu:
        raise LlmctlError(unsupported_gpu)
    arch = resolve_model(req.model_id, req.model_config, req.revision)
    too_old = backend.check_model_image(image_uri, arch)
    if too_old is None and req.backend == "tgi" and any(a.path for a in adapters):
        too_old = TgiBackend.lora_path_problem(image_uri)
    if too_old:
        raise LlmctlError(too_old)
    notes: list[str] = []
    if req.backend == "tgi" and req.image_uri and TgiBackend.image_version(image_uri) is None:
        notes.append(
            "the image's TGI version is not in its tag: version-dependent limits are applied as for the strictest "
            "TGI version (e.g. a sliding window capped without flash-attention v2); tag it …-tgiX.Y.Z-… to be exact"
        )
    quantize = _resolve_quantize(req, backend, arch, instance, notes)
    dtype = _resolve_dtype(req, backend, arch, instance, quantize, notes)
    kv_dtype = req.kv_cache_dtype
    if kv_dtype is not None and instance.gpu.compute_capability < 8.0:
        raise LlmctlError(f"--kv-cache-dtype {kv_dtype} needs an Ampere or newer GPU; {instance.name} has a T4.")
    tp = _resolve_tp(req, arch, instance, backend, notes)
    max_input, total = _resolve_tokens(req, arch)
    window = arch.sliding_window
    if (
        req.backend == "tgi"
        and window
        and instance.gpu.compute_capability < 8.0
        and req.max_input_tokens is None
        and max_input > window
    ):
        # TGI serves a sliding-window model without flash-attention v2 only when inputs fit in the window.
        max_input = window
        notes.append(
            f"max input tokens capped at {arch.name}'s {window}-token sliding window: "
            f"TGI needs that on {instance.gpu.model}"
        )
    inputs = _sizing_inputs(req, arch, instance, tp, quantize, kv_dtype, max_input, total)
    sizing = size(inputs)
    if not sizing.fits and req.max_total_tokens is None and req.max_input_tokens is None:
        shrunk = _shrink_to_fit(inputs)
        if shrunk is not None:
            notes.append(
                f"max total tokens lowered from {total} to {shrunk.inputs.max_total_tokens} so one full "
                "sequence fits; pass --max-total-tokens to choose"
            )
            sizing = shrunk
    if not sizing.fits:
        raise _not_fit_error(sizing, backend, req)
    si = sizing.inputs
    copies = _fit_copies(req, instance, tp, sizing, notes)
    hourly_usd = hourly(price_table(), req.region, instance.name)
    best = None
    if hourly_usd is not None and req.suggest_cheaper and req.num_gpus is None and req.gpus_per_copy is None:
        best = cheaper_alternative(req, si, backend, hourly_usd)
    if best is not None and hourly_usd is not None:
        notes.append(
            f"{best[0]} also serves this at ${best[1]:,.2f}/h in {req.region}, less than {instance.name}'s "
            f"${hourly_usd:,.2f}/h (on-demand, llmctl's price table)"
        )
    plan = RenderPlan(
        model_ref="/opt/ml/model" if s3_uri else arch.name,
        arch=arch,
        instance=instance,
        tensor_parallel_degree=tp,
        quantize=quantize,
        dtype=dtype,
        quantize_detected=req.quantize is None and quantize is not None and quantize in backend.detects_prequantized,
        kv_cache_dtype=TGI_KV_CACHE_DTYPE.get(kv_dtype, kv_dtype) if kv_dtype and req.backend == "tgi" else kv_dtype,
        max_input_tokens=si.max_input_tokens,
        max_total_tokens=si.max_total_tokens,
        max_batch_total_tokens=sizing.kv_cache_tokens,
        max_batch_prefill_tokens=min(si.max_batch_prefill_tokens, sizing.kv_cache_tokens),
        memory_utilization=req.memory_utilization,
        revision=req.revision,
        trust_remote_code=req.trust_remote_code,
        lora_adapters=adapters,
        lora_rank=req.lora_rank,
    )
    env = backend.render_env(plan)
    env.update(req.env_overrides)
    problems = secret_problems(env) + backend.check_env(env, arch, instance.gpu)
    if problems:
        raise LlmctlError(problems[0] if len(problems) == 1 else " ".join(problems))
    try:
        compiles = req.backend == "trtllm" and not req.precompiled_engine
        compile_s = compile_seconds(sizing.parameters, quantize) if compiles else 0
        startup = estimate(sizing.download_bytes, s3_uri is None, tp, backend.min_startup_timeout_s, compile_s)
    except TooSlowToStart as slow:
        raise LlmctlError(
            f"{arch.name}'s weights take about {slow.args[0]} s to download from S3 and load even without margin, "
            f"more than the AWS provider's 60-minute wait for InService; serve it from the Hub or a pre-sharded, "
            "smaller checkpoint (docs/sizing.md, startup timeouts)."
        ) from None
    if req.precompiled_engine:
        notes.append("the TensorRT-LLM engine is loaded as compiled from --model-s3-uri: no build at startup")
    elif req.backend == "trtllm":
        notes.append(
            f"the TensorRT-LLM engine is compiled at startup: about {compile_s / 60:.0f} min of the "
            f"{startup.container_startup_health_check_timeout_s} s health-check timeout (docs/sizing.md)"
        )
        if startup.container_startup_health_check_timeout_s > MODEL_LOADING_TIMEOUT_S and (
            "OPTION_MODEL_LOADING_TIMEOUT" not in env
        ):
            # LMI stops waiting for the model (the build included) after its own timeout, 1800 s by default.
            env["OPTION_MODEL_LOADING_TIMEOUT"] = str(startup.container_startup_health_check_timeout_s)
    if startup.margin_cut_to_fit:
        notes.append(
            f"download + startup timeouts cut to {startup.model_data_download_timeout_s} s + "
            f"{startup.container_startup_health_check_timeout_s} s to fit the AWS provider's 60-minute wait "
            "(less than the usual 1.5× margin)"
        )
    volume_size_in_gb = None
    if instance.ebs_only:
        if startup.disk_required_gb > MAX_VOLUME_GB:
            raise LlmctlError(
                f"{arch.name}'s checkpoint needs about {startup.disk_required_gb} GB of disk, more than the "
                f"{MAX_VOLUME_GB} GB ML storage volume SageMaker attaches to {instance.name}; choose an instance "
                "type with NVMe instance storage (g5, g6, g6e, p4d, p5)."
            )
        volume_size_in_gb = startup.disk_required_gb
    elif startup.disk_required_gb > instance.instance_store_gb:
        raise LlmctlError(
            f"{arch.name}'s checkpoint needs about {startup.disk_required_gb} GB of disk but {instance.name} has "
            f"{instance.instance_store_gb} GB of instance storage; choose a larger size of the family."
        )
    warnings = []
    if s3_uri is None and is_gated(arch.name):
        warnings.append(
            f"{arch.name} is gated on the Hugging Face Hub: the container cannot download it without a token, which "
            "the stack never puts in its environment; stage the weights in the artifacts bucket and render with "
            '--model-s3-uri s3://<bucket>/models/<name>/ (docs/deploy.md, "Gated models").'
        )
    return RenderResult(
        req,
        arch,
        instance,
        sizing,
        plan,
        env,
        image_uri,
        startup,
        notes,
        warnings,
        hourly_usd,
        adapters,
        volume_size_in_gb,
        copies,
    )

"""The sizing model's formulas and decisions, on the cases operators hit."""

from __future__ import annotations

import json
from importlib import resources

import pytest
from llmctl.instances import INSTANCE_TYPES, get_instance
from llmctl.models import resolve_model
from llmctl.render import RenderRequest, render
from llmctl.sizing import kv_bytes_per_token, kv_bytes_per_token_per_gpu, valid_tp_degrees, weight_bytes


def test_kv_cache_bytes_per_token_formula() -> None:
    llama8b = resolve_model("meta-llama/Llama-3.1-8B", None)
    # 2 (K and V) × 32 layers × 8 KV heads × 128 head_dim × 2 bytes
    assert kv_bytes_per_token(llama8b, None) == 2 * 32 * 8 * 128 * 2 == 131072
    assert kv_bytes_per_token(llama8b, "fp8") == 65536


def test_explicit_head_dim_is_used() -> None:
    gemma = resolve_model("google/gemma-2-9b", None)
    assert gemma.head_dim == 256 != gemma.hidden_size // gemma.num_attention_heads
    assert kv_bytes_per_token(gemma, None) == 2 * 42 * 8 * 256 * 2


def test_kv_heads_replicate_when_shards_outnumber_them() -> None:
    qwen = resolve_model("Qwen/Qwen2.5-7B", None)  # 4 KV heads
    assert kv_bytes_per_token_per_gpu(qwen, None, 4) == kv_bytes_per_token(qwen, None) // 4
    llama70b = resolve_model("meta-llama/Llama-3.1-70B", None)  # 8 KV heads
    assert kv_bytes_per_token_per_gpu(llama70b, None, 8) == kv_bytes_per_token(llama70b, None) // 8


def test_each_shard_keeps_a_whole_kv_head_when_shards_outnumber_them() -> None:
    """Qwen2-1.5B has 2 KV heads: at TP 4 (vLLM replicates) each GPU holds one whole head, not half of one."""
    from pathlib import Path

    from llmctl.models import arch_from_config, load_config_file

    config = Path(__file__).parents[1] / "fixtures" / "qwen2-1.5b-instruct-config.json"
    qwen2 = arch_from_config(load_config_file(config), "Qwen/Qwen2-1.5B-Instruct")
    assert qwen2.num_kv_heads == 2
    one_head = 2 * qwen2.num_layers * 1 * qwen2.head_dim * 2
    assert kv_bytes_per_token_per_gpu(qwen2, None, 4) == one_head == kv_bytes_per_token(qwen2, None) // 2
    at_tp2 = render(RenderRequest("Qwen/Qwen2-1.5B-Instruct", "ml.g5.12xlarge", "vllm", config, num_gpus=2))
    at_tp4 = render(RenderRequest("Qwen/Qwen2-1.5B-Instruct", "ml.g5.12xlarge", "vllm", config, num_gpus=4))
    # Twice the GPUs, the same KV bytes per GPU per token: the tokens that fit grow with the freed weight memory only.
    assert at_tp4.sizing.kv_cache_bytes_per_token_per_gpu == at_tp2.sizing.kv_cache_bytes_per_token_per_gpu
    assert at_tp4.sizing.kv_cache_tokens < 1.2 * at_tp2.sizing.kv_cache_tokens


def test_quantization_shrinks_only_linear_layers() -> None:
    llama8b = resolve_model("meta-llama/Llama-3.1-8B", None)
    bf16, fp8, nf4 = (weight_bytes(llama8b, q, "tgi") for q in (None, "fp8", "bitsandbytes-nf4"))
    assert bf16 == llama8b.parameter_count() * 2
    embeddings = llama8b.embedding_params() * 2
    assert fp8 > bf16 / 2 and fp8 - embeddings == pytest.approx((bf16 - embeddings) / 2, rel=0.01)
    assert nf4 < fp8


def test_tp_uses_every_gpu_when_heads_allow() -> None:
    result = render(RenderRequest("meta-llama/Llama-3.1-70B-Instruct", "ml.p4d.24xlarge"))
    assert result.plan.tensor_parallel_degree == 8


def test_tp_falls_back_when_heads_do_not_split_and_says_so() -> None:
    qwen = resolve_model("Qwen/Qwen2.5-7B", None)  # 28 heads
    assert valid_tp_degrees(qwen, 8) == [1, 2, 4]
    result = render(RenderRequest("Qwen/Qwen2.5-7B-Instruct", "ml.g5.48xlarge"))
    assert result.plan.tensor_parallel_degree == 4
    assert any("4 of 8 GPUs stay idle" in note for note in result.notes)


def test_fp8_kv_cache_doubles_tokens_that_fit() -> None:
    base = render(RenderRequest("meta-llama/Llama-3.1-8B", "ml.g6e.xlarge"))
    fp8 = render(RenderRequest("meta-llama/Llama-3.1-8B", "ml.g6e.xlarge", kv_cache_dtype="fp8"))
    assert fp8.sizing.kv_cache_tokens == pytest.approx(2 * base.sizing.kv_cache_tokens, rel=0.001)


def test_more_shards_hold_more_tokens() -> None:
    two = render(RenderRequest("meta-llama/Llama-3.1-8B", "ml.g5.12xlarge", num_gpus=2))
    four = render(RenderRequest("meta-llama/Llama-3.1-8B", "ml.g5.12xlarge"))
    assert four.plan.tensor_parallel_degree == 4
    assert four.sizing.kv_cache_tokens > 2 * two.sizing.kv_cache_tokens


def test_default_tokens_shrink_to_fit_and_say_so() -> None:
    result = render(RenderRequest("google/gemma-2-9b-it", "ml.g5.xlarge"))
    assert result.sizing.fits
    assert result.plan.max_total_tokens < 8192
    assert any("lowered" in note for note in result.notes)


def test_t4_serves_float16() -> None:
    result = render(RenderRequest("microsoft/Phi-3-mini-4k-instruct", "ml.g4dn.xlarge", image_version="2.0.1"))
    assert result.env["DTYPE"] == "float16"


def test_gpu_counts_agree_with_the_sagemaker_sdk() -> None:
    sdk = resources.files("sagemaker.core") / "image_uri_config" / "instance_gpu_info.json"
    known = json.loads(sdk.read_text())["us-east-1"]
    compared = 0
    for name, info in known.items():
        if name in INSTANCE_TYPES:
            assert get_instance(name).gpu_count == info["Count"], name
            # The SDK lists marketing sizes (T4 16 GiB, A10G 24 GiB); ours is what the frameworks see, up to 8% less.
            assert get_instance(name).total_gpu_mib == pytest.approx(info["TotalGpuMemoryInMiB"], rel=0.08), name
            compared += 1
    assert compared >= 15


def test_startup_timeouts_scale_with_model_size() -> None:
    small = render(RenderRequest("meta-llama/Llama-3.2-1B-Instruct", "ml.g6e.xlarge", backend="vllm"))
    large = render(RenderRequest("meta-llama/Llama-3.1-70B-Instruct", "ml.p4d.24xlarge", backend="vllm"))
    for r in (small, large):
        assert 60 <= r.startup.container_startup_health_check_timeout_s <= 3600
        assert 60 <= r.startup.model_data_download_timeout_s <= 3600
    assert (
        large.startup.container_startup_health_check_timeout_s > small.startup.container_startup_health_check_timeout_s
    )
    assert large.startup.model_data_download_timeout_s > small.startup.model_data_download_timeout_s


def test_lmi_waits_at_least_its_own_loading_timeout() -> None:
    result = render(RenderRequest("meta-llama/Llama-3.2-1B-Instruct", "ml.g5.xlarge", backend="lmi"))
    assert result.startup.container_startup_health_check_timeout_s >= 1800


def test_s3_weights_fit_download_and_startup_in_the_providers_hour() -> None:
    """The AWS provider waits 60 minutes for InService; with S3 weights the download and the startup both run in it."""
    from llmctl.errors import LlmctlError

    big = "mistralai/Mixtral-8x22B-Instruct-v0.1"
    staged = render(RenderRequest(big, "ml.p5.48xlarge", model_s3_uri="s3://team-models/models/mixtral/"))
    total = staged.startup.model_data_download_timeout_s + staged.startup.container_startup_health_check_timeout_s
    assert total <= 3600 and staged.startup.margin_cut_to_fit
    assert any("60-minute wait" in note for note in staged.notes)
    small = render(
        RenderRequest("meta-llama/Llama-3.1-8B-Instruct", "ml.g5.2xlarge", model_s3_uri="s3://team-models/m/")
    )
    assert not small.startup.margin_cut_to_fit, "a model that fits keeps the full margin"
    with pytest.raises(LlmctlError, match="more than the AWS provider's 60-minute wait"):
        render(RenderRequest(big, "ml.p5.48xlarge", "lmi", model_s3_uri="s3://team-models/models/mixtral/"))


# --- Written against the survivors of `make mutation` (docs/mutation.md). ---


def _inputs(model: str, instance: str, tp: int, **changes: object):  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from llmctl.sizing import SizingInputs

    base = SizingInputs(
        arch=resolve_model(model, None),
        instance=get_instance(instance),
        backend="tgi",
        tensor_parallel_degree=tp,
        quantize=None,
        kv_cache_dtype=None,
        max_input_tokens=6144,
        max_total_tokens=8192,
        max_batch_prefill_tokens=6144,
        memory_utilization=0.9,
    )
    return replace(base, **changes)


def test_the_shortfall_is_what_one_full_sequence_lacks() -> None:
    from llmctl.sizing import MIB, size

    sized = size(_inputs("meta-llama/Llama-3.1-70B-Instruct", "ml.g5.2xlarge", 1))
    need = 8192 * sized.kv_cache_bytes_per_token_per_gpu / MIB
    assert not sized.fits and sized.kv_cache_tokens == 0, "no room at all: zero tokens, never a negative count"
    assert sized.shortfall_mib_per_gpu == pytest.approx(need - sized.kv_budget_mib_per_gpu)
    fitting = size(_inputs("meta-llama/Llama-3.1-8B-Instruct", "ml.g5.2xlarge", 1))
    assert fitting.fits and fitting.shortfall_mib_per_gpu == 0.0


def test_exactly_one_full_sequence_fits() -> None:
    from dataclasses import replace

    from llmctl.sizing import size

    sized = size(_inputs("meta-llama/Llama-3.1-8B-Instruct", "ml.g5.2xlarge", 1))
    assert replace(sized, kv_cache_tokens=8192).fits and not replace(sized, kv_cache_tokens=8191).fits


def test_sharding_adds_the_collective_buffers_once() -> None:
    from llmctl.sizing import NCCL_OVERHEAD_MIB, size

    one = size(_inputs("meta-llama/Llama-3.1-8B-Instruct", "ml.g5.12xlarge", 1))
    two = size(_inputs("meta-llama/Llama-3.1-8B-Instruct", "ml.g5.12xlarge", 2))
    four = size(_inputs("meta-llama/Llama-3.1-8B-Instruct", "ml.g5.12xlarge", 4))
    assert two.overhead_mib_per_gpu - one.overhead_mib_per_gpu == NCCL_OVERHEAD_MIB
    assert four.overhead_mib_per_gpu == two.overhead_mib_per_gpu


def test_prequantized_checkpoints_count_their_own_bits() -> None:
    """4-bit AWQ/GPTQ carry scales and zeros (≈ 0.25 bit per weight); an 8-bit checkpoint is counted at 8 bits."""
    import math

    from llmctl.models import arch_from_config
    from llmctl.sizing import linear_bits, weight_bytes

    config = json.loads((resources.files("llmctl") / "catalog" / "models" / "llama-3.1-8b.json").read_text())["config"]
    for bits, expected in ((4, 4.25), (8, 8.0)):
        quantized = {**config, "quantization_config": {"quant_method": "gptq", "bits": bits}}
        arch = arch_from_config(quantized, f"acme/llama-gptq-{bits}bit")
        assert linear_bits("gptq", "vllm", arch) == expected
        other = arch.parameter_count() - arch.linear_params()
        assert weight_bytes(arch, "gptq", "vllm") == math.ceil(arch.linear_params() * expected / 8 + other * 2)
    plain = arch_from_config(config, "meta-llama/Llama-3.1-8B")
    assert linear_bits("bitsandbytes", "tgi", plain) == 8, "TGI's bitsandbytes is LLM.int8"
    assert linear_bits("bitsandbytes", "vllm", plain) == 4.25, "vLLM's in-flight bitsandbytes is NF4"


def test_tp_degrees_need_kv_heads_split_or_replicated_evenly() -> None:
    """24 heads, 6 KV heads: 4 and 8 split the heads but neither divides nor is a multiple of the KV heads."""
    from llmctl.models import arch_from_config

    config = json.loads((resources.files("llmctl") / "catalog" / "models" / "llama-3.1-8b.json").read_text())["config"]
    odd = arch_from_config({**config, "num_attention_heads": 24, "num_key_value_heads": 6, "head_dim": 128}, "odd")
    assert valid_tp_degrees(odd, 8) == [1, 2]
    two_kv = arch_from_config({**config, "num_key_value_heads": 2}, "two-kv")
    assert valid_tp_degrees(two_kv, 8) == [1, 2, 4, 8], "replication is the default (vLLM)"
    assert valid_tp_degrees(two_kv, 8, replicate_kv_heads=False) == [1, 2]


def test_choose_tp_replicates_kv_heads_unless_told_otherwise() -> None:
    from llmctl.models import arch_from_config
    from llmctl.sizing import choose_tp

    config = json.loads((resources.files("llmctl") / "catalog" / "models" / "llama-3.1-8b.json").read_text())["config"]
    two_kv = arch_from_config({**config, "num_key_value_heads": 2}, "two-kv")
    four_gpus = get_instance("ml.g5.12xlarge")
    assert choose_tp(two_kv, four_gpus) == 4 and choose_tp(two_kv, four_gpus, replicate_kv_heads=False) == 2


def test_render_prices_the_instance_and_names_a_cheaper_one_that_fits() -> None:
    """Issue 24: the smallest instance that fits is not the cheapest (Llama-3.1-8B: ml.g6.xlarge at $1.13/h against
    ml.g5.xlarge at $1.41/h in the bundled us-east-1 table)."""
    result = render(RenderRequest("meta-llama/Llama-3.1-8B-Instruct", "ml.g5.xlarge"))
    assert result.hourly_usd == 1.408 or round(result.hourly_usd or 0, 2) == 1.41
    assert any(n.startswith("ml.g6.xlarge also serves this at $1.13/h in us-east-1") for n in result.notes)
    cheapest = render(RenderRequest("meta-llama/Llama-3.1-8B-Instruct", "ml.g6.xlarge"))
    assert not any("also serves this" in n for n in cheapest.notes), "no note when nothing cheaper fits"
    unpriced = render(RenderRequest("meta-llama/Llama-3.1-8B-Instruct", "ml.g5.xlarge", region="ap-south-2"))
    assert unpriced.hourly_usd is None and not any("also serves" in n for n in unpriced.notes)

"""Property test: renders generated across the catalog, --model-config files, every instance type and backend,
quantization, KV-cache dtype, token settings and --set overrides. Every success must satisfy the independent container
rules (tests/container_rules.py); every failure must be exit 2 with one `error:` line and no traceback.
Fixed seed (derandomize) and a bounded example count, so CI runs the same cases every time."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from container_rules import RULES, facts_of, image_problems
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from llmctl.cli import cli
from llmctl.instances import INSTANCE_TYPES
from llmctl.models import catalog_ids, resolve_model

FIXTURES = Path(__file__).parents[1] / "fixtures"
# Real config.json files: 2 KV heads, head_dim 96, a sliding window, AWQ, GPTQ and compressed-tensors checkpoints.
CONFIGS = {
    "hugging-quants/Meta-Llama-3.1-8B-Instruct-AWQ-INT4": FIXTURES / "llama-3.1-8b-awq-config.json",
    "Qwen/Qwen2-1.5B-Instruct": FIXTURES / "qwen2-1.5b-instruct-config.json",
    "microsoft/Phi-3-mini-4k-instruct": FIXTURES / "phi-3-mini-4k-instruct-config.json",
    "mistralai/Mistral-7B-v0.1": FIXTURES / "mistral-7b-v0.1-config.json",
    "Qwen/Qwen2.5-7B-Instruct-AWQ": FIXTURES / "qwen2.5-7b-instruct-awq-config.json",
    "Qwen/Qwen2.5-7B-Instruct-GPTQ-Int4": FIXTURES / "qwen2.5-7b-instruct-gptq-int4-config.json",
    "RedHatAI/Meta-Llama-3.1-8B-Instruct-FP8": FIXTURES / "llama-3.1-8b-instruct-fp8-compressed-tensors-config.json",
}
MODELS = sorted(set(catalog_ids()) - set(CONFIGS)) + sorted(CONFIGS)
QUANTIZE = {
    "tgi": ["fp8", "eetq", "bitsandbytes-nf4", "awq", "exl2"],
    "lmi": ["fp8", "awq"],
    "trtllm": ["fp8", "awq", "smoothquant"],
    "vllm": ["fp8", "awq"],
}
OVERRIDES = {
    "tgi": [
        "MAX_BATCH_SIZE=0",
        "MAX_BATCH_SIZE=16",
        "SM_NUM_GPUS=2",
        "NUM_SHARD=4",
        "MAX_BATCH_PREFILL_TOKENS=512",
        "HF_MODEL_QUANTIZE=exl2",
        "KV_CACHE_DTYPE=fp8_e5m2",
        "MAX_INPUT_TOKENS=3000",
        "DTYPE=float16",
    ],
    "lmi": [
        "OPTION_DTYPE=float16",
        "OPTION_DTYPE=bf16",
        "OPTION_MAX_ROLLING_BATCH_SIZE=64",
        "OPTION_MAX_ROLLING_BATCH_SIZE=9000",
        "OPTION_MAX_ROLLING_BATCH_PREFILL_TOKENS=128",
        "OPTION_ENABLE_CHUNKED_PREFILL=false",
        "TENSOR_PARALLEL_DEGREE=2",
    ],
    "trtllm": [
        "OPTION_MAX_NUM_TOKENS=256",
        "OPTION_MAX_ROLLING_BATCH_SIZE=32",
        "TENSOR_PARALLEL_DEGREE=2",
        "OPTION_QUANT_ALGO=FP8",
        "OPTION_ROLLING_BATCH=auto",
        "OPTION_DTYPE=float16",
    ],
    "vllm": [
        "SM_VLLM_MAX_NUM_SEQS=512",
        "SM_VLLM_MAX_NUM_BATCHED_TOKENS=128",
        "SM_VLLM_ENABLE_CHUNKED_PREFILL=false",
        "SM_VLLM_TENSOR_PARALLEL_SIZE=4",
        "SM_VLLM_MAX_NUM_SEQS=16",
        "SM_VLLM_DTYPE=bfloat16",
        "SM_VLLM_QUANTIZATION=awq",
    ],
}
# TGI images before and after the one that dropped T4 kernels; vLLM/LMI use the newest.
IMAGE_VERSIONS = {"tgi": [None, None, "2.0.1", "2.0.2"], "lmi": [None], "trtllm": [None], "vllm": [None]}
OUTCOMES: Counter[str] = Counter()


@st.composite
def render_args(draw: Any) -> list[str]:
    model = draw(st.sampled_from(MODELS))
    backend = draw(st.sampled_from(sorted(RULES)))
    args = [model, "-i", draw(st.sampled_from(sorted(INSTANCE_TYPES))), "-b", backend, "--format", "json"]
    if model in CONFIGS:
        args += ["--model-config", str(CONFIGS[model])]
    image_version = draw(st.sampled_from(IMAGE_VERSIONS[backend]))
    if image_version:
        args += ["--image-version", image_version]
    if draw(st.booleans()) and draw(st.booleans()):
        args += ["--quantize", draw(st.sampled_from(QUANTIZE[backend]))]
    if draw(st.integers(0, 4)) == 0:
        args += ["--kv-cache-dtype", "fp8"]
    total = draw(st.sampled_from([None, None, 2048, 4096, 8192, 16384, 32768]))
    if total is not None:
        args += ["--max-total-tokens", str(total)]
        if draw(st.booleans()):
            args += ["--max-input-tokens", str(draw(st.integers(1, total)))]
    for override in draw(st.lists(st.sampled_from(OVERRIDES[backend]), max_size=2, unique=True)):
        args += ["--set", override]
    return args


@settings(max_examples=400, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
@given(render_args())
def test_every_render_is_valid_or_a_clear_refusal(args: list[str]) -> None:
    result = CliRunner().invoke(cli, ["render", *args])
    assert ("Traceback" not in result.output and result.exception is None) or isinstance(result.exception, SystemExit)
    if result.exit_code != 0:
        OUTCOMES["refused"] += 1
        assert result.exit_code == 2, result.output
        lines = [line for line in result.output.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("error: "), result.output
        return
    OUTCOMES["rendered"] += 1
    rendered = json.loads(result.output)
    model, backend = args[0], args[args.index("-b") + 1]
    arch = resolve_model(model, CONFIGS.get(model))
    gpu = INSTANCE_TYPES[rendered["instance_type"]].gpu
    facts = facts_of(arch, gpu)
    assert RULES[backend](rendered["env"], facts) == [], f"llmctl render {' '.join(args)}"
    assert image_problems(rendered["image_uri"], facts) == [], f"llmctl render {' '.join(args)}"


def test_the_generator_exercises_both_outcomes() -> None:
    """Run after the property test (file order): both successes and refusals were generated."""
    if sum(OUTCOMES.values()):
        assert OUTCOMES["rendered"] >= 50 and OUTCOMES["refused"] >= 50, dict(OUTCOMES)

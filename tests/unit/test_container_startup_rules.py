"""Startup rules read from the containers' own sources (cited in each backend and in docs/sizing.md): each setting
the container refuses is refused by render with one sentence, and the automatic choices keep renders valid."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from llmctl.cli import cli

L8 = "meta-llama/Llama-3.1-8B-Instruct"
FIXTURES = Path(__file__).parents[1] / "fixtures"

REFUSED = [
    (
        "tgi-max-batch-size-zero",
        [L8, "-i", "ml.g5.2xlarge", "--set", "MAX_BATCH_SIZE=0"],
        "MAX_BATCH_SIZE=0 must be greater than 0",
    ),
    (
        "tgi-exl2-sharded",
        [L8, "-i", "ml.g5.12xlarge", "--set", "HF_MODEL_QUANTIZE=exl2", "--set", "DTYPE="],
        "exl2 checkpoints cannot be sharded",
    ),
    (
        "tgi-fp8-kv-head-dim-96",
        ["microsoft/Phi-3-mini-4k-instruct", "-i", "ml.g6.xlarge", "--kv-cache-dtype", "fp8"],
        "head_dim 96",
    ),
    (
        "tgi-sliding-window-on-t4",
        [
            "mistralai/Mistral-7B-v0.1",
            "-i",
            "ml.g4dn.12xlarge",
            "--max-input-tokens",
            "6000",
            "--max-total-tokens",
            "8192",
            "--image-version",
            "2.0.1",
        ],
        "4096-token sliding window",
    ),
    ("tgi-3-on-t4", [L8, "-i", "ml.g4dn.12xlarge"], "TGI 3.3.6 images carry CUDA kernels for compute capability 8.0+"),
    ("tgi-2.0.2-on-t4", [L8, "-i", "ml.g4dn.12xlarge", "--image-version", "2.0.2"], "--image-version 2.0.1"),
    (
        "tgi-custom-image-on-t4",
        [L8, "-i", "ml.g4dn.xlarge", "--image-uri", "example.com/tgi:2.4.0-tgi2.3.1-gpu-py311-cu124-ubuntu22.04"],
        "TGI 2.3.1 images",
    ),
    (
        "vllm-batched-below-default-seqs",
        [L8, "-i", "ml.g5.2xlarge", "-b", "vllm", "--set", "SM_VLLM_MAX_NUM_BATCHED_TOKENS=128"],
        "default of 256 sequences",
    ),
    (
        "vllm-batched-below-seqs",
        [L8, "-i", "ml.g5.2xlarge", "-b", "vllm", "--set", "SM_VLLM_MAX_NUM_SEQS=8192"],
        "must be at least SM_VLLM_MAX_NUM_SEQS (8192)",
    ),
    (
        "vllm-no-chunked-prefill",
        [L8, "-i", "ml.g5.2xlarge", "-b", "vllm", "--set", "SM_VLLM_ENABLE_CHUNKED_PREFILL=false"],
        "when chunked prefill is off",
    ),
    (
        "lmi-prefill-below-batch-size",
        [L8, "-i", "ml.g5.2xlarge", "-b", "lmi", "--set", "OPTION_MAX_ROLLING_BATCH_SIZE=8000"],
        "must be at least OPTION_MAX_ROLLING_BATCH_SIZE (8000)",
    ),
]


@pytest.mark.parametrize(("args", "expected"), [(a, e) for _, a, e in REFUSED], ids=[n for n, _, _ in REFUSED])
def test_setting_the_container_refuses_is_refused(args: list[str], expected: str) -> None:
    result = CliRunner().invoke(cli, ["render", *args])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in result.output
    assert expected in lines[0]


def test_defaulted_input_is_capped_at_the_sliding_window_on_t4() -> None:
    result = CliRunner().invoke(
        cli,
        [
            "render",
            "mistralai/Mistral-7B-v0.1",
            "-i",
            "ml.g4dn.12xlarge",
            "--image-version",
            "2.0.1",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    rendered = json.loads(result.output)
    assert rendered["env"]["MAX_INPUT_TOKENS"] == "4096"
    assert any("sliding window" in note for note in rendered["notes"])


def test_t4_renders_with_vllm_and_with_an_older_tgi_image_for_a_model_it_supports() -> None:
    """TGI 2.0.1 (the last image with T4 kernels) predates Llama 3.1's `llama3` RoPE scaling (TGI 2.2.0), so Llama 3.1
    on a T4 needs vLLM; Mistral-7B, without that scaling, still renders on TGI 2.0.1."""
    vllm = CliRunner().invoke(cli, ["render", L8, "-i", "ml.g4dn.12xlarge", "--format", "json", "-b", "vllm"])
    assert vllm.exit_code == 0, vllm.output
    old_tgi = ["-i", "ml.g4dn.12xlarge", "--format", "json", "--image-version", "2.0.1"]
    refused = CliRunner().invoke(cli, ["render", L8, *old_tgi])
    assert refused.exit_code == 2 and "TGI supports from 2.2.0 on" in refused.output
    mistral = CliRunner().invoke(cli, ["render", "mistralai/Mistral-7B-v0.1", *old_tgi])
    assert mistral.exit_code == 0, mistral.output


def test_sliding_window_is_no_limit_with_flash_attention_v2() -> None:
    result = CliRunner().invoke(cli, ["render", "mistralai/Mistral-7B-v0.1", "-i", "ml.g5.2xlarge", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["env"]["MAX_INPUT_TOKENS"] == "6144"


def test_fp8_kv_cache_with_head_dim_128_is_accepted() -> None:
    result = CliRunner().invoke(cli, ["render", L8, "-i", "ml.g6.xlarge", "--kv-cache-dtype", "fp8", "--format", "env"])
    assert result.exit_code == 0, result.output
    assert "KV_CACHE_DTYPE=fp8_e4m3fn" in result.output

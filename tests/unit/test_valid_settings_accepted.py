"""Settings the containers accept must render: they were refused before (the render-rules issue, item 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from llmctl.cli import cli

FIXTURES = Path(__file__).parents[1] / "fixtures"
L8 = "meta-llama/Llama-3.1-8B-Instruct"
CT = [
    "RedHatAI/Meta-Llama-3.1-8B-Instruct-FP8",
    "--model-config",
    str(FIXTURES / "llama-3.1-8b-instruct-fp8-compressed-tensors-config.json"),
]
AWQ = ["Qwen/Qwen2.5-7B-Instruct-AWQ", "--model-config", str(FIXTURES / "qwen2.5-7b-instruct-awq-config.json")]
GPTQ = [
    "Qwen/Qwen2.5-7B-Instruct-GPTQ-Int4",
    "--model-config",
    str(FIXTURES / "qwen2.5-7b-instruct-gptq-int4-config.json"),
]


def _env(*args: str) -> dict[str, str]:
    result = CliRunner().invoke(cli, ["render", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    env: dict[str, str] = json.loads(result.output)["env"]
    return env


def test_lmi_serves_a_compressed_tensors_checkpoint_by_detection() -> None:
    env = _env(*CT, "-i", "ml.g6e.xlarge", "-b", "lmi")
    assert "OPTION_QUANTIZE" not in env  # vLLM reads the method from config.json


@pytest.mark.parametrize("dtype", ["float16", "fp16", "bfloat16", "bf16", "float32", "fp32", "auto"])
def test_lmi_accepts_every_dtype_of_its_list(dtype: str) -> None:
    assert _env(L8, "-i", "ml.g6e.xlarge", "-b", "lmi", "--set", f"OPTION_DTYPE={dtype}")["OPTION_DTYPE"] == dtype


@pytest.mark.parametrize(("checkpoint", "method"), [(AWQ, "awq_marlin"), (GPTQ, "gptq_marlin")])
def test_vllm_accepts_the_marlin_methods(checkpoint: list[str], method: str) -> None:
    env = _env(*checkpoint, "-i", "ml.g6e.xlarge", "-b", "vllm", "--set", f"SM_VLLM_QUANTIZATION={method}")
    assert env["SM_VLLM_QUANTIZATION"] == method


@pytest.mark.parametrize("backend", ["vllm", "lmi"])
@pytest.mark.parametrize("checkpoint", [AWQ, GPTQ], ids=["awq", "gptq"])
def test_prequantized_checkpoints_are_detected_and_served_in_float16(checkpoint: list[str], backend: str) -> None:
    env = _env(*checkpoint, "-i", "ml.g6e.xlarge", "-b", backend)
    assert not {"SM_VLLM_QUANTIZATION", "OPTION_QUANTIZE"} & set(env), "naming the method would turn Marlin off"
    assert env.get("SM_VLLM_DTYPE", env.get("OPTION_DTYPE")) in {"float16", "fp16"}


def test_a_base_model_keeps_its_own_context_length() -> None:
    assert _env("Qwen/Qwen2.5-7B", "-i", "ml.g6e.xlarge", "--max-total-tokens", "65536")["MAX_TOTAL_TOKENS"] == "65536"


@pytest.mark.parametrize("backend", ["vllm", "lmi"])
def test_awq_with_bfloat16_is_refused(backend: str) -> None:
    result = CliRunner().invoke(cli, ["render", *AWQ, "-i", "ml.g6e.xlarge", "-b", backend, "--dtype", "bfloat16"])
    assert result.exit_code == 2 and "float16 only" in result.output


@pytest.mark.parametrize("method", ["bitsandbytes", "bitsandbytes-nf4", "bitsandbytes-fp4"])
def test_tgi_bitsandbytes_with_an_explicit_dtype(method: str) -> None:
    env = _env(L8, "-i", "ml.g5.2xlarge", "--quantize", method, "--dtype", "bfloat16")
    assert (env["HF_MODEL_QUANTIZE"], env["DTYPE"]) == (method, "bfloat16")


def test_tgi_other_quantizations_still_refuse_a_dtype() -> None:
    result = CliRunner().invoke(cli, ["render", L8, "-i", "ml.g5.2xlarge", "--quantize", "eetq", "--dtype", "float16"])
    assert result.exit_code == 2 and "cannot be combined" in result.output

"""Golden renders: the full JSON output for (model, instance, backend) cases, each also checked
against the container's startup rules (tests/container_rules.py). Regenerate with UPDATE_GOLDEN=1."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from container_rules import RULES, facts_of
from llmctl.cli import cli
from llmctl.instances import INSTANCE_TYPES
from llmctl.models import resolve_model

GOLDEN = Path(__file__).parents[1] / "golden"
FIXTURES = Path(__file__).parents[1] / "fixtures"

CASES = {
    # Issue 20: Mistral-7B with DJL Serving + TensorRT-LLM, as the article deploys it.
    "mistral-7b-v02-g5-12xl-trtllm": ["mistralai/Mistral-7B-Instruct-v0.2", "-i", "ml.g5.12xlarge", "-b", "trtllm"],
    "mistral-7b-v02-g6e-2xl-trtllm": ["mistralai/Mistral-7B-Instruct-v0.2", "-i", "ml.g6e.2xlarge", "-b", "trtllm"],
    "mistral-7b-v02-g6e-2xl-trtllm-fp8": [
        "mistralai/Mistral-7B-Instruct-v0.2",
        "-i",
        "ml.g6e.2xlarge",
        "-b",
        "trtllm",
        "--quantize",
        "fp8",
    ],
    "llama31-8b-g5-2xl-tgi": ["meta-llama/Llama-3.1-8B-Instruct", "-i", "ml.g5.2xlarge"],
    "llama31-70b-p4d-tgi": ["meta-llama/Llama-3.1-70B-Instruct", "-i", "ml.p4d.24xlarge"],
    "mistral-7b-g6-xl-vllm": ["mistralai/Mistral-7B-Instruct-v0.1", "-i", "ml.g6.xlarge", "-b", "vllm"],
    "mixtral-8x7b-g5-48xl-tgi": ["mistralai/Mixtral-8x7B-Instruct-v0.1", "-i", "ml.g5.48xlarge"],
    "mixtral-8x7b-g5-12xl-lmi-fp8": [
        "mistralai/Mixtral-8x7B-Instruct-v0.1",
        "-i",
        "ml.g5.12xlarge",
        "-b",
        "lmi",
        "--quantize",
        "fp8",
    ],
    "qwen25-7b-g5-48xl-tgi": ["Qwen/Qwen2.5-7B-Instruct", "-i", "ml.g5.48xlarge"],
    "mistral-7b-g4dn-tgi201-nf4": [
        "mistralai/Mistral-7B-Instruct-v0.1",
        "-i",
        "ml.g4dn.xlarge",
        "--image-version",
        "2.0.1",
        "--quantize",
        "bitsandbytes-nf4",
        "--max-total-tokens",
        "4096",
    ],
    "llama32-1b-g4dn-vllm": [
        "meta-llama/Llama-3.2-1B-Instruct",
        "-i",
        "ml.g4dn.xlarge",
        "-b",
        "vllm",
        "--max-total-tokens",
        "4096",
    ],
    "qwen25-72b-p5-lmi-fp8kv": [
        "Qwen/Qwen2.5-72B-Instruct",
        "-i",
        "ml.p5.48xlarge",
        "-b",
        "lmi",
        "--kv-cache-dtype",
        "fp8",
        "--max-total-tokens",
        "32768",
    ],
    "phi3-mini-g6e-tgi-s3": [
        "microsoft/Phi-3-mini-4k-instruct",
        "-i",
        "ml.g6e.xlarge",
        "--model-s3-uri",
        "s3://models/phi-3-mini",
        "--region",
        "eu-west-1",
    ],
    "llama31-8b-awq-g6-tgi": [
        "hugging-quants/Meta-Llama-3.1-8B-Instruct-AWQ-INT4",
        "-i",
        "ml.g6.xlarge",
        "--model-config",
        str(FIXTURES / "llama-3.1-8b-awq-config.json"),
    ],
}


def _render(args: list[str], fmt: str) -> str:
    result = CliRunner().invoke(cli, ["render", *args, "--format", fmt])
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("case", sorted(CASES))
def test_render_matches_golden_and_container_rules(case: str) -> None:
    args = CASES[case]
    rendered = json.loads(_render(args, "json"))
    golden_file = GOLDEN / f"{case}.json"
    if os.environ.get("UPDATE_GOLDEN"):
        golden_file.write_text(json.dumps(rendered, indent=2) + "\n")
    assert rendered == json.loads(golden_file.read_text())

    arch = resolve_model(args[0], Path(args[args.index("--model-config") + 1]) if "--model-config" in args else None)
    backend = args[args.index("-b") + 1] if "-b" in args else "tgi"
    gpu = INSTANCE_TYPES[rendered["instance_type"]].gpu
    facts = facts_of(arch, gpu)
    assert RULES[backend](rendered["env"], facts) == []
    assert rendered["fits"] is True
    assert rendered["kv_cache_tokens"] >= rendered["max_total_tokens"]
    assert rendered["max_concurrent_sequences"] == rendered["kv_cache_tokens"] // rendered["max_total_tokens"]


def test_json_has_the_documented_fields() -> None:
    rendered = json.loads(_render(CASES["llama31-8b-g5-2xl-tgi"], "json"))
    for key in (
        "env",
        "image_uri",
        "instance_type",
        "tensor_parallel_degree",
        "parameters",
        "weight_bytes",
        "kv_cache_bytes_per_token",
        "kv_cache_tokens",
        "max_concurrent_sequences",
        "fits",
    ):
        assert key in rendered
    assert all(isinstance(v, str) for v in rendered["env"].values())


def test_tfvars_file_carries_what_terraform_needs(tmp_path: Path) -> None:
    out = tmp_path / "dev" / "llm.auto.tfvars.json"
    result = CliRunner().invoke(
        cli, ["render", *CASES["phi3-mini-g6e-tgi-s3"], "--format", "tfvars", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    tfvars = json.loads(out.read_text())
    assert tfvars["instance_type"] == "ml.g6e.xlarge"
    assert tfvars["image_uri"].startswith("763104351884.dkr.ecr.eu-west-1.amazonaws.com/")
    assert tfvars["container_env"]["HF_MODEL_ID"] == "/opt/ml/model"
    assert tfvars["model_data_s3_uri"] == "s3://models/phi-3-mini/"
    assert 60 <= tfvars["container_startup_health_check_timeout_in_seconds"] <= 3600
    assert 60 <= tfvars["model_data_download_timeout_in_seconds"] <= 3600
    assert tfvars["volume_size_in_gb"] is None
    assert tfvars["llm_render"]["schema_version"] == "1"
    assert all(isinstance(v, str) for v in tfvars["llm_render"].values())


def test_env_format_is_sourceable(tmp_path: Path) -> None:
    import subprocess

    env_file = tmp_path / "tgi.env"
    env_file.write_text(_render(CASES["llama31-8b-g5-2xl-tgi"], "env"))
    shown = subprocess.run(
        ["bash", "-c", f"set -a; . {env_file}; echo $MAX_TOTAL_TOKENS $HF_MODEL_ID"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout.split() == ["8192", "meta-llama/Llama-3.1-8B-Instruct"]


def test_table_shows_sizing_for_people() -> None:
    text = _render(CASES["llama31-8b-g5-2xl-tgi"], "table")
    for label in ("weights per GPU", "KV cache per token", "tokens that fit", "concurrent", "KV cache room"):
        assert label in text
    assert "MAX_BATCH_TOTAL_TOKENS" in text

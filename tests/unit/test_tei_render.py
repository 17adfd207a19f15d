"""`llmctl render all-minilm-l6-v2 --backend tei`: the embedding endpoint in the LLM's tfvars contract, with TEI's
own startup rules caught at render time."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner
from llmctl.cli import cli

REGISTRY = "683313688378.dkr.ecr.us-east-1.amazonaws.com"


def _render(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["render", "all-minilm-l6-v2", "-b", "tei", *args])
    return result.exit_code, result.output


def test_cpu_instance_gets_the_cpu_image_and_the_same_tfvars_contract() -> None:
    tei_run = CliRunner().invoke(
        cli, ["render", "all-minilm-l6-v2", "-b", "tei", "-i", "ml.c6i.xlarge", "--format", "tfvars"]
    )
    llm_run = CliRunner().invoke(
        cli, ["render", "meta-llama/Llama-3.2-1B-Instruct", "-i", "ml.g5.xlarge", "--format", "tfvars"]
    )
    assert tei_run.exit_code == 0 and llm_run.exit_code == 0, tei_run.output + llm_run.output
    tei, llm = json.loads(tei_run.stdout), json.loads(llm_run.stdout)
    assert set(tei) == set(llm), "one tfvars contract: the same Terraform root deploys either"
    assert tei["image_uri"] == f"{REGISTRY}/tei-cpu:2.0.1-tei1.8.2-cpu-py310-ubuntu22.04"
    assert tei["container_env"] == {
        "AUTO_TRUNCATE": "true",
        "HF_MODEL_ID": "sentence-transformers/all-MiniLM-L6-v2",
        "MAX_BATCH_TOKENS": "16384",
        "MAX_CLIENT_BATCH_SIZE": "32",
    }
    assert tei["llm_render"]["backend"] == "tei" and tei["llm_render"]["embedding_dimension"] == "384"


def test_gpu_instance_gets_the_cuda_image_and_weights_from_s3_are_read_locally() -> None:
    code, out = _render("-i", "ml.g5.xlarge", "--model-s3-uri", "s3://b/models/minilm/", "--json")
    assert code == 0, out
    rendered = json.loads(out)
    assert rendered["image_uri"] == f"{REGISTRY}/tei:2.0.1-tei1.8.2-gpu-py310-cu122-ubuntu22.04"
    assert (
        rendered["env"]["HF_MODEL_ID"] == "/opt/ml/model" and rendered["model_data_s3_uri"] == "s3://b/models/minilm/"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-i", "ml.p3.2xlarge"], "compute capability 7.0.*cannot run TEI"),
        (["-i", "ml.inf2.xlarge"], "not an instance type TEI runs on"),
        (["-i", "ml.c6i.xlarge", "--set", "MAX_CLIENT_BATCH_SIZE=8"], "MAX_CLIENT_BATCH_SIZE=8 is below the 32"),
        (
            ["-i", "ml.c6i.xlarge", "--set", "AUTO_TRUNCATE=false", "--set", "MAX_BATCH_TOKENS=256"],
            "TEI refuses to start",
        ),
        (["-i", "ml.c6i.xlarge", "--quantize", "awq"], "--quantize does not apply to an embedding endpoint"),
    ],
)
def test_what_tei_would_refuse_is_refused_at_render(args: list[str], message: str) -> None:
    code, out = _render(*args)
    assert code == 2 and out.startswith("error: ")
    assert len(out.strip().splitlines()) == 1
    assert re.search(message, out), out


def test_an_unknown_embedding_model_names_the_known_ones() -> None:
    result = CliRunner().invoke(cli, ["render", "BAAI/bge-m3", "-b", "tei", "-i", "ml.c6i.xlarge"])
    assert result.exit_code == 2 and "sentence-transformers/all-MiniLM-L6-v2" in result.output

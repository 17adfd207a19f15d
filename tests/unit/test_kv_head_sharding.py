"""TGI divides K/V heads among shards and never replicates them; vLLM (and LMI's vLLM engine) replicate them.
A model with 2 KV heads (Qwen2-1.5B-Instruct's real config.json) on a 4-GPU instance shows the difference."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from container_rules import RULES, Facts
from llmctl.cli import cli

CONFIG = Path(__file__).parents[1] / "fixtures" / "qwen2-1.5b-instruct-config.json"
BASE = ["Qwen/Qwen2-1.5B-Instruct", "--model-config", str(CONFIG), "-i", "ml.g5.12xlarge", "--format", "json"]


def _render(*extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["render", *BASE, *extra])
    return result.exit_code, result.output


def test_tgi_uses_only_as_many_shards_as_kv_heads() -> None:
    code, out = _render("-b", "tgi")
    assert code == 0, out
    rendered = json.loads(out)
    assert rendered["env"]["SM_NUM_GPUS"] == "2"
    assert RULES["tgi"](rendered["env"], Facts(12, 32768, kv_heads=2, head_dim=128, compute_capability=8.6)) == []
    assert any("2 of 4 GPUs stay idle" in note for note in rendered["notes"])


def test_vllm_replicates_kv_heads_and_uses_all_four_gpus() -> None:
    code, out = _render("-b", "vllm")
    assert code == 0, out
    assert json.loads(out)["env"]["SM_VLLM_TENSOR_PARALLEL_SIZE"] == "4"


@pytest.mark.parametrize("extra", [["--num-gpus", "4"], ["--set", "SM_NUM_GPUS=4"], ["--set", "NUM_SHARD=4"]])
def test_tgi_refuses_more_shards_than_kv_heads(extra: list[str]) -> None:
    code, out = _render("-b", "tgi", *extra)
    assert code == 2, out
    lines = out.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "KV heads" in lines[0], out

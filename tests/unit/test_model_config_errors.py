"""Malformed --model-config files: exit 2, one `error:` line naming the field, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from llmctl.cli import cli

BASE = json.loads((Path(__file__).parents[1] / "fixtures" / "llama-3.1-8b-awq-config.json").read_text())

MALFORMED: list[tuple[str, dict[str, Any], str]] = [
    ("zero-heads", {"num_attention_heads": 0}, "num_attention_heads must be greater than 0 (got 0)"),
    ("zero-layers", {"num_hidden_layers": 0}, "num_hidden_layers must be greater than 0"),
    ("zero-hidden-size", {"hidden_size": 0}, "hidden_size must be greater than 0"),
    ("negative-vocab", {"vocab_size": -5}, "vocab_size must be greater than 0"),
    ("string-hidden-size", {"hidden_size": "4096"}, "hidden_size must be an integer (got '4096')"),
    ("float-layers", {"num_hidden_layers": 32.5}, "num_hidden_layers must be an integer"),
    ("quantization-config-string", {"quantization_config": "awq"}, "quantization_config must be a JSON object"),
    (
        "quantization-bits-string",
        {"quantization_config": {"quant_method": "awq", "bits": "four"}},
        "quantization_config.bits must be an integer",
    ),
    ("text-config-list", {"text_config": [1, 2]}, "text_config must be a JSON object"),
    (
        "text-config-bad-heads",
        {"text_config": {"num_attention_heads": "many"}},
        "text_config.num_attention_heads must be an integer",
    ),
    ("bool-as-string", {"tie_word_embeddings": "yes"}, "tie_word_embeddings must be true or false"),
    ("kv-heads-not-a-divisor", {"num_key_value_heads": 5}, "is not a multiple of num_key_value_heads 5"),
    ("hidden-not-divisible", {"hidden_size": 4100}, "is not a multiple of num_attention_heads"),
    ("sliding-window-zero", {"sliding_window": 0}, "sliding_window must be greater than 0"),
]


def _render(path: Path) -> Any:
    return CliRunner().invoke(cli, ["render", "my-model", "-i", "ml.g5.2xlarge", "--model-config", str(path)])


def _assert_one_error_line(result: Any, expected: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert expected in lines[0]


@pytest.mark.parametrize(("change", "expected"), [(c, e) for _, c, e in MALFORMED], ids=[n for n, _, _ in MALFORMED])
def test_malformed_config_names_the_field(tmp_path: Path, change: dict[str, Any], expected: str) -> None:
    path = tmp_path / "config.json"
    path.write_text(json.dumps({k: v for k, v in {**BASE, **change}.items() if v is not None}))
    _assert_one_error_line(_render(path), expected)


def test_directory_instead_of_file(tmp_path: Path) -> None:
    _assert_one_error_line(_render(tmp_path), "is a directory; pass the config.json file inside it")


def test_the_base_fixture_itself_renders(tmp_path: Path) -> None:
    path = tmp_path / "config.json"
    path.write_text(json.dumps(BASE))
    assert _render(path).exit_code == 0

"""Issue 20: the TensorRT-LLM engine (LMI's djl-tensorrtllm images): each refusal names the rule's source."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from llmctl.cli import cli

MISTRAL = "mistralai/Mistral-7B-Instruct-v0.2"


def _render(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["render", *args])
    return result.exit_code, result.output


def _refused(*args: str) -> str:
    code, output = _render(*args)
    lines = [line for line in output.splitlines() if line.strip()]
    assert code == 2 and len(lines) == 1 and lines[0].startswith("error: "), output
    return lines[0]


def test_fp8_on_an_a10g_is_refused_with_the_support_matrix() -> None:
    line = _refused(MISTRAL, "-b", "trtllm", "-i", "ml.g5.2xlarge", "--quantize", "fp8")
    assert "FP8" in line and "A10G" in line and "support matrix" in line


def test_awq_whose_groups_would_split_across_gpus_is_refused() -> None:
    line = _refused("Qwen/Qwen2.5-72B-Instruct", "-b", "trtllm", "-i", "ml.p4d.24xlarge", "--quantize", "awq")
    assert "3696 per GPU, not whole groups of 128" in line and "WeightOnlyGroupwiseQuantRowLinear" in line


def test_awq_whose_groups_stay_whole_is_rendered_as_the_build_quant_algo() -> None:
    code, output = _render(MISTRAL, "-b", "trtllm", "-i", "ml.g5.12xlarge", "--quantize", "awq", "--format", "env")
    assert code == 0, output
    assert "OPTION_QUANT_ALGO=W4A16_AWQ" in output and "OPTION_QUANTIZE" not in output


def test_an_architecture_tensorrt_llm_does_not_build_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    config.write_text(
        json.dumps(
            {
                "architectures": ["StableLmForCausalLM"],
                "model_type": "stablelm",
                "hidden_size": 2048,
                "intermediate_size": 5632,
                "num_hidden_layers": 24,
                "num_attention_heads": 32,
                "num_key_value_heads": 32,
                "vocab_size": 100352,
                "max_position_embeddings": 4096,
            }
        )
    )
    line = _refused("stabilityai/stablelm-2-1_6b", "-b", "trtllm", "-i", "ml.g5.2xlarge", "--model-config", str(config))
    assert "StableLmForCausalLM" in line and "MODEL_MAP (tensorrt_llm/models/__init__.py)" in line


def test_a_t4_is_refused_and_the_lmi_backend_points_to_trtllm() -> None:
    assert "support matrix" in _refused(MISTRAL, "-b", "trtllm", "-i", "ml.g4dn.xlarge")
    line = _refused(MISTRAL, "-b", "lmi", "-i", "ml.g5.2xlarge", "--set", "OPTION_ROLLING_BATCH=trtllm")
    assert "render with --backend trtllm" in line


def test_options_of_older_tensorrt_llm_images_are_refused() -> None:
    line = _refused(MISTRAL, "-b", "trtllm", "-i", "ml.g5.2xlarge", "--set", "OPTION_QUANTIZE=awq")
    assert "use OPTION_QUANT_ALGO" in line
    line = _refused(MISTRAL, "-b", "trtllm", "-i", "ml.g5.2xlarge", "--set", "OPTION_ROLLING_BATCH=auto")
    assert "set it to trtllm" in line and "LmiConfigRecommender" in line


def test_the_jit_compile_is_inside_the_startup_timeout_and_lmis_own() -> None:
    code, output = _render("meta-llama/Llama-3.1-70B-Instruct", "-b", "trtllm", "-i", "ml.p4d.24xlarge", "--json")
    assert code == 0, output
    rendered = json.loads(output)
    lmi_code, lmi_output = _render("meta-llama/Llama-3.1-70B-Instruct", "-b", "lmi", "-i", "ml.p4d.24xlarge", "--json")
    assert lmi_code == 0
    timeout = rendered["container_startup_health_check_timeout_in_seconds"]
    assert timeout >= json.loads(lmi_output)["container_startup_health_check_timeout_in_seconds"] + 420
    assert rendered["env"]["OPTION_MODEL_LOADING_TIMEOUT"] == str(timeout), "LMI waits as long as the endpoint"
    assert any("compiled at startup: about 7 min" in note for note in rendered["notes"])


def test_image_uri_lists_the_tensorrt_llm_image() -> None:
    result = CliRunner().invoke(cli, ["image-uri", "-b", "trtllm"])
    assert result.exit_code == 0 and "djl-inference:0.33.0-tensorrtllm0.21.0-cu128" in result.output


def test_a_precompiled_engine_in_s3_skips_the_compile() -> None:
    args = ["meta-llama/Llama-3.1-70B-Instruct", "-b", "trtllm", "-i", "ml.p4d.24xlarge", "--json"]
    engine = ["--model-s3-uri", "s3://team-models/llama-70b-trtllm-tp8/"]
    _, compiled = _render(*args, *engine)
    code, loaded = _render(*args, *engine, "--precompiled-engine")
    assert code == 0, loaded
    loaded_render = json.loads(loaded)
    assert any("compiled at startup: about 7 min" in note for note in json.loads(compiled)["notes"])
    assert any("no build at startup" in note for note in loaded_render["notes"])
    assert not any("compiled at startup" in note for note in loaded_render["notes"])
    assert "--model-s3-uri" in _refused(MISTRAL, "-b", "trtllm", "-i", "ml.g5.2xlarge", "--precompiled-engine")

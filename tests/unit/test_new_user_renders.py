"""Issue 20, item 3 and 2: what a new user's renders got wrong, each failing before its fix."""

from __future__ import annotations

from click.testing import CliRunner
from llmctl.cli import cli
from llmctl.instances import get_instance
from llmctl.models import resolve_model

OPAQUE_TGI = "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/tgi:latest"


def _env(*args: str) -> tuple[dict[str, str], str]:
    result = CliRunner().invoke(cli, ["render", *args, "--format", "env"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if "=" in line]
    return dict(line.split("=", 1) for line in lines), result.stderr


def test_an_opaque_tgi_image_on_a_t4_keeps_phi3_inside_its_sliding_window() -> None:
    env, _ = _env("microsoft/Phi-3-mini-4k-instruct", "-i", "ml.g4dn.xlarge", "--image-uri", OPAQUE_TGI)
    assert env["MAX_INPUT_TOKENS"] == "2047", "config.json's sliding_window: 2047, no flash-attention v2 on a T4"


def test_an_opaque_tgi_image_keeps_gemma2_inside_its_sliding_window() -> None:
    env, _ = _env("google/gemma-2-9b-it", "-i", "ml.g4dn.12xlarge", "--image-uri", OPAQUE_TGI)
    assert env["MAX_INPUT_TOKENS"] == "4096"


def test_an_opaque_tgi_image_is_said_to_be_checked_as_the_strictest_version() -> None:
    result = CliRunner().invoke(
        cli, ["render", "microsoft/Phi-3-mini-4k-instruct", "-i", "ml.g4dn.xlarge", "--image-uri", OPAQUE_TGI]
    )
    assert result.exit_code == 0, result.output
    assert "TGI version is not in its tag" in result.output and "strictest" in result.output
    tagged = CliRunner().invoke(cli, ["render", "meta-llama/Llama-3.1-8B-Instruct", "-i", "ml.g5.2xlarge"])
    assert "strictest" not in tagged.output, "a resolved image names its version"


def test_h200_memory_is_what_the_frameworks_see() -> None:
    for name in ("ml.p5e.48xlarge", "ml.p5en.48xlarge"):
        assert get_instance(name).gpu.memory_mib == 143156  # torch.cuda.mem_get_info on an H200 141GB


def test_mistral_7b_instruct_v02_and_v03_have_32k_context_and_no_window() -> None:
    for model, vocab in (("mistralai/Mistral-7B-Instruct-v0.2", 32000), ("mistralai/Mistral-7B-Instruct-v0.3", 32768)):
        arch = resolve_model(model, None, None)
        assert (arch.max_context, arch.sliding_window, arch.vocab_size) == (32768, None, vocab)
    v1 = resolve_model("mistralai/Mistral-7B-Instruct-v0.1", None, None)
    assert v1.sliding_window == 4096, "v0.1 keeps its window"

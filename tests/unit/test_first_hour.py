"""A new user's first hour (issue 15): each test here failed before its fix."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from llmctl import env_inputs
from llmctl.check import check_tfvars
from llmctl.cli import cli
from llmctl.errors import LlmctlError
from llmctl.plan_review import markdown, review
from llmctl.secrets_rule import MASK, why_secret
from support.servers import free_port

REPO = Path(__file__).parents[2]
FIXTURES = REPO / "tests" / "fixtures"
L8 = "meta-llama/Llama-3.1-8B-Instruct"


def _render_tfvars(tmp_path: Path, *args: str) -> Path:
    out = tmp_path / "llm.auto.tfvars.json"
    result = CliRunner().invoke(cli, ["render", *args, "--format", "tfvars", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


# --- 1. settings that Terraform would silently ignore ---


def test_each_committed_env_settings_file_sets_only_declared_variables() -> None:
    for env in ("dev", "local"):
        root = REPO / "terraform" / "envs" / env
        assert env_inputs.assigned_variables(root / "settings.auto.tfvars") == {"autoscaling", "deployment", "alarms"}
        env_inputs.check_declared(root)  # raises on an undeclared variable


def test_an_undeclared_setting_is_one_sentence_with_a_suggestion(tmp_path: Path) -> None:
    (tmp_path / "variables.tf").write_text('variable "autoscaling" {}\nvariable "alarms" {}\n')
    (tmp_path / "settings.auto.tfvars").write_text("# a comment\nautoscalling = { min_capacity = 2 }\n")
    with pytest.raises(LlmctlError, match=r"sets autoscalling, .* did you mean autoscaling\?") as raised:
        env_inputs.check_declared(tmp_path)
    assert "\n" not in str(raised.value)


def test_a_broken_settings_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "variables.tf").write_text('variable "autoscaling" {}\n')
    (tmp_path / "settings.auto.tfvars").write_text("autoscaling = { min_capacity = \n")
    with pytest.raises(LlmctlError, match=r"settings\.auto\.tfvars is not valid HCL"):
        env_inputs.check_declared(tmp_path)


# --- 2. hand-edited tfvars re-checked with render's rules ---


def test_check_passes_what_render_wrote(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["check", str(_render_tfvars(tmp_path, L8, "-i", "ml.g5.2xlarge"))])
    assert result.exit_code == 0 and "passes the tgi container rules" in result.output


def test_check_refuses_each_hand_edit_with_one_sentence_each() -> None:
    result = check_tfvars(FIXTURES / "tfvars" / "hand-edited.auto.tfvars.json")
    assert result.problems == [
        "HF_AUTH is named like a token, password or key: a container variable is stored in plain text in the model, "
        "DescribeModel and Terraform state; stage gated weights in S3 (--model-s3-uri) or read the secret at run time "
        "from Secrets Manager instead.",
        "max input tokens (9000) must be less than MAX_TOTAL_TOKENS (8192); lower the input limit or raise the total.",
        "MAX_BATCH_PREFILL_TOKENS (6144) must be at least the max input tokens (9000).",
    ]
    cli_result = CliRunner().invoke(cli, ["check", str(FIXTURES / "tfvars" / "hand-edited.auto.tfvars.json"), "--json"])
    assert cli_result.exit_code == 2
    assert json.loads(cli_result.stdout)["ok"] is False


def test_check_gives_an_instance_typo_renders_suggestion(tmp_path: Path) -> None:
    path = _render_tfvars(tmp_path, L8, "-i", "ml.g5.2xlarge")
    data = json.loads(path.read_text())
    data["instance_type"] = "ml.g5.2xlarg"
    path.write_text(json.dumps(data))
    (problem,) = check_tfvars(path).problems
    assert "Did you mean ml.g5.2xlarge" in problem and problem.count("ml.") < 10  # not the provider's 250 types


def test_check_of_a_model_outside_the_catalog_says_what_it_skipped(tmp_path: Path) -> None:
    path = _render_tfvars(tmp_path, L8, "-i", "ml.g5.2xlarge")
    data = json.loads(path.read_text())
    data["llm_render"]["model"] = data["container_env"]["HF_MODEL_ID"] = "acme/twin-8b"
    path.write_text(json.dumps(data))
    result = check_tfvars(path)
    assert result.problems == [] and "were not checked" in result.notes[0] and "--model-config" in result.notes[0]
    config = tmp_path / "config.json"
    config.write_text(
        json.dumps(json.loads((REPO / "scripts/llmctl/catalog/models/llama-3.1-8b.json").read_text())["config"])
    )
    data["container_env"]["SM_NUM_GPUS"] = "3"
    path.write_text(json.dumps(data))
    assert "SM_NUM_GPUS=3 does not divide" in check_tfvars(path, config).problems[0]


# --- 3. one secret rule ---


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("HF_TOKEN", "x"),
        ("HUGGINGFACEHUB_API_TOKEN", "hf_x"),
        ("AWS_SECRET_ACCESS_KEY", "abc"),
        ("HF_AUTH", "hf_AbCdEfGhIjKlMnOpQrSt"),
        ("NOTE", "hf_AbCdEfGhIjKlMnOpQrSt"),
        ("READER", "AKIAIOSFODNN7EXAMPLE"),
        ("CLIENT", "ghp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"),
    ],
)
def test_the_secret_rule_flags(key: str, value: str) -> None:
    assert why_secret(key, value)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("MAX_BATCH_TOTAL_TOKENS", "28722"),
        ("HF_MODEL_ID", "meta-llama/Llama-3.1-8B-Instruct"),
        ("HF_MODEL_ID", "acme/hf_finetune_v2"),
        ("MESSAGES_API_ENABLED", "true"),
    ],
)
def test_the_secret_rule_passes_ordinary_settings(key: str, value: str) -> None:
    assert why_secret(key, value) is None


def test_the_terraform_validation_reads_the_same_rule_file() -> None:
    linked = REPO / "scripts" / "llmctl" / "catalog" / "secret_rules.json"
    module = REPO / "terraform" / "modules" / "llm-endpoint"
    assert linked.is_symlink() and linked.resolve() == (module / "secret_rules.json").resolve()
    assert 'file("${path.module}/secret_rules.json")' in (module / "main.tf").read_text()
    assert "local.secret_rules.key_pattern" in (module / "variables.tf").read_text()


def test_plan_review_masks_a_secret_value_in_an_env_diff() -> None:
    plan = json.loads((FIXTURES / "plans" / "env-change.json").read_text())
    for change in plan["resource_changes"]:
        if change["type"] == "aws_sagemaker_model" and change["change"]["after"]:
            after = copy.deepcopy(change["change"]["after"])
            after["primary_container"][0]["environment"]["HF_AUTH"] = "hf_AbCdEfGhIjKlMnOpQrSt"
            change["change"]["after"] = after
    text = markdown.render(review(plan, title="secret"))
    assert "hf_AbCdEfGhIjKlMnOpQrSt" not in text and f"HF_AUTH={MASK}" in text


# --- 5. errors that say what to do ---


def test_an_unknown_model_offline_fails_fast_with_the_catalogs_spelling(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{free_port()}")  # nothing listens: refused at once
    started = time.monotonic()
    result = CliRunner().invoke(cli, ["render", "meta-llama/llama-3.1-8b-instruc", "-i", "ml.g5.2xlarge"])
    assert time.monotonic() - started < 5
    assert result.exit_code == 2 and "cannot be asked" in result.output
    assert "Did you mean meta-llama/Llama-3.1-8B-Instruct" in result.output  # the Hub's casing, not lower-case


def test_models_lists_the_catalog_with_gated_ones_marked() -> None:
    result = CliRunner().invoke(cli, ["models", "--json"])
    rows = {row["hub_id"]: row for row in json.loads(result.output)}
    assert rows[L8]["gated"] is True and rows["Qwen/Qwen2.5-7B-Instruct"]["gated"] is False
    assert rows[L8]["context"] == 131072


def _make_dry_run(*args: str) -> str:
    result = subprocess.run(
        ["make", "-n", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "MAKEFLAGS": ""},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_make_invoke_env_local_always_uses_the_local_runtime() -> None:
    commands = _make_dry_run("invoke", "ENV=local", "ENDPOINT=nope", "-o", ".venv/.installed")
    assert "--endpoint nope --endpoint-url http://127.0.0.1:5056" in commands
    commands = _make_dry_run("invoke", "ENV=local", "INVOKE_ARGS=--format tgi", "-o", ".venv/.installed")
    assert "--format tgi" in commands and "--max-new-tokens 32" not in commands


# --- 6. gated models ---


def test_render_warns_for_a_gated_model_from_the_hub_only() -> None:
    gated = CliRunner().invoke(cli, ["render", L8, "-i", "ml.g5.2xlarge", "--format", "env"])
    assert gated.exit_code == 0 and "warning: meta-llama/Llama-3.1-8B-Instruct is gated" in gated.stderr
    assert "warning" not in gated.stdout, "machine formats keep stdout clean"
    staged = CliRunner().invoke(
        cli, ["render", L8, "-i", "ml.g5.2xlarge", "--format", "env", "--model-s3-uri", "s3://team-models/models/l8/"]
    )
    assert staged.exit_code == 0 and "gated" not in staged.stderr
    open_model = CliRunner().invoke(cli, ["render", "Qwen/Qwen2.5-7B-Instruct", "-i", "ml.g6.xlarge", "--json"])
    assert json.loads(open_model.stdout)["warnings"] == []


# --- 8. tables in CI logs ---


@pytest.mark.parametrize("args", [["instances"], ["render", L8, "-i", "ml.g5.2xlarge"], ["models"]])
def test_tables_keep_their_values_without_a_terminal(args: list[str]) -> None:
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    result = subprocess.run(
        [str(Path(sys.executable).parent / "llmctl"), *args], capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "…" not in result.stdout
    assert "ml.g5.2xlarge" in result.stdout or "meta-llama/Llama-3.1-70B-Instruct" in result.stdout

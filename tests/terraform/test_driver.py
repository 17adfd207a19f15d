"""`llmctl tf` without AWS: the mirror CLI configuration, offline review, and the errors a user meets first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from llmctl import terraform_cli
from support.terraform import REPO, copy_terraform, llmctl, rendered_tfvars


def test_mirror_config_lists_the_mirrored_providers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mirror = tmp_path / "mirror"
    (mirror / "registry.terraform.io/hashicorp/aws/5.100.0/linux_amd64").mkdir(parents=True)
    monkeypatch.setenv("TF_PLUGIN_MIRROR", str(mirror))
    monkeypatch.delenv("TF_CLI_CONFIG_FILE", raising=False)
    env = terraform_cli.terraform_env(tmp_path / "state")
    text = Path(env["TF_CLI_CONFIG_FILE"]).read_text()
    assert f'path    = "{mirror}"' in text
    assert 'include = ["registry.terraform.io/hashicorp/aws"]' in text
    assert 'exclude = ["registry.terraform.io/hashicorp/aws"]' in text


def test_a_users_own_cli_config_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    own = tmp_path / "my.tfrc"
    own.write_text("# mine\n")
    monkeypatch.setenv("TF_CLI_CONFIG_FILE", str(own))
    assert "TF_CLI_CONFIG_FILE" not in terraform_cli.terraform_env(tmp_path / "state")


def test_no_mirror_leaves_terraform_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TF_PLUGIN_MIRROR", raising=False)
    monkeypatch.delenv("TF_CLI_CONFIG_FILE", raising=False)
    monkeypatch.setattr(terraform_cli, "DEFAULT_MIRROR", tmp_path / "absent")
    assert terraform_cli.terraform_env(tmp_path / "state") == {"TF_IN_AUTOMATION": "1", "TF_INPUT": "0"}


def test_bad_mirror_setting_is_one_sentence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TF_PLUGIN_MIRROR", str(tmp_path / "nope"))
    with pytest.raises(terraform_cli.LlmctlError, match="is not a directory"):
        terraform_cli.mirror_dir()


def test_offline_plan_of_dev_needs_no_aws(tmp_path: Path, tf_env: dict[str, str]) -> None:
    root = copy_terraform(tmp_path) / "envs" / "dev"
    rendered_tfvars(root, "meta-llama/Llama-3.1-8B-Instruct", "-i", "ml.g5.2xlarge")
    env = {k: v for k, v in tf_env.items() if not k.startswith("AWS_")}
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    result = llmctl(["tf", "plan", "--env", "dev", "--offline", "--account-id", "111122223333"], tmp_path, env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "plan: 30 to create, 0 to update, 0 to delete, 0 to replace" in result.stdout
    plan = json.loads((root / "llm.tfplan.json").read_text())
    assert plan["planned_values"]["outputs"]["execution_role_arn"]["value"].startswith("arn:aws:iam::111122223333:")
    assert not (root / terraform_cli.OFFLINE_OVERRIDE).exists(), "the override file is removed after the plan"
    assert not (root / ".terraform").exists(), "offline review keeps its own data dir"


def test_plan_without_tfvars_says_how_to_write_them(tmp_path: Path, tf_env: dict[str, str]) -> None:
    copy_terraform(tmp_path)
    result = llmctl(["tf", "plan", "--env", "dev"], tmp_path, tf_env)
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and "llmctl render" in result.stderr and "Traceback" not in result.stderr


def test_plan_without_backend_config_says_what_to_copy(tmp_path: Path, tf_env: dict[str, str]) -> None:
    root = copy_terraform(tmp_path) / "envs" / "dev"
    rendered_tfvars(root, "meta-llama/Llama-3.1-8B-Instruct", "-i", "ml.g5.2xlarge")
    result = llmctl(["tf", "plan", "--env", "dev"], tmp_path, tf_env)
    assert result.returncode == 2
    assert "backend.hcl.example" in result.stderr and "--offline" in result.stderr


def test_apply_without_a_reviewed_plan_refuses(tmp_path: Path, tf_env: dict[str, str]) -> None:
    copy_terraform(tmp_path)
    result = llmctl(["tf", "apply", "--env", "dev"], tmp_path, tf_env)
    assert result.returncode == 2 and "make plan ENV=dev" in result.stderr


def test_terraform_errors_reach_the_user_verbatim(tmp_path: Path, tf_env: dict[str, str]) -> None:
    root = copy_terraform(tmp_path) / "envs" / "dev"
    tfvars = rendered_tfvars(root, "meta-llama/Llama-3.1-8B-Instruct", "-i", "ml.g5.2xlarge")
    data = json.loads(tfvars.read_text())
    data["container_startup_health_check_timeout_in_seconds"] = 5000  # only Terraform's validation knows 60-3600
    tfvars.write_text(json.dumps(data))
    result = llmctl(["tf", "plan", "--env", "dev", "--offline"], tmp_path, tf_env)
    assert result.returncode == 1
    assert "container_startup_health_check_timeout_in_seconds must be" in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


def test_a_hand_edited_secret_is_refused_before_terraform(tmp_path: Path, tf_env: dict[str, str]) -> None:
    root = copy_terraform(tmp_path) / "envs" / "dev"
    tfvars = rendered_tfvars(root, "Qwen/Qwen2.5-7B-Instruct", "-i", "ml.g6.xlarge", "-b", "vllm")
    data = json.loads(tfvars.read_text())
    data["container_env"]["HF_AUTH"] = "hf_AbCdEfGhIjKlMnOpQrStUvWxYz0123"
    tfvars.write_text(json.dumps(data))
    result = llmctl(["tf", "plan", "--env", "dev", "--offline"], tmp_path, tf_env)
    assert result.returncode == 2, result.stderr
    assert "error: HF_AUTH is named like a token" in result.stderr and "hf_AbCd" not in result.stderr
    assert not (root / ".terraform-offline").exists(), "refused before terraform init"


def test_hand_edited_token_limits_are_refused_before_terraform(tmp_path: Path, tf_env: dict[str, str]) -> None:
    """Issue 15 item 2: MAX_INPUT_TOKENS over MAX_TOTAL_TOKENS used to plan, apply and go InService locally."""
    root = copy_terraform(tmp_path) / "envs" / "dev"
    tfvars = rendered_tfvars(root, "meta-llama/Llama-3.1-8B-Instruct", "-i", "ml.g5.2xlarge")
    data = json.loads(tfvars.read_text())
    data["container_env"]["MAX_INPUT_TOKENS"] = "9000"
    data["instance_type"] = "ml.g5.2xlarg"
    tfvars.write_text(json.dumps(data))
    result = llmctl(["tf", "plan", "--env", "dev", "--offline"], tmp_path, tf_env)
    assert result.returncode == 2, result.stderr
    assert "Did you mean ml.g5.2xlarge" in result.stderr
    data["instance_type"] = "ml.g5.2xlarge"
    tfvars.write_text(json.dumps(data))
    result = llmctl(["tf", "plan", "--env", "dev", "--offline"], tmp_path, tf_env)
    assert result.returncode == 2, result.stderr
    assert "max input tokens (9000) must be less than MAX_TOTAL_TOKENS (8192)" in result.stderr


@pytest.mark.parametrize(
    ("file", "text", "expected"),
    [
        ("settings.auto.tfvars", "autoscalling = { min_capacity = 2 }\n", "did you mean autoscaling?"),
        ("extra.auto.tfvars.json", '{"min_capacity": 2}', "sets min_capacity, which"),
    ],
)
def test_a_setting_the_env_does_not_declare_stops_the_plan(
    tmp_path: Path, tf_env: dict[str, str], file: str, text: str, expected: str
) -> None:
    """Issue 15 item 1: Terraform only warned ("Value for undeclared variable") and changed nothing."""
    root = copy_terraform(tmp_path) / "envs" / "dev"
    rendered_tfvars(root, "Qwen/Qwen2.5-7B-Instruct", "-i", "ml.g6.xlarge", "-b", "vllm")
    (root / file).write_text(text)
    result = llmctl(["tf", "plan", "--env", "dev", "--offline"], tmp_path, tf_env)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and expected in lines[0]
    assert "would ignore it" in lines[0]


def test_an_offline_plan_is_never_applied(tmp_path: Path, tf_env: dict[str, str]) -> None:
    """Issue 15 item 5: `make apply ENV=dev` after an offline plan failed on the provider cache."""
    root = copy_terraform(tmp_path) / "envs" / "dev"
    rendered_tfvars(root, "Qwen/Qwen2.5-7B-Instruct", "-i", "ml.g6.xlarge", "-b", "vllm")
    planned = llmctl(["tf", "plan", "--env", "dev", "--offline", "--no-review"], tmp_path, tf_env)
    assert planned.returncode == 0, planned.stderr[-2000:]
    applied = llmctl(["tf", "apply", "--env", "dev"], tmp_path, tf_env)
    assert applied.returncode == 2
    assert (
        applied.stderr.startswith("error: ") and "--offline" in applied.stderr and "make plan ENV=dev" in applied.stderr
    )
    assert (root / terraform_cli.PLAN_FILE).exists(), "the reviewed plan is kept for reading"


def test_local_env_without_make_up_says_so_at_once(tmp_path: Path, tf_env: dict[str, str]) -> None:
    """Issue 15 item 5: Terraform retried for 28 s and ended in `dial tcp 127.0.0.1:5055: connect: refused`."""
    import time

    from support.servers import free_port

    root = copy_terraform(tmp_path) / "envs" / "local"
    rendered_tfvars(root, "Qwen/Qwen2.5-7B-Instruct", "-i", "ml.g6.xlarge", "-b", "vllm")
    started = time.monotonic()
    url = f"http://127.0.0.1:{free_port()}"
    result = llmctl(["tf", "plan", "--env", "local", "--aws-endpoint-url", url], tmp_path, tf_env)
    assert result.returncode == 2 and "make up" in result.stderr and url in result.stderr
    assert time.monotonic() - started < 10


def test_unknown_env_is_one_sentence(tmp_path: Path, tf_env: dict[str, str]) -> None:
    result = llmctl(["tf", "plan", "--env", "prod"], tmp_path, tf_env)
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "--env" in result.stderr


def test_repo_has_no_stray_override_files() -> None:
    assert not list(REPO.glob("terraform/**/*_override.tf"))

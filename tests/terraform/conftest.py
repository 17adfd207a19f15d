"""Terraform runs for tests: the project's own provider-mirror CLI configuration, a data dir per root under tmp."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from llmctl import terraform_cli

REPO = Path(__file__).resolve().parents[2]
TERRAFORM = REPO / "terraform"
MODULES = sorted(p for p in (TERRAFORM / "modules").iterdir() if (p / "main.tf").is_file())
ENVS = sorted(p for p in (TERRAFORM / "envs").iterdir() if (p / "main.tf").is_file())


@pytest.fixture(scope="session")
def tf_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    if shutil.which("terraform") is None:
        pytest.fail("terraform is not on PATH: install Terraform >= 1.9 to run the Terraform tests.")
    env = dict(os.environ)
    env.pop("TF_LOG", None)
    env.update(terraform_cli.terraform_env(tmp_path_factory.mktemp("tfcli")))
    return env


def run_terraform(
    args: list[str], cwd: Path, env: dict[str, str], timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["terraform", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="session")
def init_root(tf_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Callable[[Path], dict[str, str]]:
    """`terraform init -backend=false` once per root; returns the env (with its TF_DATA_DIR) to use there."""
    done: dict[Path, dict[str, str]] = {}

    def init(root: Path) -> dict[str, str]:
        if root not in done:
            env = {**tf_env, "TF_DATA_DIR": str(tmp_path_factory.mktemp("tfdata") / ".terraform")}
            result = run_terraform(["init", "-backend=false", "-input=false", "-no-color"], root, env)
            assert result.returncode == 0, result.stderr
            done[root] = env
        return done[root]

    return init


def rendered_tfvars(tmp: Path, *args: str) -> Path:
    """`llmctl render … --format tfvars` for real, into tmp; returns the file."""
    from click.testing import CliRunner
    from llmctl.cli import cli

    out = tmp / "llm.auto.tfvars.json"
    result = CliRunner().invoke(cli, ["render", *args, "--format", "tfvars", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def load_json(path: Path) -> Any:
    return json.loads(path.read_text())

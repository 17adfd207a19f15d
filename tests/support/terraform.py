"""Helpers for tests that run Terraform or the llmctl CLI as a user would."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
TERRAFORM = REPO / "terraform"
MODULES = sorted(p for p in (TERRAFORM / "modules").iterdir() if (p / "main.tf").is_file())
ENVS = sorted(p for p in (TERRAFORM / "envs").iterdir() if (p / "main.tf").is_file())
STACK_ENVS = [p for p in ENVS if p.name != "bootstrap"]  # the bootstrap is applied once, before the stacks


def run_terraform(
    args: list[str], cwd: Path, env: dict[str, str], timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["terraform", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def llmctl(args: list[str], cwd: Path, env: dict[str, str], timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """The installed `llmctl` console script, in a subprocess (Terraform's output goes to real file descriptors)."""
    return subprocess.run(
        [str(Path(sys.executable).parent / "llmctl"), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def copy_terraform(tmp: Path) -> Path:
    """A private copy of terraform/ (modules resolve by relative path), without state, plans or tfvars."""
    shutil.copytree(
        TERRAFORM,
        tmp / "terraform",
        symlinks=True,
        ignore=shutil.ignore_patterns(
            ".terraform*", "*.tfstate*", "*.tfplan*", "llm.auto.tfvars.json", "*_override.tf"
        ),
    )
    return tmp / "terraform"


def rendered_tfvars(directory: Path, *args: str) -> Path:
    """`llmctl render … --format tfvars` for real, into directory; returns the file."""
    from click.testing import CliRunner
    from llmctl.cli import cli

    out = directory / "llm.auto.tfvars.json"
    result = CliRunner().invoke(cli, ["render", *args, "--format", "tfvars", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def load_json(path: Path) -> Any:
    return json.loads(path.read_text())

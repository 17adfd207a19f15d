"""`terraform fmt` and `terraform validate` over every module and environment."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.terraform import ENVS, MODULES, TERRAFORM, run_terraform


def test_terraform_files_are_formatted(tf_env: dict[str, str]) -> None:
    result = run_terraform(["fmt", "-check", "-recursive", "-diff", "-no-color"], TERRAFORM, tf_env)
    assert result.returncode == 0, f"run `terraform fmt -recursive terraform/`:\n{result.stdout}"


@pytest.mark.parametrize("root", MODULES + ENVS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_root_validates(root: Path, init_root) -> None:  # type: ignore[no-untyped-def]
    result = run_terraform(["validate", "-no-color"], root, init_root(root))
    assert result.returncode == 0, result.stderr + result.stdout

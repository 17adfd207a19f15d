"""Terraform fixtures: one `terraform init` per root and session, each with its own data dir."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from support.terraform import run_terraform


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

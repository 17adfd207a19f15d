"""Module READMEs carry current inputs/outputs tables, and each module has the terraform-aws-modules file layout."""

from __future__ import annotations

from pathlib import Path

import pytest
import terraform_docs
from support.terraform import MODULES


def test_readme_tables_are_current() -> None:
    assert terraform_docs.main(["--check"]) == 0, "run `make tf-docs`"


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.name)
def test_module_layout(module: Path) -> None:
    for name in ("main.tf", "variables.tf", "outputs.tf", "versions.tf", "README.md"):
        assert (module / name).is_file(), f"{module.name} lacks {name}"
    assert list((module / "tests").glob("*.tftest.hcl")), f"{module.name} has no native tests"
    readme = (module / "README.md").read_text()
    for variable in terraform_docs._blocks(module / "variables.tf", "variable"):
        assert f"| `{variable[0]}` |" in readme

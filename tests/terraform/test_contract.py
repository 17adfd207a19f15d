"""The render → Terraform contract: one definition, linked by every environment, matching llmctl and docs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from support.terraform import REPO, STACK_ENVS, TERRAFORM, rendered_tfvars

CONTRACT = TERRAFORM / "contract" / "llm_contract_variables.tf"
SETTINGS = TERRAFORM / "contract" / "env_settings_variables.tf"
SETTINGS_HEADING = "# `settings.auto.tfvars`"


def _declared(path: Path) -> set[str]:
    return set(re.findall(r'^variable "(\w+)"', path.read_text(), re.M))


@pytest.mark.parametrize("env", STACK_ENVS, ids=lambda p: p.name)
def test_every_env_links_the_one_contract(env: Path) -> None:
    link = env / "variables.tf"
    assert link.is_symlink() and link.resolve() == CONTRACT.resolve()


def test_contract_matches_what_render_writes(tmp_path: Path) -> None:
    tfvars = rendered_tfvars(tmp_path, "Qwen/Qwen2.5-7B-Instruct", "-i", "ml.g6.xlarge", "-b", "vllm")
    import json

    assert set(json.loads(tfvars.read_text())) == _declared(CONTRACT)


def _documented(text: str) -> set[str]:
    return set(re.findall(r"^\| `(\w+)` \|", text, re.M))


def test_contract_and_settings_match_the_documented_schema() -> None:
    contract_doc, settings_doc = (REPO / "docs" / "tfvars.md").read_text().split(SETTINGS_HEADING)
    assert _documented(contract_doc) == _declared(CONTRACT)
    assert _documented(settings_doc) == _declared(SETTINGS)


@pytest.mark.parametrize("env", STACK_ENVS, ids=lambda p: p.name)
def test_every_env_links_the_one_settings_declaration(env: Path) -> None:
    link = env / "settings_variables.tf"
    assert link.is_symlink() and link.resolve() == SETTINGS.resolve()
    assert (env / "settings.auto.tfvars").is_file(), "each env commits the file teams edit"


@pytest.mark.parametrize("env", STACK_ENVS, ids=lambda p: p.name)
def test_env_declares_nothing_a_user_must_write(env: Path) -> None:
    """Besides the contract, an env may only declare variables with defaults (so the tfvars file is all one writes)."""
    for tf in env.glob("*.tf"):
        if tf.name in ("variables.tf", "settings_variables.tf"):
            continue
        for block in re.split(r'^variable "', tf.read_text(), flags=re.M)[1:]:
            assert "default" in block.split("\n}\n", 1)[0], f"{tf}: variable {block.split(chr(34))[0]} needs a default"


@pytest.mark.parametrize("env", STACK_ENVS, ids=lambda p: p.name)
def test_every_env_links_the_shared_outputs(env: Path) -> None:
    linked = [f for f in env.glob("*.tf") if f.is_symlink() and f.resolve().name == "stack_outputs.tf"]
    assert len(linked) == 1

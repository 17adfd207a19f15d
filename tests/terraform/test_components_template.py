"""Issue 18: what Terraform cannot apply here is validated offline. The inference-component module's CloudFormation
template, as planned for its example (two models on one endpoint, and scaled to zero), passes cfn-lint against
CloudFormation's resource specification; the same template with one property misspelled does not."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from support.terraform import copy_terraform, run_terraform

EXAMPLE = Path("modules") / "inference-components" / "examples" / "local"


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory, tf_env: dict[str, str]) -> Path:
    root = copy_terraform(tmp_path_factory.mktemp("components")) / EXAMPLE
    result = run_terraform(["init", "-input=false", "-no-color"], root, tf_env)
    assert result.returncode == 0, result.stderr
    return root


def _template(root: Path, env: dict[str, str], *args: str) -> dict[str, Any]:
    """The template_body the plan would send: no AWS call is made (nothing to refresh, no data sources)."""
    planned = run_terraform(["plan", "-input=false", "-no-color", "-out=plan.bin", *args], root, env)
    assert planned.returncode == 0, planned.stdout[-3000:] + planned.stderr
    shown = json.loads(run_terraform(["show", "-json", "plan.bin"], root, env).stdout)
    stacks = [c for c in shown["resource_changes"] if c["type"] == "aws_cloudformation_stack"]
    return dict(json.loads(stacks[0]["change"]["after"]["template_body"]))


def _cfn_lint(template: dict[str, Any], path: Path) -> subprocess.CompletedProcess[str]:
    path.write_text(json.dumps(template, indent=2))
    cfn_lint = shutil.which("cfn-lint", path=str(Path(sys.executable).parent))
    assert cfn_lint, "cfn-lint is a dev dependency (pyproject.toml)"
    return subprocess.run([cfn_lint, str(path), "--regions", "us-east-1"], capture_output=True, text=True, check=False)


@pytest.mark.parametrize("args", [[], ["-var", "scale_to_zero=true"]], ids=["two-models", "scale-to-zero"])
def test_the_template_passes_cloudformations_resource_specification(
    example: Path, tf_env: dict[str, str], tmp_path: Path, args: list[str]
) -> None:
    template = _template(example, tf_env, *args)
    assert {r["Type"] for r in template["Resources"].values()} == {
        "AWS::SageMaker::EndpointConfig",
        "AWS::SageMaker::Endpoint",
        "AWS::SageMaker::InferenceComponent",
    }
    linted = _cfn_lint(template, tmp_path / "template.json")
    assert linted.returncode == 0, linted.stdout + linted.stderr


def test_a_misspelled_property_fails_the_check(example: Path, tf_env: dict[str, str], tmp_path: Path) -> None:
    template = _template(example, tf_env)
    needs = template["Resources"]["ComponentChat"]["Properties"]["Specification"]["ComputeResourceRequirements"]
    needs["NumberOfAcceleratorDeviceRequired"] = needs.pop("NumberOfAcceleratorDevicesRequired")
    linted = _cfn_lint(template, tmp_path / "misspelled.json")
    assert linted.returncode != 0
    assert "E3002" in linted.stdout and "NumberOfAcceleratorDeviceRequired" in linted.stdout, linted.stdout


def _plan(root: Path, env: dict[str, str], *args: str) -> dict[str, Any]:
    planned = run_terraform(["plan", "-input=false", "-no-color", "-out=plan.bin", *args], root, env)
    assert planned.returncode == 0, planned.stdout[-3000:] + planned.stderr
    return dict(json.loads(run_terraform(["show", "-json", "plan.bin"], root, env).stdout))


def test_plan_review_reads_components_copies_and_cost_at_zero(example: Path, tf_env: dict[str, str]) -> None:
    from llmctl.plan_review.markdown import render
    from llmctl.plan_review.review import review
    from llmctl.prices import hourly, price_table

    reviewed = review(_plan(example, tf_env, "-var", "scale_to_zero=true"), region="us-east-1")
    created = {n.title: n.details for n in reviewed.notes if n.title.startswith("inference component")}
    assert created["inference component llm-local-chat is created"] == [
        "copies 2 at creation, autoscaled 0..3; each 1 GPU(s), 11 CPU cores, 17408 MB"
    ]
    (row,) = [r for r in reviewed.cost if r["variant"] == "AllTraffic (components)"]
    each = hourly(price_table(), "us-east-1", "ml.g5.12xlarge")
    assert row["after"]["hourly_at_min"] == 0 and row["after"]["hourly_at_max"] == round(2 * each, 4)
    assert "AllTraffic (components)" in render(reviewed)


def test_plan_review_tells_an_update_from_a_replacement_and_scale_to_zero(
    example: Path, tf_env: dict[str, str]
) -> None:
    """Before: the example as first applied; after: scaled to zero, one component resized and one renamed."""
    from llmctl.plan_review.review import review

    def stack(plan: dict[str, Any]) -> dict[str, Any]:
        return next(c for c in plan["resource_changes"] if c["type"] == "aws_cloudformation_stack")

    before = stack(_plan(example, tf_env))["change"]["after"]
    after = json.loads(json.dumps(stack(_plan(example, tf_env, "-var", "scale_to_zero=true"))["change"]["after"]))
    template = json.loads(after["template_body"])
    template["Resources"]["ComponentChat"]["Properties"]["Specification"]["ComputeResourceRequirements"][
        "NumberOfAcceleratorDevicesRequired"
    ] = 2
    template["Resources"]["ComponentSmall"]["Properties"]["InferenceComponentName"] = "llm-local-tiny"
    after["template_body"] = json.dumps(template)
    change = {"address": "module.components.aws_cloudformation_stack.endpoint", "type": "aws_cloudformation_stack"}
    plan = {"resource_changes": [{**change, "change": {"actions": ["update"], "before": before, "after": after}}]}
    notes = {n.title: n.details for n in review(plan, region="us-east-1").notes}
    assert notes["inference component llm-local-chat is updated in place"] == [
        "each copy 1 GPU(s), 11 CPU cores, 17408 MB → 2 GPU(s), 11 CPU cores, 17408 MB"
    ]
    assert "inference component llm-local-small is deleted" in notes
    assert any("a new name" in line for line in notes["inference component llm-local-tiny is created"])
    assert any(
        "no capacity until a copy is back" in line
        for line in notes["scale to zero turned on (module.components.aws_cloudformation_stack.endpoint)"]
    )

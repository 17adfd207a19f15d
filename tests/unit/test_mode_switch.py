"""Switching an environment between a real-time endpoint and inference components needs a destroy first: both would
hold the endpoint's name at once. `llmctl tf plan` refuses such a plan with that sentence."""

from __future__ import annotations

import json

import pytest
from llmctl.plan_review.components import mode_switch
from llmctl.plan_review.plan import Change

TEMPLATE = json.dumps({"Resources": {"C": {"Type": "AWS::SageMaker::InferenceComponent", "Properties": {}}}})


def _stack(action: str) -> Change:
    values = {"template_body": TEMPLATE}
    before, after = (values, {}) if action == "delete" else ({}, values)
    return Change(
        "module.stack.module.components[0].aws_cloudformation_stack.endpoint",
        "aws_cloudformation_stack",
        action,
        before,
        after,
    )


def _endpoint(action: str) -> Change:
    return Change(
        "module.stack.module.endpoint[0].aws_sagemaker_endpoint.this", "aws_sagemaker_endpoint", action, {}, {}
    )


@pytest.mark.parametrize(
    ("changes", "switch"),
    [
        ([_stack("create"), _endpoint("delete")], "from a real-time endpoint to inference components"),
        ([_stack("delete"), _endpoint("create")], "from inference components to a real-time endpoint"),
        ([_stack("create")], None),
        ([_endpoint("delete")], None),
        ([_stack("update"), _endpoint("update")], None),
    ],
)
def test_a_mode_switch_is_named(changes: list[Change], switch: str | None) -> None:
    assert mode_switch(changes) == switch

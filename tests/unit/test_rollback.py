"""After an apply (issue 16): which configuration Terraform applied (never a deposed one it keeps), the one sentence
for a SageMaker rollback by cause, and the plans `llmctl tf apply` refuses without --allow-endpoint-replacement."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from llmctl import rollback

PLANS = Path(__file__).parents[1] / "fixtures" / "plans"


def _config(name: str, deposed: bool = False) -> dict[str, Any]:
    resource = {
        "address": "module.stack.module.endpoint[0].aws_sagemaker_endpoint_configuration.this",
        "mode": "managed",
        "type": "aws_sagemaker_endpoint_configuration",
        "values": {"name": name},
    }
    return {**resource, "deposed_key": "00000001"} if deposed else resource


def test_the_applied_configuration_is_the_current_object_not_the_deposed_one() -> None:
    state = {
        "values": {
            "root_module": {
                "child_modules": [
                    {"child_modules": [{"resources": [_config("cfg-old", deposed=True), _config("cfg-new")]}]}
                ]
            }
        }
    }
    assert rollback.applied_config_name(state) == "cfg-new"
    assert rollback.applied_config_name({}) is None


def _described(live: str, reason: str | None, status: str = "InService") -> dict[str, Any]:
    described = {"EndpointName": "llm", "EndpointConfigName": live, "EndpointStatus": status}
    return {**described, "FailureReason": reason} if reason else described


def test_a_rollback_is_named_with_its_cause() -> None:
    alarm = rollback.rollback_message(
        _described("cfg-old", "Rolled back the deployment because alarm(s) llm-5xx-errors went into ALARM state."),
        "cfg-new",
        "dev",
    )
    assert alarm is not None and alarm.startswith("the update of llm rolled back because a rollback alarm fired")
    assert "it still serves configuration cfg-old, which is kept" in alarm and "make apply ENV=dev" in alarm
    health = rollback.rollback_message(
        _described(
            "cfg-old", "The primary container for production variant AllTraffic did not pass the ping health check."
        ),
        "cfg-new",
        "dev",
    )
    assert health is not None and "because the new fleet failed its health check" in health
    unknown = rollback.rollback_message(_described("cfg-old", None), "cfg-new", "dev")
    assert unknown is not None and "SageMaker gave no FailureReason" in unknown


def test_no_rollback_when_the_endpoint_serves_the_applied_configuration_or_is_still_changing() -> None:
    assert rollback.rollback_message(_described("cfg-new", None), "cfg-new", "dev") is None
    assert rollback.rollback_message(_described("cfg-old", None, status="Updating"), "cfg-new", "dev") is None


def test_only_a_plan_that_deletes_and_recreates_the_endpoint_counts_as_a_replacement() -> None:
    def plan(name: str) -> dict[str, Any]:
        return dict(json.loads((PLANS / f"{name}.json").read_text()))

    assert rollback.replaced_endpoints(plan("replace-endpoint")) == ["llm-local"]
    for name in ("env-change", "instance-type", "destroy", "first-deploy"):
        assert rollback.replaced_endpoints(plan(name)) == [], name

"""After an apply: did SageMaker roll the update back, and may a plan replace the endpoint (docs/updates.md)?

SageMaker rolls a blue/green update back when a rollback alarm fires or the new fleet fails its health check; the
endpoint returns to InService on its old configuration and the AWS provider, which waits for InService only, cannot
tell. The stack's postcondition stops the apply before the old configuration is deleted; this module names the cause.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

ENDPOINT_TYPE = "aws_sagemaker_endpoint"
CONFIG_TYPE = "aws_sagemaker_endpoint_configuration"


def _resources(module: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from module.get("resources", [])
    for child in module.get("child_modules", []):
        yield from _resources(child)


def applied_config_name(state: dict[str, Any]) -> str | None:
    """The endpoint configuration Terraform last applied (`terraform show -json`), not a deposed one it keeps."""
    for resource in _resources(state.get("values", {}).get("root_module", {})):
        if resource.get("type") == CONFIG_TYPE and resource.get("mode") == "managed" and "deposed_key" not in resource:
            name = resource.get("values", {}).get("name")
            return str(name) if name else None
    return None


def _cause(reason: str) -> str:
    if "ALARM" in reason or "alarm" in reason:
        return "a rollback alarm fired during the deployment"
    if "health check" in reason:
        return "the new fleet failed its health check"
    return "the new fleet failed"


def rollback_message(described: dict[str, Any], applied_config: str, env: str) -> str | None:
    """One sentence when the endpoint serves another configuration than the applied one, else None."""
    live = described.get("EndpointConfigName")
    if not live or live == applied_config or described.get("EndpointStatus") != "InService":
        return None
    reason = str(described.get("FailureReason") or "SageMaker gave no FailureReason")
    return (
        f"the update of {described['EndpointName']} rolled back because {_cause(reason)} ({reason.rstrip('.')}): it "
        f"still serves configuration {live}, which is kept; fix the cause, then run `make plan ENV={env}` and "
        f"`make apply ENV={env}` again."
    )


def replaced_endpoints(plan: dict[str, Any]) -> list[str]:
    """Endpoints the plan deletes and creates again: an outage for the whole create, scaling re-registered."""
    return [
        str(change["change"].get("before", {}).get("name") or change["address"])
        for change in plan.get("resource_changes", [])
        if change.get("type") == ENDPOINT_TYPE
        and change.get("mode") == "managed"
        and {"delete", "create"} <= set(change["change"]["actions"])
    ]

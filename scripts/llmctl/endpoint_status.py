"""Endpoint status, per-variant instance counts, scaling bounds and recent autoscaling activity."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from .errors import LlmctlError

TERMINAL = {"InService", "Failed", "OutOfService"}


@dataclass
class VariantStatus:
    name: str
    current_instances: int | None
    desired_instances: int | None
    min_capacity: int | None = None
    max_capacity: int | None = None
    activities: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class EndpointStatus:
    name: str
    status: str
    failure_reason: str | None
    variants: list[VariantStatus]
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "endpoint": self.name,
            "status": self.status,
            "failure_reason": self.failure_reason,
            "variants": [v.__dict__ for v in self.variants],
            "notes": self.notes,
        }


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _short(exc: Exception) -> str:
    """One line for an AWS error: its code and the first line of its message (bodies may be HTML)."""
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        message = str(error.get("Message", "")).strip().splitlines()
        text = message[0][:160] if message and not message[0].startswith("<") else ""
        operation = getattr(exc, "operation_name", "call")
        return f"{operation}: {error.get('Code', 'error')}{' ' + text if text else ''}"
    return str(exc).splitlines()[0][:160]


def describe_endpoint(sagemaker: Any, name: str) -> dict[str, Any]:
    try:
        return dict(sagemaker.describe_endpoint(EndpointName=name))
    except ClientError as exc:
        message = exc.response.get("Error", {}).get("Message", str(exc))
        if "Could not find" in message or "not found" in message.lower():
            raise LlmctlError(f"endpoint {name} does not exist in this account and region.", 3) from None
        raise LlmctlError(f"DescribeEndpoint for {name} failed: {message}", 5) from None
    except BotoCoreError as exc:
        raise LlmctlError(f"DescribeEndpoint for {name} failed: {exc}", 5) from None


def read_status(sagemaker: Any, autoscaling: Any | None, name: str, activities: int = 5) -> EndpointStatus:
    described = describe_endpoint(sagemaker, name)
    variants = [
        VariantStatus(v["VariantName"], v.get("CurrentInstanceCount"), v.get("DesiredInstanceCount"))
        for v in described.get("ProductionVariants", [])
    ]
    status = EndpointStatus(name, described["EndpointStatus"], described.get("FailureReason"), variants)
    if autoscaling is not None and variants:
        _add_scaling(autoscaling, status, activities)
    return status


def _add_scaling(autoscaling: Any, status: EndpointStatus, limit: int) -> None:
    resource_ids = {f"endpoint/{status.name}/variant/{v.name}": v for v in status.variants}
    try:
        targets = autoscaling.describe_scalable_targets(ServiceNamespace="sagemaker", ResourceIds=list(resource_ids))
        for target in targets.get("ScalableTargets", []):
            variant = resource_ids.get(target["ResourceId"])
            if variant is not None:
                variant.min_capacity, variant.max_capacity = target["MinCapacity"], target["MaxCapacity"]
        for resource_id, variant in resource_ids.items():
            page = autoscaling.describe_scaling_activities(
                ServiceNamespace="sagemaker", ResourceId=resource_id, MaxResults=limit
            )
            variant.activities = [
                {
                    "start": _iso(a.get("StartTime")),
                    "end": _iso(a.get("EndTime")),
                    "status": a.get("StatusCode"),
                    "description": a.get("Description"),
                    "cause": a.get("Cause"),
                }
                for a in page.get("ScalingActivities", [])[:limit]
            ]
    except (ClientError, BotoCoreError) as exc:
        status.notes.append(
            f"autoscaling details unavailable ({_short(exc)}); check application-autoscaling:Describe* permissions"
        )
    if not any(v.min_capacity is not None for v in status.variants) and not status.notes:
        status.notes.append("no Application Auto Scaling target is registered for this endpoint")


def watch(
    sagemaker: Any,
    autoscaling: Any | None,
    name: str,
    interval: float,
    max_wait: float,
    console: Any,
    activities: int = 5,
) -> EndpointStatus:
    """Poll until the endpoint is InService, Failed or OutOfService, with a spinner; exit 5 after max_wait seconds."""
    status = read_status(sagemaker, autoscaling, name, activities)
    started = time.monotonic()
    with console.status(f"{name}: {status.status}") as spinner:
        while status.status not in TERMINAL:
            elapsed = time.monotonic() - started
            if elapsed >= max_wait:
                raise LlmctlError(f"{name} is still {status.status} after {elapsed:.0f} s.", 5)
            time.sleep(min(interval, max(0.0, max_wait - elapsed)))
            status = read_status(sagemaker, autoscaling, name, activities)
            spinner.update(f"{name}: {status.status} ({time.monotonic() - started:.0f} s)")
    return status

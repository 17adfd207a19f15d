"""The instance count a new endpoint configuration starts at. hashicorp/aws cannot send RetainAllVariantProperties,
so every update restarts the variant at the configuration's InitialInstanceCount: an endpoint autoscaled to 6 would
drop to 1 on a routine model update. `llmctl tf plan` plans max(configured, running now), within max_capacity."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .env_inputs import read_tfvars

SETTINGS = "settings.auto.tfvars"
DEFAULT_MIN, DEFAULT_MAX = 1, 2  # modules/llm-stack's autoscaling defaults


@dataclass(frozen=True)
class Counts:
    configured: int  # instance_count, else autoscaling.min_capacity
    max_capacity: int


def configured_counts(root: Path) -> Counts:
    """From the env's settings file (the same values Terraform reads; defaults when unset)."""
    path = root / SETTINGS
    data = read_tfvars(path) if path.is_file() else {}
    scaling = data.get("autoscaling") or {}
    low = int(scaling.get("min_capacity", DEFAULT_MIN))
    configured = data.get("instance_count")
    return Counts(int(configured) if configured is not None else low, int(scaling.get("max_capacity", DEFAULT_MAX)))


def running_count(sagemaker: Any, endpoint: str) -> int | None:
    """The largest desired instance count of the endpoint's variants now, or None when it does not exist."""
    from botocore.exceptions import ClientError

    try:
        described = sagemaker.describe_endpoint(EndpointName=endpoint)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ValidationException":
            return None
        raise
    counts = [int(v.get("DesiredInstanceCount") or 0) for v in described.get("ProductionVariants") or []]
    return max(counts) if counts else None


def planned_count(counts: Counts, running: int | None) -> int:
    if running is None:
        return counts.configured
    return min(max(counts.configured, running), counts.max_capacity)

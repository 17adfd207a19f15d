"""The `quota` flag: instances the plan starts, next to the account's Service Quotas value and current usage for
each instance type (read by `llmctl tf plan` with AWS access; llmctl.quotas)."""

from __future__ import annotations

from ..quotas import EndpointQuota, quota_name
from .findings import Flag, Note
from .plan import Change, production_variants


def needs(changes: list[Change]) -> dict[str, int]:
    """Instances each new endpoint configuration starts by type: blue/green runs them beside the old fleet."""
    need: dict[str, int] = {}
    for config in changes:
        if config.type != "aws_sagemaker_endpoint_configuration" or config.action not in ("create", "replace"):
            continue
        for variant in production_variants(config.after).values():
            instance, count = variant.get("instance_type"), variant.get("initial_instance_count")
            if isinstance(instance, str) and isinstance(count, int | float):
                need[instance] = need.get(instance, 0) + int(count)
    return need


def analyse(changes: list[Change], quotas: list[EndpointQuota]) -> tuple[list[Note], list[Flag]]:
    need = needs(changes)
    details, flags = [], []
    for fact in quotas:
        more = need.get(fact.instance_type, 0)
        if fact.quota is None:
            details.append(f"{fact.instance_type}: Service Quotas lists no '{quota_name(fact.instance_type)}' here")
            continue
        line = (
            f"{fact.instance_type}: {fact.in_use} running + {more} this plan starts = {fact.in_use + more} "
            f"of quota {fact.quota:g}"
        )
        details.append(line)
        if fact.in_use + more > fact.quota:
            flags.append(
                Flag(
                    "quota",
                    f"{fact.instance_type}: the account runs {fact.in_use} and the plan starts {more} more, over the "
                    f"quota '{quota_name(fact.instance_type)}' of {fact.quota:g}; request an increase in Service "
                    "Quotas before applying (CreateEndpoint and UpdateEndpoint fail with ResourceLimitExceeded)",
                )
            )
    severity = "danger" if flags else "info"
    return ([Note(severity, "Service Quotas (endpoint usage)", details)] if details else []), flags

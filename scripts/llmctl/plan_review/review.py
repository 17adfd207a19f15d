"""The whole review of one plan: counts by action, findings, IAM rows, cost rows, flags."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from ..prices import price_table, with_prices
from ..quotas import EndpointQuota
from . import components, cost, dangers, iam, quota, sagemaker
from .findings import FLAGS, Flag, Note
from .plan import Change, changes

ACTIONS = ("create", "update", "replace", "delete", "no-op")


@dataclass
class Review:
    counts: dict[str, int]
    changes: list[Change]
    notes: list[Note]  # SageMaker
    iam_notes: list[Note]
    flags: list[Flag]
    iam: list[dict[str, Any]]
    cost: list[dict[str, Any]]
    region: str | None
    price_source: str
    title: str = "Terraform plan"
    errors: list[str] = field(default_factory=list)

    def raised(self, flag_ids: set[str]) -> list[Flag]:
        return [f for f in self.flags if f.id in flag_ids]

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "counts": self.counts,
            "flags": [asdict(f) for f in self.flags],
            "changes": [
                {"address": c.address, "type": c.type, "action": c.action, "replace_paths": c.replace_paths}
                for c in self.changes
                if c.action != "no-op"
            ],
            "sagemaker": [asdict(n) for n in self.notes],
            "iam": self.iam,
            "cost": {"region": self.region, "source": self.price_source, "variants": self.cost},
        }


def plan_region(plan: dict[str, Any]) -> str | None:
    output = plan.get("planned_values", {}).get("outputs", {}).get("region", {})
    value = output.get("value")
    if isinstance(value, str):
        return value
    change = plan.get("output_changes", {}).get("region", {})
    for side in ("after", "before"):  # a destroy plan has only the value before
        if isinstance(change.get(side), str):
            return str(change[side])
    return None


def checked_resources(plan: dict[str, Any]) -> frozenset[str]:
    """Resources with preconditions or postconditions: the plan lists them under `checks`, by configuration address
    and per instance (`module.x[0].…`, what resource_changes use)."""
    found: set[str] = set()
    for check in plan.get("checks", []):
        if check.get("address", {}).get("kind") != "resource":
            continue
        found.add(str(check["address"]["to_display"]))
        found.update(str(i["address"]["to_display"]) for i in check.get("instances") or [] if "address" in i)
    return frozenset(found)


def review(
    plan: dict[str, Any],
    title: str = "Terraform plan",
    region: str | None = None,
    prices: dict[str, Any] | None = None,
    quotas: list[EndpointQuota] | None = None,
) -> Review:
    """`prices`: a team's own price table merged over the bundled one (`llmctl plan-review --prices`); `quotas`: the
    account's endpoint quotas and usage for the plan's instance types (read with AWS access; None: not checked)."""
    found = changes(plan)
    counts = Counter(c.action for c in found if c.action in ACTIONS)
    notes, flags = sagemaker.analyse(found, checked_resources(plan))
    if quotas is not None:
        quota_notes, quota_flags = quota.analyse(found, quotas)
        notes, flags = notes + quota_notes, flags + quota_flags
    iam_notes, iam_flags, iam_rows = iam.analyse(found)
    region = region or plan_region(plan)
    table = with_prices(prices) if prices else price_table()
    cost_rows, cost_flags = cost.analyse(found, region, table)
    component_notes, component_flags, component_rows = components.analyse(found, region, table)
    notes, flags, cost_rows = notes + component_notes, flags + component_flags, cost_rows + component_rows
    source = f"{table['description']} As of {table['as_of']}: " + "; ".join(table["sources"].values())
    all_flags = flags + dangers.analyse(found) + iam_flags + cost_flags
    assert all(f.id in FLAGS for f in all_flags)
    return Review(
        counts={a: counts.get(a, 0) for a in ACTIONS},
        changes=found,
        notes=notes,
        iam_notes=iam_notes,
        flags=all_flags,
        iam=iam_rows,
        cost=cost_rows,
        region=region,
        price_source=source,
        title=title,
    )

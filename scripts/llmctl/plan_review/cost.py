"""Instance cost of each endpoint variant before and after, at minimum and maximum capacity, from the price table
bundled with llmctl (catalog/prices.json: source and date inside). A type or region the table lacks is "price
unknown", never an estimate."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..prices import hourly
from .findings import Flag
from .plan import Change, production_variants

HOURS_PER_MONTH = 730


@dataclass(frozen=True)
class Capacity:
    instance_type: str | None
    min_instances: int | None
    max_instances: int | None
    hourly_each: float | None

    def at(self, count: int | None) -> float | None:
        return None if self.hourly_each is None or count is None else round(self.hourly_each * count, 4)

    def to_json(self) -> dict[str, Any]:
        low, high = self.at(self.min_instances), self.at(self.max_instances)
        return {
            "instance_type": self.instance_type,
            "min_instances": self.min_instances,
            "max_instances": self.max_instances,
            "hourly_each": self.hourly_each,
            "hourly_at_min": low,
            "hourly_at_max": high,
            "monthly_at_min": None if low is None else round(low * HOURS_PER_MONTH, 2),
            "monthly_at_max": None if high is None else round(high * HOURS_PER_MONTH, 2),
        }


def _bounds(changes: list[Change], variant: str, side: str) -> tuple[int | None, int | None]:
    for c in changes:
        if c.type != "aws_appautoscaling_target":
            continue
        values = c.before if side == "before" else c.after
        if str(values.get("resource_id", "")).endswith(f"/variant/{variant}") and values:
            return values.get("min_capacity"), values.get("max_capacity")
    return None, None


def analyse(
    changes: list[Change], region: str | None, table: dict[str, Any]
) -> tuple[list[dict[str, Any]], list[Flag]]:
    rows: list[dict[str, Any]] = []
    flags: list[Flag] = []
    for config in (c for c in changes if c.type == "aws_sagemaker_endpoint_configuration"):
        before, after = production_variants(config.before), production_variants(config.after)
        for variant in sorted(set(before) | set(after)):
            sides: dict[str, Capacity | None] = {}
            for side, variants in (("before", before), ("after", after)):
                v = variants.get(variant)
                if v is None:
                    sides[side] = None
                    continue
                low, high = _bounds(changes, variant, side)
                count = v.get("initial_instance_count")
                capacity = Capacity(
                    v.get("instance_type"),
                    count if low is None else low,  # 0: an async endpoint that scales to zero
                    count if high is None else high,
                    hourly(table, region, v.get("instance_type")),
                )
                sides[side] = capacity
            rows.append(
                {
                    "variant": variant,
                    "address": config.address,
                    **{k: (v.to_json() if v else None) for k, v in sides.items()},
                }
            )
            old, new = sides["before"], sides["after"]
            old_max = old.at(old.max_instances) if old else 0.0
            new_max = new.at(new.max_instances) if new else 0.0
            if (
                old is not None
                and new is not None
                and old_max is not None
                and new_max is not None
                and new_max > old_max
            ):
                flags.append(Flag("cost-increase", f"{variant}: ${old_max:,.2f}/h → ${new_max:,.2f}/h at max capacity"))
    return rows, flags

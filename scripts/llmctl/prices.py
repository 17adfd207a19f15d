"""On-demand prices of SageMaker hosting instances, from the table bundled with llmctl (catalog/prices.json: its
sources and date inside). A type or region the table lacks has no price: never an estimate."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any


@lru_cache
def price_table() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((resources.files("llmctl") / "catalog" / "prices.json").read_text())
    return data


def with_prices(extra: dict[str, Any]) -> dict[str, Any]:
    """The bundled table with a team's own prices on top (same shape: regions → type → [USD/hour, source key])."""
    base = price_table()
    regions = {region: dict(types) for region, types in base["regions"].items()}
    for region, types in extra.get("regions", {}).items():
        regions.setdefault(region, {}).update(types)
    sources = {**base["sources"], **extra.get("sources", {})}
    return {**base, "regions": regions, "sources": sources, "as_of": extra.get("as_of", base["as_of"])}


def hourly(table: dict[str, Any], region: str | None, instance_type: str | None) -> float | None:
    if region is None or instance_type is None:
        return None
    entry = table["regions"].get(region, {}).get(instance_type)
    return float(entry[0]) if entry else None

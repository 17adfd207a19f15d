"""Inference-component endpoints (terraform/modules/inference-components): their configuration, endpoint and
components are one CloudFormation stack, so the plan shows a template. This reads the template before and after:
each component created, deleted, updated in place or replaced (a new name), its copies and compute requirements,
scale to zero turned on or off, and the instance cost at the managed scaling's min and max (zero at min 0)."""

from __future__ import annotations

import json
from typing import Any

from ..prices import hourly
from .cost import Capacity
from .findings import Flag, Note
from .plan import UNKNOWN, Change

COMPONENT = "AWS::SageMaker::InferenceComponent"
CONFIG = "AWS::SageMaker::EndpointConfig"


def _template(values: dict[str, Any]) -> dict[str, Any]:
    body = values.get("template_body")
    if not isinstance(body, str) or body == UNKNOWN:
        return {}
    try:
        parsed = json.loads(body)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _of_type(template: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [r.get("Properties", {}) for r in template.get("Resources", {}).values() if r.get("Type") == kind]


def _components(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {str(p.get("InferenceComponentName")): p for p in _of_type(template, COMPONENT)}


def _variant(template: dict[str, Any]) -> dict[str, Any]:
    configs = _of_type(template, CONFIG)
    variants = configs[0].get("ProductionVariants", []) if configs else []
    return dict(variants[0]) if variants else {}


def is_component_stack(change: Change) -> bool:
    return change.type == "aws_cloudformation_stack" and bool(
        _components(_template(change.before)) or _components(_template(change.after))
    )


def _needs(props: dict[str, Any]) -> str:
    needs = props.get("Specification", {}).get("ComputeResourceRequirements", {})
    return (
        f"{needs.get('NumberOfAcceleratorDevicesRequired', '?')} GPU(s), "
        f"{needs.get('NumberOfCpuCoresRequired', '?')} CPU cores, {needs.get('MinMemoryRequiredInMb', '?')} MB"
    )


def _copy_bounds(changes: list[Change], name: str, side: str) -> str | None:
    for c in changes:
        values = c.before if side == "before" else c.after
        if c.type == "aws_appautoscaling_target" and values.get("resource_id") == f"inference-component/{name}":
            return f"{values.get('min_capacity')}..{values.get('max_capacity')}"
    return None


def _component_note(name: str, old: dict[str, Any] | None, new: dict[str, Any] | None, changes: list[Change]) -> Note:
    if new is None:
        return Note("warn", f"inference component {name} is deleted", ["its copies stop serving"])
    details = []
    copies = new.get("RuntimeConfig", {}).get("CopyCount")
    bounds_old, bounds_new = _copy_bounds(changes, name, "before"), _copy_bounds(changes, name, "after")
    if old is None:
        details.append(f"copies {copies} at creation, autoscaled {bounds_new or 'not at all'}; each {_needs(new)}")
        return Note("info", f"inference component {name} is created", details)
    old_copies = old.get("RuntimeConfig", {}).get("CopyCount")
    if old_copies != copies:
        details.append(f"copies in the template {old_copies} → {copies} (autoscaling moves them between its bounds)")
    if bounds_old != bounds_new:
        details.append(f"copy bounds {bounds_old or '—'} → {bounds_new or '—'}")
    if _needs(old) != _needs(new):
        details.append(f"each copy {_needs(old)} → {_needs(new)}")
    if old.get("Specification", {}).get("ModelName") != new.get("Specification", {}).get("ModelName"):
        details.append(
            f"serves a new model: {old.get('Specification', {}).get('ModelName')} → "
            f"{new.get('Specification', {}).get('ModelName')} (copies are replaced one batch at a time)"
        )
    if not details:
        return Note("info", f"inference component {name} is unchanged", [])
    return Note("info", f"inference component {name} is updated in place", details)


def _scale_to_zero(variant: dict[str, Any]) -> bool:
    return variant.get("ManagedInstanceScaling", {}).get("MinInstanceCount") == 0


def _capacity(variant: dict[str, Any], region: str | None, table: dict[str, Any]) -> Capacity | None:
    if not variant:
        return None
    managed = variant.get("ManagedInstanceScaling") or {}
    count = variant.get("InitialInstanceCount")
    instance_type = variant.get("InstanceType")
    low, high = managed.get("MinInstanceCount", count), managed.get("MaxInstanceCount", count)
    return Capacity(instance_type, low, high, hourly(table, region, instance_type))


def analyse(
    changes: list[Change], region: str | None, table: dict[str, Any]
) -> tuple[list[Note], list[Flag], list[dict[str, Any]]]:
    notes: list[Note] = []
    flags: list[Flag] = []
    rows: list[dict[str, Any]] = []
    for stack in (c for c in changes if is_component_stack(c)):
        before, after = _template(stack.before), _template(stack.after)
        if stack.action == "delete":
            flags.append(Flag("delete-endpoint", f"{stack.address}: the component endpoint and its components"))
        elif stack.action == "replace":
            flags.append(Flag("replace-endpoint", f"{stack.address}: the stack is replaced, endpoint and all"))
        old_components, new_components = _components(before), _components(after)
        renamed = set(old_components) ^ set(new_components)
        for name in sorted(set(old_components) | set(new_components)):
            note = _component_note(name, old_components.get(name), new_components.get(name), changes)
            if name in renamed and old_components and new_components:
                note.details.append("a new name: SageMaker creates it and deletes the old one (no in-place update)")
            if note.title.endswith("unchanged"):
                continue
            notes.append(note)
        old_variant, new_variant = _variant(before), _variant(after)
        if before and after and _scale_to_zero(old_variant) != _scale_to_zero(new_variant):
            turned = "on" if _scale_to_zero(new_variant) else "off"
            notes.append(
                Note(
                    "warn" if turned == "on" else "info",
                    f"scale to zero turned {turned} ({stack.address})",
                    [
                        "at zero instances a request fails with no capacity until a copy is back (minutes); "
                        "callers wait (llmctl invoke --wait-for-capacity) or get 503 Retry-After 60 from the service"
                    ]
                    if turned == "on"
                    else [],
                )
            )
        sides = {
            "before": _capacity(old_variant, region, table) if before else None,
            "after": _capacity(new_variant, region, table) if after else None,
        }
        variant_name = new_variant.get("VariantName") or old_variant.get("VariantName", "AllTraffic")
        rows.append(
            {
                "variant": f"{variant_name} (components)",
                "address": stack.address,
                **{side: (capacity.to_json() if capacity else None) for side, capacity in sides.items()},
            }
        )
        old, new = sides["before"], sides["after"]
        old_max = old.at(old.max_instances) if old else None
        new_max = new.at(new.max_instances) if new else None
        if old_max is not None and new_max is not None and new_max > old_max:
            flags.append(
                Flag("cost-increase", f"{stack.address}: ${old_max:,.2f}/h → ${new_max:,.2f}/h at max capacity")
            )
    return notes, flags, rows


def mode_switch(changes: list[Change]) -> str | None:
    """A plan that swaps a real-time endpoint for a component endpoint of the same name, or back: both would exist
    at once under one name (Terraform orders nothing between them), so the create fails halfway. None: no switch."""
    stacks = {c.action for c in changes if is_component_stack(c)}
    endpoints = {c.action for c in changes if c.type == "aws_sagemaker_endpoint"}
    if "create" in stacks and "delete" in endpoints:
        return "from a real-time endpoint to inference components"
    if "delete" in stacks and "create" in endpoints:
        return "from inference components to a real-time endpoint"
    return None

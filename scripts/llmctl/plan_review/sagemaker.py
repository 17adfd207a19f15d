"""SageMaker-aware reading of the plan: endpoint roll (blue/green) versus replacement (downtime), why a model is
replaced (image, environment, weights), instance type and count, autoscaling bounds, timeouts."""

from __future__ import annotations

from typing import Any

from ..secrets_rule import masked
from .findings import Flag, Note
from .plan import UNKNOWN, Change, first_block, production_variants

_TIMEOUTS = ("container_startup_health_check_timeout_in_seconds", "model_data_download_timeout_in_seconds")


def _container(model: dict[str, Any]) -> dict[str, Any]:
    return first_block(model.get("primary_container")) or first_block(model.get("container"))


def _weights(container: dict[str, Any]) -> str | None:
    source = first_block(first_block(container.get("model_data_source")).get("s3_data_source"))
    value = source.get("s3_uri") or container.get("model_data_url")
    return None if value in ("", UNKNOWN) else value


def _differs(old: Any, new: Any) -> bool:
    """A real change: empty and unset are the same, and a value computed at apply is not a change by itself."""
    old, new = (None if v == "" else v for v in (old, new))
    return old != new and not (new == UNKNOWN and old is None)


def env_diff(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Changed container variables; a value the secret rule flags is masked, never printed into a PR comment."""
    before, after = masked(before), masked(after)
    lines = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if old is None:
            lines.append(f"+ {key}={new}")
        elif new is None:
            lines.append(f"- {key}={old}")
        else:
            lines.append(f"~ {key}: {old} → {new}")
    return lines


def _traffic(endpoint: dict[str, Any]) -> str:
    config = first_block(endpoint.get("deployment_config"))
    policy = first_block(config.get("blue_green_update_policy"))
    if not policy:
        if first_block(config.get("rolling_update_policy")):
            return "a rolling update (rolling_update_policy)"
        return "SageMaker's default blue/green update (all traffic at once, no alarms watched)"
    routing = first_block(policy.get("traffic_routing_configuration"))
    mode = routing.get("type", "ALL_AT_ONCE")
    step = first_block(routing.get("canary_size")) or first_block(routing.get("linear_step_size"))
    size = f" {step.get('value')}{'%' if step.get('type') == 'CAPACITY_PERCENT' else ' instances'}" if step else ""
    wait = routing.get("wait_interval_in_seconds")
    alarms = [a.get("alarm_name") for a in first_block(config.get("auto_rollback_configuration")).get("alarms") or []]
    text = f"blue/green, {mode}{size}" + (f", {wait} s between steps" if wait else "")
    text += f", rolls back on alarms {', '.join(alarms)}" if alarms else ", no rollback alarms"
    return text


def _bounds_text(bounds: tuple[Any, Any]) -> str:
    return "..".join("—" if b is None else str(b) for b in bounds)


def _variant_targets(by_type: dict[str, list[Change]]) -> dict[str, Change]:
    """Variant name → its Application Auto Scaling target change in this plan."""
    targets = {}
    for target in by_type.get("aws_appautoscaling_target", []):
        resource = str(target.after.get("resource_id") or "")
        if resource.startswith("endpoint/") and "/variant/" in resource:
            targets[resource.rsplit("/", 1)[-1]] = target
    return targets


def _rescaled(by_type: dict[str, list[Change]]) -> list[str]:
    """A replaced endpoint loses its scaling on AWS (DeleteEndpoint deregisters it): is it registered again?"""
    targets = [t for t in by_type.get("aws_appautoscaling_target", []) if t.action != "read"]
    if not targets:
        return []
    if all(t.action == "replace" for t in targets):
        return ["its autoscaling target, policies and schedules are deregistered with it and registered again after"]
    return ["its autoscaling stays in the state but DeleteEndpoint deregisters it on AWS: nothing registers it again"]


def _roll_risks(
    endpoint: str, old_config: str, by_type: dict[str, list[Change]], flags: list[Flag], guarded: bool
) -> list[str]:
    """What a roll to a new configuration does on AWS beyond the plan: the green fleet as detail lines, the risks as
    flags (docs/updates.md has each rule's source). `guarded`: the endpoint has a postcondition (llm-endpoint's
    rollback check), which stops the apply before the configuration a rollback returns to is deleted."""
    details = []
    targets = _variant_targets(by_type)
    for config in by_type.get("aws_sagemaker_endpoint_configuration", []):
        if config.action not in ("replace", "create"):
            continue
        before, after = production_variants(config.before), production_variants(config.after)
        for variant, new in sorted(after.items()):
            count, instance = new.get("initial_instance_count"), new.get("instance_type")
            details.append(
                f"{variant}: blue/green runs {count} more {instance} beside the old fleet while it shifts and bakes "
                f"(the quota '{instance} for endpoint usage' must cover both)"
            )
            target = targets.get(variant)
            high = target.after.get("max_capacity") if target else None
            if isinstance(count, int | float) and isinstance(high, int | float) and count < high:
                message = (
                    f"{endpoint}/{variant}: the update restarts the variant at {count} instance(s) (the provider "
                    "cannot send RetainAllVariantProperties; `llmctl tf plan` sets the count running at plan time): "
                    f"instances autoscaling adds before the apply, up to {high}, are dropped until it scales out again"
                )
                flags.append(Flag("capacity-drop", message))
            old_type = before.get(variant, {}).get("instance_type")
            if target is not None and old_type and instance and old_type != instance:
                if target.action == "replace":  # the stack deregisters and registers it around the update
                    details.append(
                        f"{variant}: autoscaling is deregistered before UpdateEndpoint and registered again after, "
                        "with its policies and schedules (UpdateEndpoint refuses a new instance type on a scalable "
                        "target)"
                    )
                else:
                    message = (
                        f"{endpoint}/{variant}: instance type {old_type} → {instance} on a variant registered with "
                        "Application Auto Scaling, which UpdateEndpoint refuses; deregister its scaling first"
                    )
                    flags.append(Flag("autoscaled-instance-type", message))
        if config.action == "replace" and guarded:
            details.append(
                "if SageMaker rolls the update back (a rollback alarm or the new fleet's health check), the "
                f"endpoint's postcondition stops the apply and keeps {old_config}; `llmctl tf apply` names the cause"
            )
        elif config.action == "replace":
            message = (
                f"{endpoint}: if SageMaker rolls the update back (a rollback alarm or the new fleet's health check), "
                f"the endpoint returns to {old_config}, which this apply deletes once the provider sees InService"
            )
            flags.append(Flag("rollback-risk", message))
    return details


def _first(blocks: Any) -> dict[str, Any]:
    """A nested block's content; {} when absent or not known until apply."""
    return blocks[0] if isinstance(blocks, list) and blocks and isinstance(blocks[0], dict) else {}


def _async_config(values: dict[str, Any]) -> dict[str, Any] | None:
    blocks = values.get("async_inference_config")
    return (_first(blocks) or {"client_config": "(known after apply)"}) if blocks else None


def _async_summary(block: dict[str, Any]) -> list[str]:
    client = _first(block.get("client_config"))
    output = _first(block.get("output_config"))
    notify = _first(output.get("notification_config"))
    lines = [
        f"asynchronous: {client.get('max_concurrent_invocations_per_instance')} requests at once per instance",
        f"results → {output.get('s3_output_path')} · failures → {output.get('s3_failure_path') or 'results path'}",
    ]
    for kind in ("success", "error"):
        if notify.get(f"{kind}_topic"):
            lines.append(f"{kind} notifications → {notify[f'{kind}_topic']}")
    if output.get("notification_config") and not notify:
        lines.append("notifications → topics known after apply")
    return lines


def _async_details(config: Change, flags: list[Flag]) -> list[str]:
    """An async configuration's queue settings; a switch between real-time and async changes the callers' API."""
    old, new = _async_config(config.before), _async_config(config.after)
    if config.action in ("update", "replace") and (old is None) != (new is None) and config.before:
        direction = "real-time → asynchronous" if new else "asynchronous → real-time"
        flags.append(
            Flag(
                "invocation-mode",
                f"endpoint {str(config.after.get('name_prefix') or config.address).rstrip('-')}: {direction}; "
                "callers must switch to "
                f"{'InvokeEndpointAsync (llmctl invoke --async)' if new else 'InvokeEndpoint'}",
            )
        )
        return [f"invocation mode {direction}", *(_async_summary(new) if new else [])]
    if new is not None and (old != new or config.action == "create"):
        return _async_summary(new)
    return []


def analyse(changes: list[Change], checked: frozenset[str] = frozenset()) -> tuple[list[Note], list[Flag]]:
    """`checked`: addresses of resources with conditions Terraform evaluates (the plan's `checks`)."""
    notes: list[Note] = []
    flags: list[Flag] = []
    by_type: dict[str, list[Change]] = {}
    for change in changes:
        by_type.setdefault(change.type, []).append(change)

    for endpoint in by_type.get("aws_sagemaker_endpoint", []):
        name = endpoint.after.get("name") or endpoint.before.get("name") or endpoint.address
        if endpoint.action == "replace":
            triggered = endpoint.action_reason == "replace_by_triggers"
            why = ", ".join(endpoint.replace_paths) or (
                "a replace_triggered_by record (llm-endpoint replaces the endpoint when its invocation mode changes)"
                if triggered
                else "a forced-new attribute"
            )
            notes.append(
                Note(
                    "danger",
                    f"endpoint {name} is REPLACED (outage)",
                    [
                        f"deleted and created again because of {why}: no traffic is served until the new endpoint is "
                        "InService (typically 10+ minutes for an LLM)",
                        "`llmctl tf apply` refuses this plan unless --allow-endpoint-replacement",
                        *_rescaled(by_type),
                    ],
                )
            )
            flags.append(Flag("replace-endpoint", f"endpoint {name} is replaced because of {why}"))
        elif endpoint.action == "delete":
            notes.append(Note("danger", f"endpoint {name} is deleted"))
            flags.append(Flag("delete-endpoint", f"endpoint {name} is deleted"))
        elif endpoint.action == "create":
            notes.append(
                Note("info", f"endpoint {name} is created", [f"updates will roll as {_traffic(endpoint.after)}"])
            )
        elif endpoint.action == "update":
            old, new = endpoint.before.get("endpoint_config_name"), endpoint.after.get("endpoint_config_name")
            if old != new:
                notes.append(
                    Note(
                        "warn",
                        f"endpoint {name} rolls to a new configuration (no downtime)",
                        [
                            f"{_traffic(endpoint.after)}",
                            f"configuration {old} → {new}",
                            *_roll_risks(name, str(old), by_type, flags, endpoint.address in checked),
                        ],
                    )
                )
            else:
                notes.append(Note("info", f"endpoint {name} is updated in place"))

    for config in by_type.get("aws_sagemaker_endpoint_configuration", []):
        if config.action in ("no-op", "read"):
            continue
        before, after = production_variants(config.before), production_variants(config.after)
        details = []
        for variant in sorted(set(before) | set(after)):
            old, new = before.get(variant, {}), after.get(variant, {})
            for key, label in (
                ("instance_type", "instance type"),
                ("initial_instance_count", "initial instances"),
                ("model_name", "model"),
                *((t, t.replace("_", " ")) for t in _TIMEOUTS),
            ):
                if _differs(old.get(key), new.get(key)):
                    details.append(f"{variant}: {label} {old.get(key, '—')} → {new.get(key, '—')}")
        details += _async_details(config, flags)
        if _differs(config.before.get("kms_key_arn"), config.after.get("kms_key_arn")):
            details.append(f"kms_key_arn {config.before.get('kms_key_arn')} → {config.after.get('kms_key_arn')}")
        verb = {
            "replace": "replaced (a new configuration, then the old one is deleted)",
            "create": "created",
            "delete": "deleted",
            "update": "updated",
        }.get(config.action, config.action)
        notes.append(Note("info", f"endpoint configuration {verb}", details))

    for model in by_type.get("aws_sagemaker_model", []):
        if model.action in ("no-op", "read", "create"):
            if model.action == "create":
                container = _container(model.after)
                notes.append(
                    Note(
                        "info",
                        f"model {model.after.get('name')} is created",
                        [
                            f"image {container.get('image')}",
                            *(f"{k}={v}" for k, v in sorted(masked(container.get("environment") or {}).items())),
                        ],
                    )
                )
            continue
        old, new = _container(model.before), _container(model.after)
        reasons = []
        if old.get("image") != new.get("image"):
            reasons.append(f"image {old.get('image')} → {new.get('image')}")
        reasons += env_diff(old.get("environment") or {}, new.get("environment") or {})
        if _differs(_weights(old), _weights(new)):
            reasons.append(f"weights {_weights(old)} → {_weights(new)}")
        for key in ("execution_role_arn", "enable_network_isolation"):
            if _differs(model.before.get(key), model.after.get(key)):
                reasons.append(f"{key} {model.before.get(key)} → {model.after.get(key)}")
        if model.replace_paths:
            reasons.append(f"forced by: {', '.join(model.replace_paths)}")
        title = f"model {model.before.get('name')} → {model.after.get('name')} ({model.action})"
        notes.append(Note("warn" if model.action == "replace" else "info", title, reasons))

    for target in by_type.get("aws_appautoscaling_target", []):
        if target.action in ("no-op", "read"):
            continue
        old = (target.before.get("min_capacity"), target.before.get("max_capacity"))
        new = (target.after.get("min_capacity"), target.after.get("max_capacity"))
        resource = target.after.get("resource_id") or target.before.get("resource_id")
        if old != new or target.action != "update":
            details = [f"instances min..max {_bounds_text(old)} → {_bounds_text(new)}"]
            if new[0] == 0:
                details.append(
                    "scales to zero when the queue is empty: no instance cost then, and the first request after "
                    "waits while an instance starts (minutes)"
                )
            notes.append(Note("info", f"autoscaling {resource} ({target.action})", details))
    return notes, flags

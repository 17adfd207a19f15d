"""A Terraform plan (the JSON of `terraform show -json`) as a list of resource changes, each with one action."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import LlmctlError

SENSITIVE = "(sensitive)"
UNKNOWN = "(known after apply)"


@dataclass(frozen=True)
class Change:
    address: str
    type: str
    action: str  # create | update | replace | delete | no-op | read
    before: dict[str, Any]
    after: dict[str, Any]
    replace_paths: list[str] = field(default_factory=list)
    create_before_destroy: bool = False
    action_reason: str | None = None  # Terraform's, e.g. replace_by_triggers (a replace_triggered_by reference)

    @property
    def name(self) -> str:
        return self.address.rsplit(".", 1)[-1] if "." in self.address else self.address


def _action(actions: list[str]) -> tuple[str, bool]:
    if "create" in actions and "delete" in actions:
        return "replace", actions[0] == "create"
    return (actions[0] if actions else "no-op"), False


def _mask(values: Any, sensitive: Any, unknown: Any = None) -> Any:
    """Values with Terraform's sensitive and unknown markers applied, so no secret reaches a review."""
    if sensitive is True:
        return SENSITIVE
    if unknown is True:
        return UNKNOWN
    if isinstance(values, dict):
        keys = list(values) + [k for k, v in (unknown or {}).items() if v is True and k not in values]
        return {
            k: _mask(
                values.get(k),
                sensitive.get(k) if isinstance(sensitive, dict) else None,
                unknown.get(k) if isinstance(unknown, dict) else None,
            )
            for k in keys
        }
    if isinstance(values, list):
        return [
            _mask(
                v,
                sensitive[i] if isinstance(sensitive, list) and i < len(sensitive) else None,
                unknown[i] if isinstance(unknown, list) and i < len(unknown) else None,
            )
            for i, v in enumerate(values)
        ]
    if values is None and isinstance(unknown, dict | list):
        return UNKNOWN
    return values


def first_block(block: Any) -> dict[str, Any]:
    """A nested block's single element (the provider renders `block { … }` as a one-element list), or {}."""
    return block[0] if isinstance(block, list) and block and isinstance(block[0], dict) else {}


def production_variants(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """An endpoint configuration's production variants by name."""
    return {v.get("variant_name", "?"): v for v in config.get("production_variants") or [] if isinstance(v, dict)}


def _path(path: list[Any]) -> str:
    return ".".join(str(part) for part in path)


def changes(plan: dict[str, Any]) -> list[Change]:
    result = []
    for rc in plan.get("resource_changes", []):
        if rc.get("mode") == "data":
            continue
        change = rc["change"]
        action, cbd = _action(change.get("actions", []))
        before = _mask(change.get("before") or {}, change.get("before_sensitive"))
        after = _mask(change.get("after") or {}, change.get("after_sensitive"), change.get("after_unknown"))
        paths = [_path(p) for p in change.get("replace_paths") or []]
        result.append(Change(rc["address"], rc["type"], action, before, after, paths, cbd, rc.get("action_reason")))
    return result


def load(path: Path) -> dict[str, Any]:
    """A plan as JSON: a `.json` file as is, a binary plan through `terraform show -json` (run where it was made)."""
    if not path.is_file():
        raise LlmctlError(f"{path} is not a file; pass the plan JSON that `make plan` writes (llm.tfplan.json).")
    raw = path.read_bytes()
    if raw[:1] in (b"{", b" ", b"\n"):
        try:
            data = json.loads(raw)
        except ValueError as exc:
            raise LlmctlError(f"{path} is not valid JSON ({exc}); pass a plan JSON or a binary plan.") from None
    else:
        try:
            shown = subprocess.run(
                ["terraform", "show", "-json", path.name], cwd=path.parent, capture_output=True, text=True, check=False
            )
        except FileNotFoundError:
            raise LlmctlError(
                "terraform is not on PATH, and a binary plan needs it; pass the plan JSON instead."
            ) from None
        if shown.returncode != 0:
            first = (shown.stderr.strip().splitlines() or ["no message"])[0]
            raise LlmctlError(f"terraform show -json {path} failed ({first}); run it in the plan's root directory.")
        data = json.loads(shown.stdout)
    if not isinstance(data, dict) or ("resource_changes" not in data and "format_version" not in data):
        raise LlmctlError(f"{path} is not a Terraform plan (no resource_changes); pass `terraform show -json` output.")
    return data

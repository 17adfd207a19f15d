"""IAM changes: statements added and removed per role and policy, and wildcards in what is added."""

from __future__ import annotations

import json
from typing import Any

from .findings import Flag, Note
from .plan import Change

_POLICY_ATTRIBUTES = {
    "aws_iam_role_policy": "policy",
    "aws_iam_policy": "policy",
    "aws_iam_role": "assume_role_policy",
    "aws_s3_bucket_policy": "policy",
    "aws_kms_key": "policy",
    "aws_ecr_repository_policy": "policy",
    "aws_sns_topic_policy": "policy",
}
# Actions that take no resource-level permissions (AWS Service Authorization Reference): Resource "*" is required.
RESOURCE_STAR_ONLY = frozenset(
    {
        "ecr:GetAuthorizationToken",
        "cloudwatch:PutMetricData",
        "sts:GetCallerIdentity",
        "logs:DescribeLogGroups",
        "cloudwatch:GetMetricData",
        "cloudwatch:ListMetrics",
        "sagemaker:ListEndpoints",
    }
)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def statements(document: Any) -> list[dict[str, Any]]:
    if not isinstance(document, str) or not document.strip().startswith("{"):
        return []
    try:
        parsed = json.loads(document)
    except ValueError:
        return []
    return [s for s in _as_list(parsed.get("Statement")) if isinstance(s, dict)]


def _key(statement: dict[str, Any]) -> str:
    return json.dumps(
        {k: sorted(map(str, v)) if isinstance(v, list) else v for k, v in statement.items()}, sort_keys=True
    )


def _wide_resource(resource: str) -> bool:
    """`*`, or an ARN whose resource part is a wildcard (every bucket, every repository…)."""
    if resource == "*":
        return True
    parts = resource.split(":", 5)
    return len(parts) == 6 and parts[5].startswith("*")


def _account_root(principal: Any) -> bool:
    aws = _as_list(principal.get("AWS")) if isinstance(principal, dict) else []
    return bool(aws) and all(str(p).startswith("arn:aws") and str(p).endswith(":root") for p in aws)


def wildcards(statement: dict[str, Any], key_policy: bool = False) -> list[str]:
    """What makes an Allow statement wide: a service-wide action (`*`, `svc:*`), NotAction, Resource `*` for actions
    that can be scoped, Principal `*`. In a KMS key policy Resource `*` is the key itself, and `kms:*` for the
    account root is AWS's default delegation to IAM: neither counts. Prefix wildcards (`kms:GenerateDataKey*`) are
    listed by `prefix_wildcards`, not flagged."""
    if statement.get("Effect", "Allow") != "Allow":
        return []
    actions = [str(a) for a in _as_list(statement.get("Action"))]
    delegation = key_policy and _account_root(statement.get("Principal"))
    found = [f"action {a}" for a in actions if (a == "*" or a.endswith(":*")) and not delegation]
    if statement.get("NotAction") is not None:
        found.append("NotAction (allows everything else)")
    resources = [str(r) for r in _as_list(statement.get("Resource"))]
    wide = [r for r in resources if _wide_resource(r)] if not key_policy else []
    if wide and not all(a in RESOURCE_STAR_ONLY for a in actions):
        found.append(f"resource {', '.join(wide)} for {', '.join(actions)}")
    principal = statement.get("Principal")
    if principal == "*" or (isinstance(principal, dict) and "*" in _as_list(principal.get("AWS"))):
        found.append("Principal *" + (" (with a condition)" if statement.get("Condition") else ""))
    return found


def prefix_wildcards(statement: dict[str, Any]) -> list[str]:
    return [str(a) for a in _as_list(statement.get("Action")) if "*" in str(a) and not str(a).endswith(":*")]


def describe(statement: dict[str, Any]) -> str:
    actions = ", ".join(map(str, _as_list(statement.get("Action") or statement.get("NotAction"))))
    resources = ", ".join(map(str, _as_list(statement.get("Resource"))))
    sid = f"{statement['Sid']}: " if statement.get("Sid") else ""
    condition = " (conditional)" if statement.get("Condition") else ""
    return f"{sid}{statement.get('Effect', 'Allow')} {actions} on {resources or '—'}{condition}"


def analyse(changes: list[Change]) -> tuple[list[Note], list[Flag], list[dict[str, Any]]]:
    notes: list[Note] = []
    flags: list[Flag] = []
    rows: list[dict[str, Any]] = []
    for change in changes:
        attribute = _POLICY_ATTRIBUTES.get(change.type)
        if attribute is None or change.action in ("no-op", "read"):
            continue
        old = {_key(s): s for s in statements(change.before.get(attribute))}
        new = {_key(s): s for s in statements(change.after.get(attribute))}
        added = [new[k] for k in new if k not in old]
        removed = [old[k] for k in old if k not in new]
        if not added and not removed:
            continue
        wide = [(s, w) for s in added for w in wildcards(s, key_policy=change.type == "aws_kms_key")]
        public = [(s, w) for s, w in wide if w == "Principal *" and change.type == "aws_s3_bucket_policy"]
        rows.append(
            {
                "address": change.address,
                "action": change.action,
                "added": added,
                "removed": removed,
                "wildcards": [f"{describe(s)}: {w}" for s, w in wide],
            }
        )
        details = [f"+ {describe(s)}" for s in added] + [f"- {describe(s)}" for s in removed]
        details += [f"wildcard: {w} in {s.get('Sid') or describe(s)}" for s, w in wide]
        details += [
            f"prefix wildcard (not flagged): {a} in {s.get('Sid') or describe(s)}"
            for s in added
            for a in prefix_wildcards(s)
        ]
        notes.append(Note("danger" if wide else "info", f"IAM {change.address} ({change.action})", details))
        for statement, what in wide:
            flag = "public-access" if (statement, what) in public else "iam-wildcard"
            flags.append(Flag(flag, f"{change.address}: {what} ({statement.get('Sid') or 'no Sid'})"))
    return notes, flags, rows

"""Data loss, encryption and public access: the changes a reviewer must not miss."""

from __future__ import annotations

from typing import Any

from .findings import Flag
from .plan import Change, first_block

_DATA = {"aws_s3_bucket": "artifacts bucket", "aws_ecr_repository": "ECR repository", "aws_kms_key": "KMS key"}
_PUBLIC_ACCESS_FLAGS = ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")


def _sse(change_side: dict[str, Any]) -> str | None:
    rule = first_block(change_side.get("rule"))
    return first_block(rule.get("apply_server_side_encryption_by_default")).get("sse_algorithm")


def _module(address: str) -> str:
    return address.rsplit(".", 2)[0]


def analyse(changes: list[Change]) -> list[Flag]:
    flags: list[Flag] = []
    # A deleted bucket takes its encryption and public access block with it: that is delete-data, not two more flags.
    gone = {_module(c.address) for c in changes if c.type == "aws_s3_bucket" and c.action == "delete"}
    for c in changes:
        if c.action == "delete" and c.type.startswith("aws_s3_bucket_") and _module(c.address) in gone:
            continue
        removing = c.action in ("delete", "replace")
        if c.type in _DATA and removing:
            what = _DATA[c.type]
            name = c.before.get("bucket") or c.before.get("name") or c.before.get("key_id") or c.address
            flags.append(Flag("delete-data", f"{what} {name} is {'deleted' if c.action == 'delete' else 'replaced'}"))
        if c.type == "aws_s3_bucket_server_side_encryption_configuration":
            old, new = _sse(c.before), _sse(c.after)
            if c.action == "delete" or (old == "aws:kms" and new not in ("aws:kms", "aws:kms:dsse")):
                flags.append(Flag("disable-encryption", f"{c.address}: bucket encryption {old} → {new or 'none'}"))
        if c.type == "aws_ecr_repository" and c.action in ("update", "replace"):
            old, new = (
                first_block(side.get("encryption_configuration")).get("encryption_type") for side in (c.before, c.after)
            )
            if old == "KMS" and new != "KMS":
                flags.append(Flag("disable-encryption", f"{c.address}: repository encryption KMS → {new}"))
        for attribute, kinds in (
            ("kms_key_arn", {"aws_sagemaker_endpoint_configuration"}),
            ("kms_key_id", {"aws_cloudwatch_log_group"}),
            ("kms_master_key_id", {"aws_sns_topic"}),
        ):
            if (
                c.type in kinds
                and c.action in ("update", "replace")
                and c.before.get(attribute)
                and not c.after.get(attribute)
            ):
                flags.append(Flag("disable-encryption", f"{c.address}: {attribute} removed"))
        if c.type == "aws_s3_bucket_public_access_block":
            relaxed = [f for f in _PUBLIC_ACCESS_FLAGS if c.before.get(f) is True and c.after.get(f) is False]
            if c.action == "delete" or relaxed:
                what = "removed" if c.action == "delete" else f"relaxed ({', '.join(relaxed)} → false)"
                flags.append(Flag("public-access", f"{c.address}: public access block {what}"))
    return flags

"""Plan review's danger flags on single resource changes cut from real plans' shapes: what must raise a flag, what
must not (an upgrade, a bucket deleted whole). Written against the survivors of `make mutation` (docs/mutation.md)."""

from __future__ import annotations

import json
from typing import Any

from llmctl.plan_review.dangers import analyse
from llmctl.plan_review.plan import changes

ARTIFACTS = "module.stack.module.artifacts"
KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
BLOCK = {
    flag: True for flag in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
}


def _change(address: str, actions: list[str], before: Any, after: Any) -> dict[str, Any]:
    return {
        "address": address,
        "type": address.split(".")[-2],
        "change": {"actions": actions, "before": before, "after": after},
    }


def _sse(algorithm: str, key: str | None = None) -> dict[str, Any]:
    default = {"sse_algorithm": algorithm, "kms_master_key_id": key or ""}
    return {"rule": [{"apply_server_side_encryption_by_default": [default], "bucket_key_enabled": True}]}


def _ecr(encryption: str) -> dict[str, Any]:
    return {"name": "llm-local/service", "encryption_configuration": [{"encryption_type": encryption}]}


def _flags(*resource_changes: dict[str, Any]) -> list[tuple[str, str]]:
    # Through JSON, as `terraform show -json` delivers it: its strings are never the literals' interned objects.
    plan = json.loads(json.dumps({"resource_changes": list(resource_changes)}))
    return [(f.id, f.message) for f in analyse(changes(plan))]


def test_a_public_access_block_deleted_alone_is_flagged_as_removed() -> None:
    flags = _flags(_change(f"{ARTIFACTS}.aws_s3_bucket_public_access_block.this", ["delete"], BLOCK, None))
    assert flags == [
        ("public-access", f"{ARTIFACTS}.aws_s3_bucket_public_access_block.this: public access block removed")
    ]


def test_a_bucket_deleted_whole_is_delete_data_not_three_more_flags() -> None:
    flags = _flags(
        _change(f"{ARTIFACTS}.aws_s3_bucket.this", ["delete"], {"bucket": "llm-artifacts"}, None),
        _change(f"{ARTIFACTS}.aws_s3_bucket_public_access_block.this", ["delete"], BLOCK, None),
        _change(
            f"{ARTIFACTS}.aws_s3_bucket_server_side_encryption_configuration.this",
            ["delete"],
            _sse("aws:kms", KEY),
            None,
        ),
    )
    assert flags == [("delete-data", "artifacts bucket llm-artifacts is deleted")]


def test_another_modules_bucket_going_does_not_hide_this_ones_block() -> None:
    other = "module.stack.module.logs"
    flags = _flags(
        _change(f"{other}.aws_s3_bucket.this", ["delete"], {"bucket": "logs"}, None),
        _change(f"{ARTIFACTS}.aws_s3_bucket_public_access_block.this", ["delete"], BLOCK, None),
    )
    assert (
        "public-access",
        f"{ARTIFACTS}.aws_s3_bucket_public_access_block.this: public access block removed",
    ) in flags


def test_bucket_encryption_deleted_or_downgraded_is_flagged_and_an_upgrade_is_not() -> None:
    address = f"{ARTIFACTS}.aws_s3_bucket_server_side_encryption_configuration.this"
    assert _flags(_change(address, ["delete"], _sse("aws:kms", KEY), None)) == [
        ("disable-encryption", f"{address}: bucket encryption aws:kms → none")
    ]
    assert _flags(_change(address, ["update"], _sse("aws:kms", KEY), _sse("AES256"))) == [
        ("disable-encryption", f"{address}: bucket encryption aws:kms → AES256")
    ]
    assert _flags(_change(address, ["update"], _sse("AES256"), _sse("aws:kms", KEY))) == []
    assert _flags(_change(address, ["update"], _sse("aws:kms", KEY), _sse("aws:kms:dsse", KEY))) == []


def test_repository_encryption_downgrade_is_flagged_and_an_upgrade_is_not() -> None:
    address = "module.stack.module.ecr.aws_ecr_repository.this"
    downgrade = _flags(_change(address, ["update"], _ecr("KMS"), _ecr("AES256")))
    assert downgrade == [("disable-encryption", f"{address}: repository encryption KMS → AES256")]
    assert _flags(_change(address, ["update"], _ecr("AES256"), _ecr("KMS"))) == []
    assert _flags(_change(address, ["update"], _ecr("KMS"), _ecr("KMS"))) == [], "a tag change, encryption untouched"
    assert _flags(_change(address, ["update"], _ecr("AES256"), _ecr("AES256"))) == []
    lifecycle = "module.stack.module.ecr.aws_ecr_lifecycle_policy.this"
    assert _flags(_change(lifecycle, ["update"], {"policy": "{}"}, {"policy": "{ }"})) == []

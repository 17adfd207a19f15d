"""Plan review's IAM rules on single statements and changes: what is wide, what is AWS's own delegation, which flag a
Principal * raises where. Written against the survivors of `make mutation` (docs/mutation.md)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from llmctl.plan_review.iam import analyse, wildcards
from llmctl.plan_review.plan import changes

ROOT = {"AWS": "arn:aws:iam::123456789012:root"}


@pytest.mark.parametrize(
    ("statement", "key_policy", "expected"),
    [
        ({"Action": "kms:*", "Resource": "*", "Principal": ROOT}, True, []),  # AWS's default key-policy delegation
        ({"Action": "kms:*", "Resource": "*", "Principal": ROOT}, False, ["action kms:*", "resource * for kms:*"]),
        (
            {"Action": "kms:*", "Resource": "*", "Principal": {"AWS": "arn:aws:iam::123456789012:user/ops"}},
            True,
            ["action kms:*"],
        ),
        ({"Action": "*", "Resource": "arn:aws:s3:::b/*"}, False, ["action *"]),
        ({"Action": "s3:GetObject", "Resource": "arn:aws:s3:::*"}, False, ["resource arn:aws:s3:::* for s3:GetObject"]),
        ({"Action": "ecr:GetAuthorizationToken", "Resource": "*"}, False, []),  # no resource-level permissions
        ({"Effect": "Deny", "Action": "*", "Resource": "*", "Principal": "*"}, False, []),
        ({"NotAction": "iam:*", "Resource": "arn:aws:s3:::b"}, False, ["NotAction (allows everything else)"]),
        ({"Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*", "Principal": {"AWS": "*"}}, False, ["Principal *"]),
    ],
)
def test_what_makes_a_statement_wide(statement: dict[str, Any], key_policy: bool, expected: list[str]) -> None:
    assert wildcards(statement, key_policy=key_policy) == expected


def test_a_key_policy_is_not_assumed_by_default() -> None:
    assert wildcards({"Action": "kms:*", "Resource": "*", "Principal": ROOT}) == [
        "action kms:*",
        "resource * for kms:*",
    ]


def _policy_change(resource_type: str, statements: list[dict[str, Any]]) -> dict[str, Any]:
    attribute = "assume_role_policy" if resource_type == "aws_iam_role" else "policy"
    before = {attribute: json.dumps({"Version": "2012-10-17", "Statement": []})}
    after = {attribute: json.dumps({"Version": "2012-10-17", "Statement": statements})}
    address = f"module.stack.{resource_type}.this"
    return {
        "address": address,
        "type": resource_type,
        "change": {"actions": ["update"], "before": before, "after": after},
    }


def test_principal_star_is_public_access_on_a_bucket_and_a_wildcard_elsewhere() -> None:
    open_read = {
        "Sid": "Open",
        "Effect": "Allow",
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::b/*",
        "Principal": "*",
    }
    bucket = analyse(changes({"resource_changes": [_policy_change("aws_s3_bucket_policy", [open_read])]}))
    topic = analyse(changes({"resource_changes": [_policy_change("aws_sns_topic_policy", [open_read])]}))
    assert [f.id for f in bucket[1]] == ["public-access"]
    assert [f.id for f in topic[1]] == ["iam-wildcard"]
    assert bucket[0][0].severity == "danger"


def test_an_unchanged_or_narrow_policy_is_not_a_danger() -> None:
    narrow = {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/models/*"}
    notes, flags, rows = analyse(changes({"resource_changes": [_policy_change("aws_iam_role_policy", [narrow])]}))
    assert flags == [] and notes[0].severity == "info" and rows[0]["added"] == [narrow]
    same = _policy_change("aws_iam_role_policy", [narrow])
    same["change"]["before"] = same["change"]["after"]
    same["change"]["actions"] = ["no-op"]
    assert analyse(changes({"resource_changes": [same]})) == ([], [], [])


def test_reordered_lists_are_the_same_statement_and_bad_json_is_no_statement() -> None:
    from llmctl.plan_review.iam import statements

    one = {
        "Sid": "Pull",
        "Effect": "Allow",
        "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        "Resource": "*",
    }
    other = {**one, "Action": list(reversed(one["Action"]))}
    change = _policy_change("aws_iam_role_policy", [other])
    change["change"]["before"]["policy"] = json.dumps({"Statement": [one]})
    assert analyse(changes({"resource_changes": [change]})) == ([], [], [])
    assert statements("{not json") == [] and statements(None) == []


def test_each_wildcard_gets_its_own_flag_and_every_change_is_read() -> None:
    """A bucket policy that opens a statement to everyone on every bucket: Principal * is public access, the Resource *
    an IAM wildcard; a NotAction there is a wildcard too; a trust policy's Principal * is not "public access" to S3;
    a first change with no statement difference does not stop the review of the next."""
    everyone_everywhere = {
        "Sid": "Wide",
        "Effect": "Allow",
        "Action": "s3:GetObject",
        "Resource": "*",
        "Principal": "*",
    }
    not_action = {"Sid": "Not", "Effect": "Allow", "NotAction": "s3:DeleteObject", "Resource": "arn:aws:s3:::b/*"}
    trust = {"Sid": "Anyone", "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "*"}}
    unchanged = _policy_change("aws_iam_role_policy", [])
    plan = {
        "resource_changes": [
            unchanged,
            _policy_change("aws_s3_bucket_policy", [everyone_everywhere, not_action]),
            _policy_change("aws_iam_role", [trust]),
        ]
    }
    flags = sorted((f.id, f.message.split(": ", 1)[1]) for f in analyse(changes(plan))[1])
    assert flags == [
        ("iam-wildcard", "NotAction (allows everything else) (Not)"),
        ("iam-wildcard", "Principal * (Anyone)"),
        ("iam-wildcard", "resource * for s3:GetObject (Wide)"),
        ("public-access", "Principal * (Wide)"),
    ]

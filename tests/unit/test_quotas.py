"""The `quota` flag (issue 16): the account's "<type> for endpoint usage" quota and what it runs of that type, read
through botocore's real parsers (Stubber), against the instances a plan starts beside the old fleet."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import boto3
from botocore.stub import Stubber
from click.testing import CliRunner
from llmctl import quotas
from llmctl.cli import cli
from llmctl.plan_review import markdown, review
from llmctl.quotas import EndpointQuota

PLANS = Path(__file__).parents[1] / "fixtures" / "plans"
GOLDEN = Path(__file__).parents[1] / "golden" / "plan-review"


def _quota(name: str, value: float) -> dict[str, Any]:
    return {
        "ServiceCode": "sagemaker",
        "QuotaCode": f"L-{abs(hash(name)) % 10**8:08d}",
        "QuotaName": name,
        "Value": value,
    }


def _clients() -> tuple[Any, Any]:
    kwargs = {"region_name": "us-east-1", "aws_access_key_id": "x", "aws_secret_access_key": "x"}
    return boto3.client("service-quotas", **kwargs), boto3.client("sagemaker", **kwargs)


def test_quotas_are_read_across_pages_and_usage_counts_running_instances_of_the_type() -> None:
    service_quotas, sagemaker = _clients()
    with Stubber(service_quotas) as sq, Stubber(sagemaker) as sm:
        sq.add_response(
            "list_service_quotas",
            {"Quotas": [_quota("ml.g5.2xlarge for training job usage", 2)], "NextToken": "t"},
            {"ServiceCode": "sagemaker"},
        )
        sq.add_response(
            "list_service_quotas",
            {"Quotas": [_quota("ml.g5.2xlarge for endpoint usage", 4)]},
            {"ServiceCode": "sagemaker", "NextToken": "t"},
        )
        now = "2026-11-30T00:00:00Z"
        sm.add_response(
            "list_endpoints",
            {
                "Endpoints": [
                    {
                        "EndpointName": "a",
                        "EndpointArn": "arn:aws:sagemaker:us-east-1:1:endpoint/a",
                        "CreationTime": now,
                        "LastModifiedTime": now,
                        "EndpointStatus": "InService",
                    },
                    {
                        "EndpointName": "b",
                        "EndpointArn": "arn:aws:sagemaker:us-east-1:1:endpoint/b",
                        "CreationTime": now,
                        "LastModifiedTime": now,
                        "EndpointStatus": "Failed",
                    },
                ]
            },
            {},
        )
        sm.add_response(
            "describe_endpoint",
            {
                "EndpointName": "a",
                "EndpointArn": "arn:aws:sagemaker:us-east-1:1:endpoint/a",
                "EndpointConfigName": "c",
                "EndpointStatus": "InService",
                "CreationTime": now,
                "LastModifiedTime": now,
                "ProductionVariants": [{"VariantName": "AllTraffic", "CurrentInstanceCount": 3}],
            },
            {"EndpointName": "a"},
        )
        sm.add_response(
            "describe_endpoint_config",
            {
                "EndpointConfigName": "c",
                "EndpointConfigArn": "arn:aws:sagemaker:us-east-1:1:endpoint-config/c",
                "CreationTime": now,
                "ProductionVariants": [
                    {"VariantName": "AllTraffic", "ModelName": "m", "InstanceType": "ml.g5.2xlarge"}
                ],
            },
            {"EndpointConfigName": "c"},
        )
        facts = quotas.read(service_quotas, sagemaker, {"ml.g5.2xlarge", "ml.g6e.2xlarge"})
    assert facts == [EndpointQuota("ml.g5.2xlarge", 4.0, 3), EndpointQuota("ml.g6e.2xlarge", None, 0)]


def _env_change() -> dict[str, Any]:
    return dict(json.loads((PLANS / "env-change.json").read_text()))


def test_a_roll_over_the_quota_raises_the_flag_and_one_within_it_does_not() -> None:
    over = review(_env_change(), quotas=[EndpointQuota("ml.g5.2xlarge", 3.0, 3)])
    (flag,) = [f for f in over.flags if f.id == "quota"]
    assert "runs 3 and the plan starts 1 more, over the quota 'ml.g5.2xlarge for endpoint usage' of 3" in flag.message
    within = review(_env_change(), quotas=[EndpointQuota("ml.g5.2xlarge", 4.0, 1)])
    assert "quota" not in {f.id for f in within.flags}
    (note,) = [n for n in within.notes if n.title == "Service Quotas (endpoint usage)"]
    assert note.details == ["ml.g5.2xlarge: 1 running + 1 this plan starts = 2 of quota 4"]
    assert "quota" not in {f.id for f in review(_env_change()).flags}, "no quotas read: nothing claimed"


def test_quota_case_markdown_matches_golden() -> None:
    text = markdown.render(
        review(_env_change(), title="plan review: quota", quotas=[EndpointQuota("ml.g5.2xlarge", 3.0, 3)])
    )
    golden = GOLDEN / "quota.md"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(text)
    assert text == golden.read_text()


def test_plan_review_gates_on_the_quota_file_tf_plan_writes(tmp_path: Path) -> None:
    facts = tmp_path / "llm.quotas.json"
    facts.write_text(json.dumps([{"instance_type": "ml.g5.2xlarge", "quota": 1, "in_use": 1}]))
    args = ["plan-review", str(PLANS / "env-change.json"), "--format", "json", "--fail-on", "quota"]
    gated = CliRunner().invoke(cli, [*args, "--quotas", str(facts)])
    assert gated.exit_code == 1 and "quota" in gated.stderr
    assert CliRunner().invoke(cli, args).exit_code == 0
    facts.write_text("[1]")
    bad = CliRunner().invoke(cli, [*args, "--quotas", str(facts)])
    assert bad.exit_code == 2 and "is not a quota file" in bad.stderr

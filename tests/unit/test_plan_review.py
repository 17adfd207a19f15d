"""`llmctl plan-review` on real plans of the local env (tests/fixtures/plans, made by tools/make_plan_fixtures.py):
the markdown of each is checked in (tests/golden/plan-review, regenerate with UPDATE_GOLDEN=1), and each scenario's
verdict is asserted: what a reviewer must see."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from llmctl.cli import cli
from llmctl.plan_review import markdown, review

PLANS = Path(__file__).parents[1] / "fixtures" / "plans"
GOLDEN = Path(__file__).parents[1] / "golden" / "plan-review"
SCENARIOS = sorted(p.stem for p in PLANS.glob("*.json"))


def _review(name: str) -> Any:
    return review(json.loads((PLANS / f"{name}.json").read_text()), title=f"plan review: {name}")


def _flags(name: str) -> set[str]:
    return {f.id for f in _review(name).flags}


def test_every_scenario_the_issue_names_has_a_real_plan() -> None:
    assert set(SCENARIOS) >= {
        "first-deploy",
        "no-op",
        "env-change",
        "instance-type",
        "autoscaling",
        "iam-widening",
        "destroy",
        "disable-encryption",
        "public-access",
        "replace-endpoint",
        "async",
    }


@pytest.mark.parametrize("name", SCENARIOS)
def test_markdown_matches_golden(name: str) -> None:
    text = markdown.render(_review(name))
    golden = GOLDEN / f"{name}.md"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text)
    assert text == golden.read_text()
    assert len(text) <= markdown.COMMENT_LIMIT and text.startswith(markdown.MARKER)


def test_first_deploy_creates_everything_and_prices_the_endpoint() -> None:
    result = _review("first-deploy")
    assert result.counts["create"] == 31 and result.counts["delete"] == 0
    assert result.flags == [], "the stack's own policies raise no flag"
    (row,) = result.cost
    assert row["before"] is None
    assert row["after"]["instance_type"] == "ml.g5.2xlarge" and row["after"]["hourly_at_min"] == 1.515


def test_no_op_plan_says_nothing_changes() -> None:
    result = _review("no-op")
    assert result.counts == {"create": 0, "update": 0, "replace": 0, "delete": 0, "no-op": 31}
    assert result.flags == []


def test_env_change_is_a_model_replacement_and_a_blue_green_roll_not_an_outage() -> None:
    result = _review("env-change")
    titles = [n.title for n in result.notes]
    assert any("rolls to a new configuration (no downtime)" in t for t in titles)
    model = next(n for n in result.notes if n.title.startswith("model "))
    assert "~ MAX_BATCH_PREFILL_TOKENS: 6144 → 8192" in model.details
    assert "replace-endpoint" not in _flags("env-change")
    roll = next(n for n in result.notes if "rolls to" in n.title)
    assert roll.details[0].startswith("blue/green, LINEAR 50%") and "rolls back on alarms" in roll.details[0]


def test_instance_type_change_shows_the_cost_delta() -> None:
    result = _review("instance-type")
    (row,) = result.cost
    assert (row["before"]["instance_type"], row["after"]["instance_type"]) == ("ml.g5.2xlarge", "ml.g6e.2xlarge")
    assert (row["before"]["hourly_at_min"], row["after"]["hourly_at_min"]) == (1.515, 2.8026)
    assert "cost-increase" in _flags("instance-type")


def test_autoscaling_change_shows_the_new_bounds_and_their_cost() -> None:
    result = _review("autoscaling")
    scaling = next(n for n in result.notes if n.title.startswith("autoscaling"))
    assert scaling.details == ["instances min..max 1..3 → 2..6"]
    (row,) = result.cost
    assert row["after"]["monthly_at_max"] == round(6 * 1.515 * 730, 2)
    assert "cost-increase" in _flags("autoscaling")


def test_switching_to_async_names_the_new_api_the_queue_and_scale_to_zero() -> None:
    result = _review("async")
    flags = {f.id: f.message for f in result.flags}
    assert "InvokeEndpointAsync" in flags["invocation-mode"] and "real-time → asynchronous" in flags["invocation-mode"]
    assert "invocation mode changes" in flags["replace-endpoint"], "UpdateEndpoint cannot switch: a new endpoint"
    config = next(n for n in result.notes if n.title.startswith("endpoint configuration"))
    assert "asynchronous: 3 requests at once per instance" in config.details
    assert any(
        d.startswith("results → s3://llm-local-artifacts-123456789012/async/llm-local/output/") for d in config.details
    )
    scaling = next(n for n in result.notes if n.title.startswith("autoscaling"))
    assert scaling.details[0] == "instances min..max 1..3 → 0..3" and "scales to zero" in scaling.details[1]
    (row,) = result.cost
    assert row["after"]["hourly_at_min"] == 0 and row["before"]["hourly_at_min"] == 1.515, "idle costs nothing"
    (role,) = [change for change in result.iam if change["address"].endswith("role.aws_iam_role_policy.this")]
    added = {statement["Sid"]: statement for statement in role["added"]}
    assert added["PublishAsyncNotifications"]["Resource"] == [
        "arn:aws:sns:us-east-1:123456789012:llm-local-async-success",
        "arn:aws:sns:us-east-1:123456789012:llm-local-async-error",
    ]
    assert added["ReadAsyncRequests"]["Resource"].endswith("/async/llm-local/input/*")


def test_iam_widening_is_flagged() -> None:
    result = _review("iam-widening")
    wide = [f.message for f in result.flags if f.id == "iam-wildcard"]
    assert any("action ecr:*" in m for m in wide) and any("resource * for ecr:*" in m for m in wide)
    (row,) = result.iam
    assert row["address"].endswith("aws_iam_role_policy.this") and row["removed"] and row["added"]


def test_destroy_flags_the_data_it_deletes() -> None:
    messages = [f.message for f in _review("destroy").flags if f.id == "delete-data"]
    assert any(m.startswith("artifacts bucket") for m in messages)
    assert any(m.startswith("ECR repository") for m in messages)
    assert any(m.startswith("KMS key") for m in messages)
    assert "delete-endpoint" in _flags("destroy")


def test_weakened_encryption_is_flagged_for_each_resource() -> None:
    """CI blocks merges on this flag: the bucket's SSE-KMS → AES256, the repository's KMS → AES256 and the log
    group's key removed are each named."""
    messages = [f.message for f in _review("disable-encryption").flags if f.id == "disable-encryption"]
    assert len(messages) == 3, messages
    assert any("aws_s3_bucket_server_side_encryption_configuration" in m and "AES256" in m for m in messages)
    assert any("aws_ecr_repository" in m and "AES256" in m for m in messages)
    assert any("aws_cloudwatch_log_group" in m and "kms_key_id" in m for m in messages)
    # The provider replaces a repository whose encryption changes: its images go too.
    assert _flags("disable-encryption") == {"disable-encryption", "delete-data"}
    assert [f.message for f in _review("disable-encryption").flags if f.id == "delete-data"] == [
        "ECR repository llm-local/service is replaced"
    ]


def test_public_access_is_flagged_for_the_block_and_the_policy() -> None:
    messages = [f.message for f in _review("public-access").flags if f.id == "public-access"]
    assert any("block_public_policy" in m for m in messages), messages
    assert any("Principal *" in m for m in messages), messages


def test_an_endpoint_replacement_is_flagged_as_an_outage() -> None:
    result = _review("replace-endpoint")
    assert "replace-endpoint" in {f.id for f in result.flags}
    endpoint = next(c for c in result.changes if c.type == "aws_sagemaker_endpoint")
    assert endpoint.action == "replace"
    gated = CliRunner().invoke(
        cli, ["plan-review", str(PLANS / "replace-endpoint.json"), "--fail-on", "replace-endpoint"]
    )
    assert gated.exit_code == 1


def test_fail_on_gates_the_exit_code() -> None:
    plan = str(PLANS / "destroy.json")
    gated = CliRunner().invoke(cli, ["plan-review", plan, "--format", "json", "--fail-on", "delete-data"])
    assert gated.exit_code == 1 and "gated flag" in gated.output
    assert json.loads(gated.stdout)["flags"]
    calm = CliRunner().invoke(cli, ["plan-review", str(PLANS / "no-op.json"), "--fail-on", "delete-data,iam-wildcard"])
    assert calm.exit_code == 0, calm.output


def test_bad_input_is_one_sentence_and_exit_2(tmp_path: Path) -> None:
    unknown = CliRunner().invoke(cli, ["plan-review", str(PLANS / "no-op.json"), "--fail-on", "everything"])
    not_a_plan = tmp_path / "x.json"
    not_a_plan.write_text('{"hello": 1}')
    wrong = CliRunner().invoke(cli, ["plan-review", str(not_a_plan)])
    for result, text in ((unknown, "unknown flag"), (wrong, "not a Terraform plan")):
        assert result.exit_code == 2 and text in result.output and "Traceback" not in result.output


def test_unknown_prices_are_never_guessed() -> None:
    plan = json.loads((PLANS / "instance-type.json").read_text())
    result = review({**plan, "planned_values": {"outputs": {"region": {"value": "eu-central-2"}}}})
    assert result.region == "eu-central-2"
    (row,) = result.cost
    assert row["after"]["hourly_at_min"] is None
    assert "price unknown" in markdown.render(result)


def test_a_2000_resource_plan_fits_the_comment_limit_and_says_what_was_cut() -> None:
    """Its speed is measured by bench/bench_plan_review.py."""
    from bench_plan_review import synthetic_plan

    text = markdown.render(review(synthetic_plan(2000)))
    assert len(text) <= markdown.COMMENT_LIMIT
    assert "not shown: a GitHub comment holds 65,536 characters" in text
    assert "| create | update | replace | delete | no-op |" in text and "| 0 | 0 | 2000 | 0 | 0 |" in text


def test_a_teams_own_prices_cover_regions_the_bundled_table_lacks(tmp_path: Path) -> None:
    plan = json.loads((PLANS / "instance-type.json").read_text())
    plan["planned_values"]["outputs"]["region"]["value"] = "eu-central-2"
    plan_file, prices = tmp_path / "plan.json", tmp_path / "prices.json"
    plan_file.write_text(json.dumps(plan))
    prices.write_text(
        json.dumps(
            {"regions": {"eu-central-2": {"ml.g5.2xlarge": [1.9, "ours"]}}, "sources": {"ours": "our invoice, 2026-11"}}
        )
    )
    result = CliRunner().invoke(cli, ["plan-review", str(plan_file), "--prices", str(prices), "--format", "json"])
    assert result.exit_code == 0, result.output
    cost = json.loads(result.output)["cost"]
    (row,) = cost["variants"]
    assert row["before"]["hourly_at_min"] == 1.9, "the team's price is used"
    assert row["after"]["hourly_at_min"] is None, "a type they did not price stays unknown"
    assert "our invoice, 2026-11" in cost["source"]
    bad = tmp_path / "bad.json"
    bad.write_text('{"regions": {"eu-central-2": {"ml.g5.2xlarge": "cheap"}}}')
    refused = CliRunner().invoke(cli, ["plan-review", str(plan_file), "--prices", str(bad)])
    assert refused.exit_code == 2 and "is not a price table" in refused.output


def test_an_instance_type_change_under_autoscaling_names_what_aws_does() -> None:
    """Issue 16: UpdateEndpoint refuses an instance-type change of a registered scalable target (the stack deregisters
    it first); every update restarts the variant at its initial count; a rollback returns to the old configuration,
    which the endpoint's postcondition keeps; the green fleet adds instances."""
    result = _review("instance-type")
    assert "capacity-drop" in {f.id for f in result.flags}
    assert "rollback-risk" not in {f.id for f in result.flags}, "the stack's postcondition keeps the configuration"
    assert "autoscaled-instance-type" not in {f.id for f in result.flags}, "the stack re-registers the scaling"
    roll = next(n for n in result.notes if "rolls to a new configuration" in n.title)
    assert any("runs 1 more ml.g6e.2xlarge beside the old fleet" in d for d in roll.details)
    assert any("deregistered before UpdateEndpoint and registered again after" in d for d in roll.details)
    assert any("postcondition stops the apply and keeps llm-local-" in d for d in roll.details)
    assert _flags("first-deploy") == set() and _flags("no-op") == set()


def test_a_plan_that_keeps_the_scaling_registered_is_flagged() -> None:
    """A plan from a stack that does not re-register the target (an older one, or another tool's) fails on AWS."""
    plan = json.loads((PLANS / "instance-type.json").read_text())
    for change in plan["resource_changes"]:
        if change["type"].startswith("aws_appautoscaling") or change["type"] == "terraform_data":
            change["change"]["actions"] = ["no-op"]
            change["change"]["after"] = change["change"]["before"]
    flags = {f.id for f in review(plan, title="old stack").flags}
    assert "autoscaled-instance-type" in flags


@pytest.mark.parametrize("drop_checks", [False, True])
def test_rollback_risk_is_flagged_only_for_an_endpoint_without_the_rollback_postcondition(drop_checks: bool) -> None:
    """A plan of an endpoint without llm-endpoint's postcondition (no `checks` entry for it) deletes the configuration
    a rollback returns to; the stack's own plans say what happens instead."""
    plan = json.loads((PLANS / "env-change.json").read_text())
    if drop_checks:
        plan.pop("checks")
    result = review(plan, title="plan review: endpoint without the rollback postcondition")
    assert ("rollback-risk" in {f.id for f in result.flags}) is drop_checks
    if drop_checks:
        text = markdown.render(result)
        golden = GOLDEN / "rollback-risk.md"
        if os.environ.get("UPDATE_GOLDEN"):
            golden.write_text(text)
        assert text == golden.read_text()

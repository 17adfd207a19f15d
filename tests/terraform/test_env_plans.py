"""Plan the dev environment with tfvars rendered by `llmctl render`, offline (fake keys, no refresh, local state),
and assert a fabric-style inventory of the plan: counts by type, key arguments, and the execution role's IAM."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import tftest
from llmctl import terraform_cli
from support.terraform import TERRAFORM, copy_terraform, llmctl, load_json, rendered_tfvars

DEV = TERRAFORM / "envs" / "dev"

EXPECTED_TYPES = {
    "aws_appautoscaling_policy": 1,
    "aws_appautoscaling_scheduled_action": 2,
    "aws_appautoscaling_target": 1,
    "aws_cloudwatch_log_group": 1,
    "aws_cloudwatch_dashboard": 1,
    "aws_cloudwatch_metric_alarm": 3,
    "aws_ecr_lifecycle_policy": 1,
    "aws_ecr_repository": 1,
    "aws_iam_role": 1,
    "aws_iam_role_policy": 1,
    "aws_kms_alias": 1,
    "aws_kms_key": 1,
    "aws_s3_bucket": 1,
    "aws_s3_bucket_lifecycle_configuration": 1,
    "aws_s3_bucket_ownership_controls": 1,
    "aws_s3_bucket_policy": 1,
    "aws_s3_bucket_public_access_block": 1,
    "aws_s3_bucket_server_side_encryption_configuration": 1,
    "aws_s3_bucket_versioning": 1,
    "aws_sagemaker_endpoint": 1,
    "aws_sagemaker_endpoint_configuration": 1,
    "aws_sagemaker_model": 1,
    "aws_sns_topic": 1,
    # autoscaling's instance-type and endpoint records, the endpoint's update barrier and its invocation mode
    "terraform_data": 4,
}
# The only statements of the execution role that may name Resource "*": actions without resource-level permissions.
ALLOWED_STAR = {"EcrLogin": ["ecr:GetAuthorizationToken"], "EndpointMetrics": ["cloudwatch:PutMetricData"]}


class Plan:
    def __init__(self, raw: dict[str, Any]) -> None:
        self.changes = raw["resource_changes"]

    def of_type(self, type_: str) -> list[dict[str, Any]]:
        return [c["change"]["after"] for c in self.changes if c["type"] == type_]

    def one(self, type_: str) -> dict[str, Any]:
        (after,) = self.of_type(type_)
        return after

    def counts(self) -> dict[str, int]:
        return dict(Counter(c["type"] for c in self.changes))


@pytest.fixture
def plan_dev(tf_env: dict[str, str], tmp_path: Path):  # type: ignore[no-untyped-def]
    def plan(*render_args: str, settings: str | None = None) -> tuple[Plan, dict[str, Any]]:
        """`settings`: HCL laid over the env's committed settings.auto.tfvars, as a team's edit would be."""
        tfvars = rendered_tfvars(tmp_path, *render_args)
        var_files = [str(tfvars)]
        if settings is not None:
            (tmp_path / "settings.tfvars").write_text(settings)
            var_files.append(str(tmp_path / "settings.tfvars"))
        override = tmp_path / terraform_cli.OFFLINE_OVERRIDE
        override.write_text(terraform_cli.offline_override("111122223333"))
        env = {**tf_env, "TF_DATA_DIR": str(tmp_path / ".terraform")}
        tf = tftest.TerraformTest(str(DEV), env=env)
        tf.setup(extra_files=[str(override)], cleanup_on_exit=False)
        try:
            raw = tf.plan(output=True, refresh=False, tf_var_file=var_files)
        finally:
            (DEV / override.name).unlink(missing_ok=True)
        return Plan(dict(raw)), load_json(tfvars)

    return plan


def _role_statements(plan: Plan) -> list[dict[str, Any]]:
    statements: list[dict[str, Any]] = json.loads(plan.one("aws_iam_role_policy")["policy"])["Statement"]
    return statements


def test_llama_8b_on_g5_2xlarge(plan_dev) -> None:  # type: ignore[no-untyped-def]
    plan, tfvars = plan_dev("meta-llama/Llama-3.1-8B-Instruct", "-i", "ml.g5.2xlarge")

    assert plan.counts() == EXPECTED_TYPES
    assert all(c["change"]["actions"] == ["create"] for c in plan.changes)

    model = plan.one("aws_sagemaker_model")
    container = model["primary_container"][0]
    assert container["image"] == tfvars["image_uri"]
    assert container["environment"] == tfvars["container_env"]
    assert not container.get("model_data_source")  # Hub download: the container fetches the weights
    assert model["name"].startswith("llm-dev-") and len(model["name"]) == 18
    assert model["execution_role_arn"] == "arn:aws:iam::111122223333:role/llm-dev-sagemaker-execution"
    assert model["tags"]["llm:model"] == "meta-llama/Llama-3.1-8B-Instruct"

    variant = plan.one("aws_sagemaker_endpoint_configuration")["production_variants"][0]
    assert variant["instance_type"] == "ml.g5.2xlarge"
    assert variant["container_startup_health_check_timeout_in_seconds"] == 480
    assert variant["model_data_download_timeout_in_seconds"] == 240
    assert variant["routing_config"] == [{"routing_strategy": "LEAST_OUTSTANDING_REQUESTS"}]

    deployment = plan.one("aws_sagemaker_endpoint")["deployment_config"][0]
    routing = deployment["blue_green_update_policy"][0]["traffic_routing_configuration"][0]
    assert routing["type"] == "CANARY" and routing["canary_size"] == [{"type": "CAPACITY_PERCENT", "value": 50}]
    assert {a["alarm_name"] for a in deployment["auto_rollback_configuration"][0]["alarms"]} == {
        "llm-dev-5xx-errors",
        "llm-dev-model-latency-p90",
    }

    target = plan.one("aws_appautoscaling_target")
    assert (target["min_capacity"], target["max_capacity"]) == (1, 2)
    assert target["resource_id"] == "endpoint/llm-dev/variant/AllTraffic"

    assert plan.one("aws_s3_bucket")["bucket"] == "llm-dev-artifacts-111122223333"
    assert plan.one("aws_ecr_repository")["image_tag_mutability"] == "IMMUTABLE"


def test_settings_given_in_part_keep_the_defaults(plan_dev) -> None:  # type: ignore[no-untyped-def]
    """Issue 15 item 1: autoscaling bounds set in the settings file reach the plan; the rest keeps its defaults."""
    settings = "autoscaling = { min_capacity = 2, max_capacity = 4 }\nalarms = { model_latency_p90_ms = 12000 }\n"
    plan, _ = plan_dev("Qwen/Qwen2.5-7B-Instruct", "-i", "ml.g6.xlarge", "-b", "vllm", settings=settings)
    target = plan.one("aws_appautoscaling_target")
    assert (target["min_capacity"], target["max_capacity"]) == (2, 4)
    (policy,) = plan.of_type("aws_appautoscaling_policy")
    tracking = policy["target_tracking_scaling_policy_configuration"][0]
    assert tracking["target_value"] == 8  # the module default, kept
    assert (tracking["scale_in_cooldown"], tracking["scale_out_cooldown"]) == (300, 60)
    assert plan.of_type("aws_appautoscaling_scheduled_action") == [], "a replaced object drops the env's schedules"
    variant = plan.one("aws_sagemaker_endpoint_configuration")["production_variants"][0]
    assert variant["initial_instance_count"] == 2
    latency = next(a for a in plan.of_type("aws_cloudwatch_metric_alarm") if a["alarm_name"].endswith("latency-p90"))
    assert latency["threshold"] == 12000 * 1000  # ModelLatency is in microseconds
    # The later file replaces the whole `alarms` object: create_sns_topic is back at its module default (false).
    assert plan.of_type("aws_sns_topic") == []


def test_async_mode_in_dev_queues_in_its_bucket_and_scales_to_zero(plan_dev) -> None:  # type: ignore[no-untyped-def]
    """Issue 19: the dev env rendered with --async and min_capacity 0 in its settings."""
    settings = "autoscaling = { min_capacity = 0, max_capacity = 3, target_tracking = { backlog_per_instance = 4 } }\n"
    plan, tfvars = plan_dev("meta-llama/Llama-3.1-8B-Instruct", "-i", "ml.g5.2xlarge", "--async", settings=settings)
    assert tfvars["async_inference"] == {"max_concurrent_invocations_per_instance": 3}
    config = plan.one("aws_sagemaker_endpoint_configuration")
    (queue,) = config["async_inference_config"]
    assert queue["client_config"] == [{"max_concurrent_invocations_per_instance": 3}]
    output = queue["output_config"][0]
    assert output["s3_output_path"] == "s3://llm-dev-artifacts-111122223333/async/llm-dev/output/"
    assert output["s3_failure_path"] == "s3://llm-dev-artifacts-111122223333/async/llm-dev/failures/"
    assert config["production_variants"][0]["initial_instance_count"] == 1, "it starts with one instance"
    topics = sorted(t["name"] for t in plan.of_type("aws_sns_topic"))
    assert topics == ["llm-dev-alarms", "llm-dev-async-error", "llm-dev-async-success"]
    target = plan.one("aws_appautoscaling_target")
    assert (target["min_capacity"], target["max_capacity"]) == (0, 3)
    policies = {p["name"]: p for p in plan.of_type("aws_appautoscaling_policy")}
    assert set(policies) == {"llm-dev-async-backlog", "llm-dev-async-from-zero"}
    backlog = policies["llm-dev-async-backlog"]["target_tracking_scaling_policy_configuration"][0]
    assert backlog["target_value"] == 4
    assert backlog["customized_metric_specification"][0]["metric_name"] == "ApproximateBacklogSizePerInstance"
    alarm = next(a for a in plan.of_type("aws_cloudwatch_metric_alarm") if a["alarm_name"] == "llm-dev-async-from-zero")
    assert alarm["metric_name"] == "HasBacklogWithoutCapacity" and alarm["dimensions"] == {"EndpointName": "llm-dev"}
    sids = {s["Sid"]: s for s in _role_statements(plan)}
    assert sids["ReadAsyncRequests"]["Resource"] == "arn:aws:s3:::llm-dev-artifacts-111122223333/async/llm-dev/input/*"
    assert set(sids["PublishAsyncNotifications"]["Resource"]) == {
        "arn:aws:sns:us-east-1:111122223333:llm-dev-async-success",
        "arn:aws:sns:us-east-1:111122223333:llm-dev-async-error",
    }


def test_min_above_max_fails_the_plan(tf_env: dict[str, str], tmp_path: Path) -> None:
    """Issue 15 item 1: min 5 > max 2 in the settings file used to be ignored with the rest."""
    root = copy_terraform(tmp_path) / "envs" / "dev"
    rendered_tfvars(root, "Qwen/Qwen2.5-7B-Instruct", "-i", "ml.g6.xlarge", "-b", "vllm")
    (root / "settings.auto.tfvars").write_text("autoscaling = { min_capacity = 5, max_capacity = 2 }\n")
    result = llmctl(["tf", "plan", "--env", "dev", "--offline", "--no-review"], tmp_path, tf_env)
    assert result.returncode == 1
    assert "max_capacity must be a whole number" in result.stdout + result.stderr


def test_llama_70b_on_p4d(plan_dev) -> None:  # type: ignore[no-untyped-def]
    plan, _ = plan_dev("meta-llama/Llama-3.1-70B-Instruct", "-i", "ml.p4d.24xlarge")

    assert plan.counts() == EXPECTED_TYPES
    variant = plan.one("aws_sagemaker_endpoint_configuration")["production_variants"][0]
    assert variant["instance_type"] == "ml.p4d.24xlarge"
    assert variant["container_startup_health_check_timeout_in_seconds"] == 2040
    assert variant["model_data_download_timeout_in_seconds"] == 1500
    assert plan.one("aws_sagemaker_model")["primary_container"][0]["environment"]["SM_NUM_GPUS"] == "8"
    gpu_alarm = next(a for a in plan.of_type("aws_cloudwatch_metric_alarm") if a["alarm_name"] == "llm-dev-gpu-memory")
    assert gpu_alarm["threshold"] == 98 * 8  # GPUMemoryUtilization adds up the 8 GPUs


def test_execution_role_is_least_privilege(plan_dev) -> None:  # type: ignore[no-untyped-def]
    plan, _ = plan_dev("meta-llama/Llama-3.1-8B-Instruct", "-i", "ml.g5.2xlarge")
    statements = _role_statements(plan)

    star = {
        s["Sid"]: sorted([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
        for s in statements
        if s["Resource"] == "*"
    }
    assert star == ALLOWED_STAR
    metrics = next(s for s in statements if s["Sid"] == "EndpointMetrics")
    assert metrics["Condition"] == {"StringEquals": {"cloudwatch:namespace": "/aws/sagemaker/Endpoints"}}
    actions = [a for s in statements for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])]
    assert not [a for a in actions if "*" in a], "no wildcard actions"
    assert all(s["Effect"] == "Allow" for s in statements)
    # Blue/green auto-rollback reads exactly the two rollback alarms (issue 16: "Auto-Rollback Configuration and
    # Monitoring" requires cloudwatch:DescribeAlarms on them).
    alarms = next(s for s in statements if s["Sid"] == "ReadRollbackAlarms")
    assert alarms["Action"] == "cloudwatch:DescribeAlarms"
    assert sorted(alarms["Resource"]) == [
        "arn:aws:cloudwatch:us-east-1:111122223333:alarm:llm-dev-5xx-errors",
        "arn:aws:cloudwatch:us-east-1:111122223333:alarm:llm-dev-model-latency-p90",
    ]

    trust = json.loads(plan.one("aws_iam_role")["assume_role_policy"])["Statement"]
    assert trust == [
        {
            "Sid": "SageMakerOfThisAccount",
            "Effect": "Allow",
            "Action": "sts:AssumeRole",
            "Principal": {"Service": "sagemaker.amazonaws.com"},
            "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}},
        }
    ]
    # No AWS managed policy anywhere: the role has only its inline policy.
    assert not [c for c in plan.changes if c["type"] == "aws_iam_role_policy_attachment"]
    assert not plan.one("aws_iam_role").get("managed_policy_arns")


def test_weights_from_s3_are_read_from_their_prefix_only(plan_dev) -> None:  # type: ignore[no-untyped-def]
    plan, _ = plan_dev(
        "meta-llama/Llama-3.1-8B-Instruct",
        "-i",
        "ml.g5.2xlarge",
        "--model-s3-uri",
        "s3://llm-dev-artifacts-111122223333/models/llama-3.1-8b/",
    )
    source = plan.one("aws_sagemaker_model")["primary_container"][0]["model_data_source"][0]["s3_data_source"][0]
    assert source == {
        "s3_uri": "s3://llm-dev-artifacts-111122223333/models/llama-3.1-8b/",
        "s3_data_type": "S3Prefix",
        "compression_type": "None",
        "model_access_config": [],
    }
    statements = {s["Sid"]: s for s in _role_statements(plan)}
    assert (
        statements["ReadModelPrefix"]["Resource"] == "arn:aws:s3:::llm-dev-artifacts-111122223333/models/llama-3.1-8b/*"
    )
    assert statements["ListModelPrefix"]["Condition"]["StringLike"]["s3:prefix"] == [
        "models/llama-3.1-8b/",
        "models/llama-3.1-8b/*",
    ]


def test_a_tei_embedding_endpoint_plans_with_the_same_modules(plan_dev) -> None:  # type: ignore[no-untyped-def]
    """Issue 21: `llmctl render all-minilm-l6-v2 --backend tei` on a CPU instance is an ordinary stack."""
    plan, tfvars = plan_dev("all-minilm-l6-v2", "-b", "tei", "-i", "ml.c6i.xlarge")
    assert plan.counts() == EXPECTED_TYPES
    container = plan.one("aws_sagemaker_model")["primary_container"][0]
    assert container["image"].endswith("/tei-cpu:2.0.1-tei1.8.2-cpu-py310-ubuntu22.04")
    assert container["environment"]["HF_MODEL_ID"] == "sentence-transformers/all-MiniLM-L6-v2"
    assert plan.one("aws_sagemaker_model")["tags"]["llm:model"] == "sentence-transformers/all-MiniLM-L6-v2"
    variant = plan.one("aws_sagemaker_endpoint_configuration")["production_variants"][0]
    assert variant["instance_type"] == "ml.c6i.xlarge" and variant.get("volume_size_in_gb") is None
    assert (
        variant["container_startup_health_check_timeout_in_seconds"]
        == tfvars["container_startup_health_check_timeout_in_seconds"]
    )

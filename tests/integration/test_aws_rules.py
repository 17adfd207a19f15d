"""AWS's update and scaling rules in the local control plane (`llmctl.local_aws.aws_rules`, docs/updates.md): each is
called through boto3 against the patched moto server of `make up`, and fails or behaves as on a real account."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from support.servers import free_port, wait_http

pytestmark = pytest.mark.integration

IMAGE = "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.7.0-tgi3.3.6-gpu-py311-cu124"
TARGET = "endpoint/ep/variant/AllTraffic"
DIMENSION = "sagemaker:variant:DesiredInstanceCount"
QUOTA = 4


@pytest.fixture(scope="module")
def control_plane() -> Iterator[str]:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "llmctl.local_aws.server", "--port", str(port), "--endpoint-quota", str(QUOTA)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{url}/moto-api/data.json")
        yield url
    finally:
        server.terminate()
        server.wait(10)


def _clients(url: str) -> tuple[Any, Any, Any]:
    kwargs = {"endpoint_url": url, "region_name": "us-east-1", "aws_access_key_id": "x", "aws_secret_access_key": "x"}
    return (
        boto3.client("sagemaker", **kwargs),
        boto3.client("application-autoscaling", **kwargs),
        boto3.client("cloudwatch", **kwargs),
    )


@pytest.fixture
def scaled_endpoint(control_plane: str) -> Iterator[tuple[Any, Any, Any]]:
    """Endpoint `ep` on ml.g5.2xlarge, registered with Application Auto Scaling, with a policy and a schedule."""
    import urllib.request

    urllib.request.urlopen(urllib.request.Request(f"{control_plane}/moto-api/reset", method="POST"))
    sagemaker, scaling, cloudwatch = _clients(control_plane)
    sagemaker.create_model(
        ModelName="m", ExecutionRoleArn="arn:aws:iam::123456789012:role/r", PrimaryContainer={"Image": IMAGE}
    )
    for name, instance in (("g5", "ml.g5.2xlarge"), ("g5-again", "ml.g5.2xlarge"), ("g6e", "ml.g6e.2xlarge")):
        variant = {"VariantName": "AllTraffic", "ModelName": "m", "InitialInstanceCount": 1, "InstanceType": instance}
        sagemaker.create_endpoint_config(EndpointConfigName=name, ProductionVariants=[variant])
    sagemaker.create_endpoint(EndpointName="ep", EndpointConfigName="g5")
    scaling.register_scalable_target(
        ServiceNamespace="sagemaker", ResourceId=TARGET, ScalableDimension=DIMENSION, MinCapacity=1, MaxCapacity=4
    )
    scaling.put_scaling_policy(
        PolicyName="ep-concurrency",
        ServiceNamespace="sagemaker",
        ResourceId=TARGET,
        ScalableDimension=DIMENSION,
        PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={
            "TargetValue": 8.0,
            "PredefinedMetricSpecification": {"PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"},
        },
    )
    scaling.put_scheduled_action(
        ServiceNamespace="sagemaker",
        ScheduledActionName="nights",
        ResourceId=TARGET,
        ScalableDimension=DIMENSION,
        Schedule="cron(0 20 * * ? *)",
        ScalableTargetAction={"MinCapacity": 1, "MaxCapacity": 1},
    )
    yield sagemaker, scaling, cloudwatch


def _desired(sagemaker: Any) -> int:
    return int(sagemaker.describe_endpoint(EndpointName="ep")["ProductionVariants"][0]["DesiredInstanceCount"])


def test_an_instance_type_change_of_a_scaled_variant_is_refused(scaled_endpoint: tuple[Any, Any, Any]) -> None:
    sagemaker, scaling, _ = scaled_endpoint
    with pytest.raises(ClientError, match="must be deregistered as scalable targets"):
        sagemaker.update_endpoint(EndpointName="ep", EndpointConfigName="g6e")
    sagemaker.update_endpoint(EndpointName="ep", EndpointConfigName="g5-again")  # same type: allowed
    scaling.deregister_scalable_target(ServiceNamespace="sagemaker", ResourceId=TARGET, ScalableDimension=DIMENSION)
    sagemaker.update_endpoint(EndpointName="ep", EndpointConfigName="g6e")  # deregistered first: allowed
    assert sagemaker.describe_endpoint(EndpointName="ep")["EndpointConfigName"] == "g6e"


def test_an_update_restarts_at_the_initial_count_unless_properties_are_retained(
    scaled_endpoint: tuple[Any, Any, Any],
) -> None:
    sagemaker, _, _ = scaled_endpoint
    desired = [{"VariantName": "AllTraffic", "DesiredInstanceCount": 3}]
    sagemaker.update_endpoint_weights_and_capacities(EndpointName="ep", DesiredWeightsAndCapacities=desired)
    assert _desired(sagemaker) == 3
    sagemaker.update_endpoint(EndpointName="ep", EndpointConfigName="g5-again", RetainAllVariantProperties=True)
    assert _desired(sagemaker) == 3
    sagemaker.update_endpoint(EndpointName="ep", EndpointConfigName="g5")
    assert _desired(sagemaker) == 1, "the new configuration's InitialInstanceCount"


def _rollback_alarm(cloudwatch: Any, state: str) -> dict[str, Any]:
    cloudwatch.put_metric_alarm(
        AlarmName="ep-5xx",
        MetricName="Invocation5XXErrors",
        Namespace="AWS/SageMaker",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=1.0,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
    )
    cloudwatch.set_alarm_state(AlarmName="ep-5xx", StateValue=state, StateReason="test")
    return {
        "BlueGreenUpdatePolicy": {"TrafficRoutingConfiguration": {"Type": "ALL_AT_ONCE", "WaitIntervalInSeconds": 60}},
        "AutoRollbackConfiguration": {"Alarms": [{"AlarmName": "ep-5xx"}]},
    }


def test_a_rollback_alarm_in_alarm_rolls_the_update_back(scaled_endpoint: tuple[Any, Any, Any]) -> None:
    sagemaker, _, cloudwatch = scaled_endpoint
    deployment = _rollback_alarm(cloudwatch, "ALARM")
    sagemaker.update_endpoint(EndpointName="ep", EndpointConfigName="g5-again", DeploymentConfig=deployment)
    endpoint = sagemaker.describe_endpoint(EndpointName="ep")
    assert (endpoint["EndpointStatus"], endpoint["EndpointConfigName"]) == ("InService", "g5")
    assert "alarm(s) ep-5xx went into ALARM" in endpoint["FailureReason"]

    cloudwatch.set_alarm_state(AlarmName="ep-5xx", StateValue="OK", StateReason="test")
    sagemaker.update_endpoint(EndpointName="ep", EndpointConfigName="g5-again", DeploymentConfig=deployment)
    endpoint = sagemaker.describe_endpoint(EndpointName="ep")
    assert endpoint["EndpointConfigName"] == "g5-again" and "FailureReason" not in endpoint


def test_a_fleet_that_fails_its_health_check_rolls_back_or_fails_to_create(
    scaled_endpoint: tuple[Any, Any, Any],
) -> None:
    sagemaker, _, _ = scaled_endpoint
    container = {"Image": IMAGE, "Environment": {"LLM_EMULATOR_FAIL_HEALTH_CHECK": "1"}}
    sagemaker.create_model(
        ModelName="broken", ExecutionRoleArn="arn:aws:iam::123456789012:role/r", PrimaryContainer=container
    )
    variant = {
        "VariantName": "AllTraffic",
        "ModelName": "broken",
        "InitialInstanceCount": 1,
        "InstanceType": "ml.g5.2xlarge",
    }
    sagemaker.create_endpoint_config(EndpointConfigName="broken", ProductionVariants=[variant])
    sagemaker.update_endpoint(EndpointName="ep", EndpointConfigName="broken")
    endpoint = sagemaker.describe_endpoint(EndpointName="ep")
    assert (endpoint["EndpointStatus"], endpoint["EndpointConfigName"]) == ("InService", "g5")
    assert "did not pass the ping health check" in endpoint["FailureReason"]

    sagemaker.create_endpoint(EndpointName="new", EndpointConfigName="broken")
    created = sagemaker.describe_endpoint(EndpointName="new")
    assert created["EndpointStatus"] == "Failed" and "ping health check" in created["FailureReason"]


def test_service_quotas_lists_endpoint_usage_and_creates_and_updates_respect_it(
    control_plane: str, scaled_endpoint: tuple[Any, Any, Any]
) -> None:
    from llmctl import quotas

    sagemaker, _, _ = scaled_endpoint
    service_quotas = boto3.client(
        "service-quotas",
        endpoint_url=control_plane,
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )
    (fact,) = quotas.read(service_quotas, sagemaker, {"ml.g5.2xlarge"})
    assert (fact.quota, fact.in_use) == (QUOTA, 1)

    variant = {
        "VariantName": "AllTraffic",
        "ModelName": "m",
        "InitialInstanceCount": QUOTA,
        "InstanceType": "ml.g5.2xlarge",
    }
    sagemaker.create_endpoint_config(EndpointConfigName="g5-big", ProductionVariants=[variant])
    with pytest.raises(
        ClientError,
        match=r"ResourceLimitExceeded.*'ml\.g5\.2xlarge for endpoint usage' is 4 Instances, "
        r"with current utilization of 1 Instances and a request delta of 4 Instances",
    ):
        sagemaker.create_endpoint(EndpointName="big", EndpointConfigName="g5-big")
    with pytest.raises(ClientError, match="ResourceLimitExceeded"):
        sagemaker.update_endpoint(EndpointName="ep", EndpointConfigName="g5-big")  # blue (1) + green (4) > 4
    assert sagemaker.describe_endpoint(EndpointName="ep")["EndpointConfigName"] == "g5"
    sagemaker.create_endpoint(EndpointName="other", EndpointConfigName="g6e")  # another type's quota: room


def test_deregistering_deletes_the_policies_and_schedules(scaled_endpoint: tuple[Any, Any, Any]) -> None:
    _, scaling, _ = scaled_endpoint
    scaling.deregister_scalable_target(ServiceNamespace="sagemaker", ResourceId=TARGET, ScalableDimension=DIMENSION)
    assert scaling.describe_scaling_policies(ServiceNamespace="sagemaker")["ScalingPolicies"] == []
    assert scaling.describe_scheduled_actions(ServiceNamespace="sagemaker")["ScheduledActions"] == []


def test_deleting_the_endpoint_deregisters_its_scaling(scaled_endpoint: tuple[Any, Any, Any]) -> None:
    sagemaker, scaling, _ = scaled_endpoint
    sagemaker.delete_endpoint(EndpointName="ep")
    assert scaling.describe_scalable_targets(ServiceNamespace="sagemaker")["ScalableTargets"] == []
    assert scaling.describe_scaling_policies(ServiceNamespace="sagemaker")["ScalingPolicies"] == []


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ([{"ScalingAdjustment": 1}, {"MetricIntervalLowerBound": 0.0, "ScalingAdjustment": 1}], "null upper bound"),
        (
            [{"MetricIntervalLowerBound": 0.0, "MetricIntervalUpperBound": 10.0, "ScalingAdjustment": 1}],
            "positive upper",
        ),
        (
            [
                {"MetricIntervalLowerBound": -5.0, "MetricIntervalUpperBound": 5.0, "ScalingAdjustment": 1},
                {"MetricIntervalLowerBound": 5.0, "ScalingAdjustment": 2},
            ],
            "negative lower",
        ),
    ],
)
def test_step_adjustments_aws_rejects_are_rejected(
    scaled_endpoint: tuple[Any, Any, Any], steps: list[dict[str, Any]], message: str
) -> None:
    _, scaling, _ = scaled_endpoint
    with pytest.raises(ClientError, match=message):
        scaling.put_scaling_policy(
            PolicyName="ep-backlog",
            ServiceNamespace="sagemaker",
            ResourceId=TARGET,
            ScalableDimension=DIMENSION,
            PolicyType="StepScaling",
            StepScalingPolicyConfiguration={"AdjustmentType": "ChangeInCapacity", "StepAdjustments": steps},
        )


def test_a_five_field_cron_and_a_too_long_evaluation_range_are_rejected(scaled_endpoint: tuple[Any, Any, Any]) -> None:
    _, scaling, cloudwatch = scaled_endpoint
    with pytest.raises(ClientError, match="six fields"):
        scaling.put_scheduled_action(
            ServiceNamespace="sagemaker",
            ScheduledActionName="weekdays",
            ResourceId=TARGET,
            ScalableDimension=DIMENSION,
            Schedule="cron(0 20 * * 1-5)",
            ScalableTargetAction={"MinCapacity": 1, "MaxCapacity": 1},
        )
    alarm = {
        "AlarmName": "a",
        "MetricName": "Invocations",
        "Namespace": "AWS/SageMaker",
        "Statistic": "Sum",
        "Threshold": 1.0,
        "ComparisonOperator": "GreaterThanThreshold",
    }
    with pytest.raises(ClientError, match="can be no longer than 86400 seconds"):
        cloudwatch.put_metric_alarm(**alarm, Period=1800, EvaluationPeriods=49)
    cloudwatch.put_metric_alarm(**alarm, Period=3600, EvaluationPeriods=49)  # hourly periods may span a week

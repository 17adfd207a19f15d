"""`llmctl load` against the local runtime stand-in, `llmctl status` against a moto server (and botocore's
Stubber for the one call moto does not implement: DescribeScalingActivities)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import boto3
import pytest
from botocore.stub import Stubber
from click.testing import CliRunner
from llmctl.cli import cli
from llmctl.endpoint_status import read_status
from support.runtime_stub import ErrorReply

pytestmark = pytest.mark.integration


def test_load_summary_counts_requests_and_percentiles(stub_runtime) -> None:
    stub_runtime.token_delay_s = 0.002
    stub_runtime.replies.append(
        ErrorReply(424, "ModelError", "x", {"OriginalStatusCode": 500, "OriginalMessage": "boom"})
    )
    result = CliRunner().invoke(
        cli,
        [
            "load",
            "-e",
            "ep",
            "-n",
            "12",
            "-c",
            "4",
            "--json",
            "--endpoint-url",
            stub_runtime.url,
            "--region",
            "us-east-1",
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["requests"] == 12 and summary["ok"] == 11
    assert summary["errors"] == {"model_error": 1}
    assert summary["output_tokens"] == 11 * 8
    assert 0 < summary["ttft_s"]["p50"] <= summary["latency_s"]["p50"] <= summary["latency_s"]["p99"]
    assert summary["output_tokens_per_s"] > 0
    assert len(stub_runtime.requests) == 12


def test_load_for_a_duration_stops_by_itself(stub_runtime) -> None:
    stub_runtime.token_delay_s = 0.005
    result = CliRunner().invoke(
        cli,
        [
            "load",
            "-e",
            "ep",
            "-d",
            "1",
            "-c",
            "2",
            "--json",
            "--endpoint-url",
            stub_runtime.url,
            "--region",
            "us-east-1",
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    # --duration 1: no new request after 1 s; the ones in flight then finish (a stub reply takes milliseconds).
    assert summary["requests"] >= 2 and 1.0 <= summary["wall_s"] < 1.0 + 4.0


def test_load_where_everything_fails_exits_non_zero(stub_runtime) -> None:
    stub_runtime.replies.extend(ErrorReply(400, "ValidationError", "Endpoint ep not found.") for _ in range(3))
    result = CliRunner().invoke(
        cli, ["load", "-e", "ep", "-n", "3", "-c", "1", "--endpoint-url", stub_runtime.url, "--region", "us-east-1"]
    )
    assert result.exit_code == 3 and "every request to ep failed" in result.stderr


def _create_endpoint(moto_url: str, name: str = "llama-dev") -> None:
    sm = boto3.client("sagemaker", endpoint_url=moto_url, region_name="us-east-1")
    sm.create_model(
        ModelName="m",
        ExecutionRoleArn="arn:aws:iam::123456789012:role/sm",
        PrimaryContainer={"Image": "763104351884.dkr.ecr.us-east-1.amazonaws.com/x:1"},
    )
    sm.create_endpoint_config(
        EndpointConfigName="c",
        ProductionVariants=[
            {"VariantName": "AllTraffic", "ModelName": "m", "InstanceType": "ml.g4dn.xlarge", "InitialInstanceCount": 2}
        ],
    )
    sm.create_endpoint(EndpointName=name, EndpointConfigName="c")
    aas = boto3.client("application-autoscaling", endpoint_url=moto_url, region_name="us-east-1")
    aas.register_scalable_target(
        ServiceNamespace="sagemaker",
        ResourceId=f"endpoint/{name}/variant/AllTraffic",
        ScalableDimension="sagemaker:variant:DesiredInstanceCount",
        MinCapacity=1,
        MaxCapacity=4,
    )


def test_status_reads_endpoint_and_scaling_bounds_from_moto(moto_url) -> None:
    _create_endpoint(moto_url)
    result = CliRunner().invoke(
        cli, ["status", "-e", "llama-dev", "--json", "--endpoint-url", moto_url, "--region", "us-east-1"]
    )
    assert result.exit_code == 0, result.output
    status = json.loads(result.stdout)
    assert status["status"] == "InService"
    (variant,) = status["variants"]
    assert variant["name"] == "AllTraffic"
    assert (variant["current_instances"], variant["desired_instances"]) == (2, 2)
    assert (variant["min_capacity"], variant["max_capacity"]) == (1, 4)
    # moto has no DescribeScalingActivities: the status still shows, with a one-line note (as for a missing permission)
    assert any(n.startswith("autoscaling details unavailable (DescribeScalingActivities") for n in status["notes"])
    assert all("<html" not in n for n in status["notes"])


def test_status_table_for_people(moto_url) -> None:
    _create_endpoint(moto_url)
    result = CliRunner().invoke(cli, ["status", "-e", "llama-dev", "--endpoint-url", moto_url, "--region", "us-east-1"])
    assert result.exit_code == 0
    assert "InService" in result.stdout and "2/2" in result.stdout and "1..4" in result.stdout


def test_status_of_a_missing_endpoint_exits_3(moto_url) -> None:
    result = CliRunner().invoke(cli, ["status", "-e", "ghost", "--endpoint-url", moto_url, "--region", "us-east-1"])
    assert result.exit_code == 3 and "does not exist" in result.stderr


def test_scaling_activities_are_listed_per_variant() -> None:
    sm = boto3.client("sagemaker", region_name="us-east-1")
    aas = boto3.client("application-autoscaling", region_name="us-east-1")
    resource = "endpoint/llama-dev/variant/AllTraffic"
    with Stubber(sm) as sm_stub, Stubber(aas) as aas_stub:
        sm_stub.add_response(
            "describe_endpoint",
            {
                "EndpointName": "llama-dev",
                "EndpointArn": "arn:aws:sagemaker:us-east-1:1:endpoint/llama-dev",
                "EndpointStatus": "Updating",
                "CreationTime": datetime(2026, 1, 1, tzinfo=UTC),
                "LastModifiedTime": datetime(2026, 1, 1, tzinfo=UTC),
                "ProductionVariants": [
                    {"VariantName": "AllTraffic", "CurrentInstanceCount": 1, "DesiredInstanceCount": 3}
                ],
            },
        )
        aas_stub.add_response(
            "describe_scalable_targets",
            {
                "ScalableTargets": [
                    {
                        "ServiceNamespace": "sagemaker",
                        "ResourceId": resource,
                        "ScalableDimension": "sagemaker:variant:DesiredInstanceCount",
                        "MinCapacity": 1,
                        "MaxCapacity": 4,
                        "RoleARN": "arn:aws:iam::1:role/x",
                        "CreationTime": datetime(2026, 1, 1, tzinfo=UTC),
                    }
                ]
            },
            {"ServiceNamespace": "sagemaker", "ResourceIds": [resource]},
        )
        aas_stub.add_response(
            "describe_scaling_activities",
            {
                "ScalingActivities": [
                    {
                        "ActivityId": "a1",
                        "ServiceNamespace": "sagemaker",
                        "ResourceId": resource,
                        "ScalableDimension": "sagemaker:variant:DesiredInstanceCount",
                        "Description": "Setting desired instance count to 3.",
                        "Cause": "monitor alarm TargetTracking-AlarmHigh in state ALARM triggered policy invocations",
                        "StartTime": datetime(2026, 1, 1, 12, 0, tzinfo=UTC),
                        "StatusCode": "InProgress",
                    }
                ]
            },
            {"ServiceNamespace": "sagemaker", "ResourceId": resource, "MaxResults": 5},
        )
        status = read_status(sm, aas, "llama-dev")
    (variant,) = status.variants
    assert (variant.current_instances, variant.desired_instances) == (1, 3)
    assert variant.activities[0]["description"] == "Setting desired instance count to 3."
    assert variant.activities[0]["status"] == "InProgress"
    assert variant.activities[0]["start"].startswith("2026-01-01T12:00")


def test_watch_polls_until_in_service(monkeypatch) -> None:
    import llmctl.commands.status_cmd as status_cmd

    sm = boto3.client("sagemaker", region_name="us-east-1")
    stub = Stubber(sm)
    for state in ("Creating", "Creating", "InService"):
        stub.add_response(
            "describe_endpoint",
            {
                "EndpointName": "e",
                "EndpointArn": "arn:aws:sagemaker:us-east-1:1:endpoint/e",
                "EndpointStatus": state,
                "CreationTime": datetime(2026, 1, 1, tzinfo=UTC),
                "LastModifiedTime": datetime(2026, 1, 1, tzinfo=UTC),
                "ProductionVariants": [{"VariantName": "AllTraffic"}],
            },
        )
    stub.activate()
    monkeypatch.setattr(status_cmd, "make_client", lambda service, *a, **k: sm if service == "sagemaker" else None)
    result = CliRunner().invoke(
        cli, ["status", "-e", "e", "--watch", "--interval", "0", "--json", "--region", "us-east-1"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["status"] == "InService"
    stub.assert_no_pending_responses()


def test_watch_gives_up_after_max_wait(monkeypatch) -> None:
    import llmctl.commands.status_cmd as status_cmd

    sm = boto3.client("sagemaker", region_name="us-east-1")
    stub = Stubber(sm)
    for _ in range(50):
        stub.add_response(
            "describe_endpoint",
            {
                "EndpointName": "e",
                "EndpointArn": "arn:aws:sagemaker:us-east-1:1:endpoint/e",
                "EndpointStatus": "Creating",
                "CreationTime": datetime(2026, 1, 1, tzinfo=UTC),
                "LastModifiedTime": datetime(2026, 1, 1, tzinfo=UTC),
                "ProductionVariants": [{"VariantName": "AllTraffic"}],
            },
        )
    stub.activate()
    monkeypatch.setattr(status_cmd, "make_client", lambda service, *a, **k: sm if service == "sagemaker" else None)
    result = CliRunner().invoke(
        cli, ["status", "-e", "e", "--watch", "--interval", "0.05", "--max-wait", "0.3", "--region", "us-east-1"]
    )
    assert result.exit_code == 5 and "still Creating" in result.stderr


def test_a_corrupt_stream_is_counted_not_fatal(stub_runtime) -> None:
    from support.runtime_stub import StreamReply, sse_tokens

    stub_runtime.replies.append(StreamReply([sse_tokens(["x"], "chat")], corrupt_after=0))
    result = CliRunner().invoke(
        cli,
        [
            "load",
            "-e",
            "ep",
            "-n",
            "6",
            "-c",
            "1",
            "--json",
            "--endpoint-url",
            stub_runtime.url,
            "--region",
            "us-east-1",
        ],
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    summary = json.loads(result.stdout)
    assert summary["requests"] == 6 and summary["ok"] == 5
    assert summary["errors"] == {"stream_error": 1}

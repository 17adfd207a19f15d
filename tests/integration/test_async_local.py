"""Asynchronous inference on the local stack: the runtime's InvokeEndpointAsync (S3 in, S3 out, SNS notifications,
the backlog held while the variant is at zero instances) and `llmctl invoke --async` against it, through botocore's
real parsers."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from click.testing import CliRunner
from llm_service.client import AwsSettings, GenerationRequest, ModelError, Target
from llm_service.client.queued import AsyncInvoker, input_prefix_of
from llmctl.cli import cli
from support.local_stack import create_endpoint
from support.servers import free_port, python_module, wait_http

pytestmark = pytest.mark.integration

REGISTRY = "763104351884.dkr.ecr.us-east-1.amazonaws.com"
TGI_IMAGE = f"{REGISTRY}/huggingface-pytorch-tgi-inference:2.7.0-tgi3.3.6-gpu-py311-cu124-ubuntu22.04"
BUCKET = "llm-async-artifacts-123456789012"
ASYNC_EP, REALTIME_EP = "async-ep", "realtime-ep"


def _sqs_messages(sqs: Any, queue_url: str, want: int, timeout_s: float = 15.0) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout_s
    while len(found) < want and time.monotonic() < deadline:
        for message in sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
            "Messages", []
        ):
            found.append(json.loads(json.loads(message["Body"])["Message"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return found


@pytest.fixture(scope="module")
def stack() -> Iterator[dict[str, Any]]:
    """A control plane with an async endpoint (2 at once per instance, both topics → one SQS queue) and a real-time
    one, and the runtime publishing backlog metrics every 0.2 s."""
    moto_port, runtime_port = free_port(), free_port()
    moto = python_module("llmctl.local_aws.server", "--port", str(moto_port))
    aws = f"http://127.0.0.1:{moto_port}"
    wait_http(f"{aws}/moto-api/data.json")
    clients = {
        service: boto3.client(service, endpoint_url=aws, region_name="us-east-1")
        for service in ("sagemaker", "s3", "sns", "sqs", "cloudwatch")
    }
    clients["s3"].create_bucket(Bucket=BUCKET)
    topics = {
        kind: clients["sns"].create_topic(Name=f"{ASYNC_EP}-async-{kind}")["TopicArn"] for kind in ("success", "error")
    }
    queue_url = clients["sqs"].create_queue(QueueName="notifications")["QueueUrl"]
    queue_arn = clients["sqs"].get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    for topic in topics.values():
        clients["sns"].subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    for name in (ASYNC_EP, REALTIME_EP):
        extra: dict[str, Any] = {}
        if name == ASYNC_EP:
            extra["AsyncInferenceConfig"] = {
                "ClientConfig": {"MaxConcurrentInvocationsPerInstance": 2},
                "OutputConfig": {
                    "S3OutputPath": f"s3://{BUCKET}/async/{name}/output/",
                    "S3FailurePath": f"s3://{BUCKET}/async/{name}/failures/",
                    "NotificationConfig": {
                        "SuccessTopic": topics["success"],
                        "ErrorTopic": topics["error"],
                        "IncludeInferenceResponseIn": ["SUCCESS_NOTIFICATION_TOPIC"],
                    },
                },
            }
        create_endpoint(
            clients["sagemaker"], name, TGI_IMAGE, {"HF_MODEL_ID": "meta-llama/Llama-3.1-8B-Instruct"}, **extra
        )
    runtime_url = f"http://127.0.0.1:{runtime_port}"
    runtime = python_module(
        "llmctl.local_aws.runtime",
        "--port",
        str(runtime_port),
        "--aws-url",
        aws,
        "--tokens-per-s",
        "500",
        "--first-token-ms",
        "5",
        "--backlog-metrics-s",
        "0.2",
    )
    try:
        wait_http(f"{runtime_url}/ping")
        yield {"aws": aws, "runtime": runtime_url, "queue_url": queue_url, "topics": topics, **clients}
    finally:
        for process in (runtime, moto):
            process.terminate()
            process.wait(10)


def _settings(stack: dict[str, Any]) -> AwsSettings:
    return AwsSettings(
        region="us-east-1",
        endpoint_url=stack["runtime"],
        control_endpoint_url=stack["aws"],
        placeholder_credentials=True,
    )


def _invoker(stack: dict[str, Any], name: str = ASYNC_EP) -> AsyncInvoker:
    settings = _settings(stack)
    return AsyncInvoker(Target(name), settings, input_prefix_of(name, settings))


def test_async_invocation_writes_its_output_and_notifies_success(stack: dict[str, Any]) -> None:
    invoker = _invoker(stack)
    assert invoker.input_prefix == f"s3://{BUCKET}/async/{ASYNC_EP}/input/", "the stack's layout, from the endpoint"
    submitted = invoker.submit(GenerationRequest.from_prompt("Summarise the report.", max_new_tokens=5))
    assert submitted.output_location == f"s3://{BUCKET}/async/{ASYNC_EP}/output/{submitted.inference_id}.out"
    outcome = invoker.wait(submitted, deadline_s=20, poll_s=0.1)
    assert outcome.completion.text.split() == ["t0", "t1", "t2", "t3", "t4"]
    key = submitted.output_location.split(f"{BUCKET}/", 1)[1]
    stored = stack["s3"].get_object(Bucket=BUCKET, Key=key)
    assert json.loads(stored["Body"].read())["choices"][0]["message"]["content"] == outcome.completion.text
    [note] = [
        m for m in _sqs_messages(stack["sqs"], stack["queue_url"], 1) if m["inferenceId"] == submitted.inference_id
    ]
    assert note["invocationStatus"] == "Completed" and note["eventSource"] == "aws:sagemaker"
    assert note["responseParameters"]["outputLocation"] == submitted.output_location
    assert note["requestParameters"] == {
        "contentType": "application/json",
        "endpointName": ASYNC_EP,
        "inputLocation": submitted.input_location,
    }
    assert "t4" in note["responseBody"]["content"], "IncludeInferenceResponseIn puts the reply in the success note"


def test_a_failing_request_lands_in_the_failure_path_and_the_error_topic(stack: dict[str, Any]) -> None:
    invoker = _invoker(stack)
    submitted = invoker.submit(GenerationRequest.from_prompt("FAIL_422 please", max_new_tokens=5))
    with pytest.raises(ModelError, match="could not answer inference"):
        invoker.wait(submitted, deadline_s=20, poll_s=0.1)
    key = submitted.failure_location.split(f"{BUCKET}/", 1)[1]
    assert stack["s3"].get_object(Bucket=BUCKET, Key=key)["Body"].read(), "the container's error is kept"
    notes = [
        m for m in _sqs_messages(stack["sqs"], stack["queue_url"], 1) if m["inferenceId"] == submitted.inference_id
    ]
    assert notes and notes[0]["invocationStatus"] == "Failed"
    assert notes[0]["failureReason"].startswith("ClientError: Received client error (422)")
    assert "responseBody" not in notes[0], "the error topic does not carry the response unless asked"


def test_each_endpoint_takes_only_its_kind_of_invocation(stack: dict[str, Any]) -> None:
    runtime = boto3.client("sagemaker-runtime", endpoint_url=stack["runtime"], region_name="us-east-1")
    with pytest.raises(runtime.exceptions.ValidationError, match="is an asynchronous endpoint"):
        runtime.invoke_endpoint(EndpointName=ASYNC_EP, Body=b"{}", ContentType="application/json")
    with pytest.raises(runtime.exceptions.ValidationError, match="is not an asynchronous endpoint"):
        runtime.invoke_endpoint_async(EndpointName=REALTIME_EP, InputLocation=f"s3://{BUCKET}/x.json")
    with pytest.raises(Exception, match="is not asynchronous"):
        input_prefix_of(REALTIME_EP, _settings(stack))


def _metric(cloudwatch: Any, name: str) -> float | None:
    now = time.time()
    points = cloudwatch.get_metric_statistics(
        Namespace="AWS/SageMaker",
        MetricName=name,
        Dimensions=[{"Name": "EndpointName", "Value": ASYNC_EP}],
        StartTime=now - 60,
        EndTime=now + 60,
        Period=60,
        Statistics=["Maximum"],
    )["Datapoints"]
    return max((p["Maximum"] for p in points), default=None)


def test_at_zero_instances_requests_wait_in_the_backlog_until_capacity_returns(stack: dict[str, Any]) -> None:
    sagemaker = stack["sagemaker"]
    sagemaker.update_endpoint_weights_and_capacities(
        EndpointName=ASYNC_EP, DesiredWeightsAndCapacities=[{"VariantName": "AllTraffic", "DesiredInstanceCount": 0}]
    )
    try:
        invoker = _invoker(stack)
        submitted = [invoker.submit(GenerationRequest.from_prompt(f"q{i}", max_new_tokens=3)) for i in range(3)]
        time.sleep(2.5)
        with urllib.request.urlopen(f"{stack['runtime']}/local/async") as reply:
            [queue] = [q for q in json.load(reply) if q["endpoint"] == ASYNC_EP]
        assert queue["queued"] == 3 and queue["in_flight"] == 0, "nothing runs without an instance"
        assert _metric(stack["cloudwatch"], "HasBacklogWithoutCapacity") == 1, "the alarm's metric sees the backlog"
        assert _metric(stack["cloudwatch"], "ApproximateBacklogSize") == 3
        shown = CliRunner().invoke(cli, ["status", "-e", ASYNC_EP, "--endpoint-url", stack["aws"], "--json"])
        queue_status = json.loads(shown.stdout)["async"]
        assert queue_status["backlog"] == 3 and queue_status["queued"] == 3 and queue_status["in_flight"] == 0
        assert queue_status["backlog_without_capacity"] is True and queue_status["max_concurrent_per_instance"] == 2
        assert queue_status["topics"] == stack["topics"]
    finally:
        sagemaker.update_endpoint_weights_and_capacities(
            EndpointName=ASYNC_EP,
            DesiredWeightsAndCapacities=[{"VariantName": "AllTraffic", "DesiredInstanceCount": 1}],
        )
    for job in submitted:
        assert invoker.wait(job, deadline_s=20, poll_s=0.1).completion.text.split() == ["t0", "t1", "t2"]


def test_llmctl_invoke_async_prints_the_result(stack: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", stack["aws"])
    monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER", stack["aws"])
    monkeypatch.setenv("LLMCTL_ASYNC_POLL_S", "0.1")
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    args = ["invoke", "-e", ASYNC_EP, "--endpoint-url", stack["runtime"], "--async", "--max-new-tokens", "4"]
    result = CliRunner().invoke(cli, [*args, "--json", "--expect", "t3", "Hello"])
    assert result.exit_code == 0, result.output
    reply = json.loads(result.stdout.strip().splitlines()[-1])
    assert reply["text"].split() == ["t0", "t1", "t2", "t3"] and reply["async"] is True
    assert reply["output_location"].startswith(f"s3://{BUCKET}/async/{ASYNC_EP}/output/")

    refused = CliRunner().invoke(
        cli, ["invoke", "-e", REALTIME_EP, "--endpoint-url", stack["runtime"], "--async", "Hi"]
    )
    assert refused.exit_code == 2 and "is not asynchronous" in refused.output
    assert "Traceback" not in refused.output


def test_update_endpoint_cannot_switch_between_real_time_and_async(stack: dict[str, Any]) -> None:
    """SageMaker's rule (the stack replaces the endpoint instead: modules/llm-endpoint `invocation_mode`)."""
    sagemaker = stack["sagemaker"]
    with pytest.raises(sagemaker.exceptions.ClientError, match="cannot be removed from this endpoint async-ep"):
        sagemaker.update_endpoint(EndpointName=ASYNC_EP, EndpointConfigName=f"{REALTIME_EP}-config")
    with pytest.raises(sagemaker.exceptions.ClientError, match="cannot be added to this endpoint realtime-ep"):
        sagemaker.update_endpoint(EndpointName=REALTIME_EP, EndpointConfigName=f"{ASYNC_EP}-config")

"""Issue 19, the product path: `envs/local` as an asynchronous endpoint that scales to zero, driven as a user drives
it. `llmctl render --async` writes the tfvars, the plan review names the queue and the scale to zero, `llmctl tf
apply` deploys it (its smoke check goes through S3), `llmctl invoke --async` answers from the output object while
the success topic announces it, `llmctl batch --async` runs a file through the queue, `llmctl status` shows the
queue, and `destroy` removes it all."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from support.servers import free_port
from support.terraform import copy_terraform, llmctl

pytestmark = pytest.mark.integration


@pytest.fixture
def workspace(tmp_path: Path, tf_env: dict[str, str]) -> Iterator[tuple[Path, dict[str, str], str]]:
    copy_terraform(tmp_path)
    port, runtime_port = free_port(), free_port()
    env = {
        **tf_env,
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_REGION": "us-east-1",
        "LLM_LOCAL_RUNTIME_URL": f"http://127.0.0.1:{runtime_port}",
        "LLMCTL_ASYNC_POLL_S": "0.2",
    }
    ports = ["--port", str(port), "--runtime-port", str(runtime_port)]
    assert llmctl(["local", "up", *ports, "--tokens-per-s", "500"], tmp_path, env).returncode == 0
    try:
        yield tmp_path, env, f"http://127.0.0.1:{port}"
    finally:
        llmctl(["local", "down", *ports], tmp_path, env)


def _ok(result: Any) -> str:
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return str(result.stdout)


def _subscribe(url: str, topic: str) -> tuple[Any, str]:
    keys = {"region_name": "us-east-1", "aws_access_key_id": "local", "aws_secret_access_key": "local"}
    sqs = boto3.client("sqs", endpoint_url=url, **keys)
    queue = sqs.create_queue(QueueName="inference-done")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    boto3.client("sns", endpoint_url=url, **keys).subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    return sqs, queue


def _notification(sqs: Any, queue: str, inference_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        for message in sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
            "Messages", []
        ):
            note = json.loads(json.loads(message["Body"])["Message"])
            if note["inferenceId"] == inference_id:
                return dict(note)
    raise AssertionError(f"no notification for {inference_id}")


def test_local_env_deploys_an_async_endpoint_that_scales_to_zero(workspace: tuple[Path, dict[str, str], str]) -> None:
    cwd, env, url = workspace
    root = cwd / "terraform" / "envs" / "local"
    tfvars = str(root / "llm.auto.tfvars.json")
    render = ["render", "meta-llama/Llama-3.1-8B-Instruct", "-i", "ml.g5.2xlarge", "--async", "--format", "tfvars"]
    _ok(llmctl([*render, "--out", tfvars], cwd, env))
    assert json.loads(Path(tfvars).read_text())["async_inference"] == {"max_concurrent_invocations_per_instance": 3}
    # Terraform reads *.auto.tfvars in name order: this one overrides settings.auto.tfvars' bounds.
    (root / "zz-scale-to-zero.auto.tfvars").write_text("autoscaling = { min_capacity = 0, max_capacity = 2 }\n")

    plan = ["tf", "plan", "--env", "local", "--dir", str(root), "--aws-endpoint-url", url]
    reviewed = _ok(llmctl(plan, cwd, env))
    assert "asynchronous: 3 requests at once per instance" in reviewed
    assert "scales to zero when the queue is empty" in reviewed
    applied = _ok(llmctl(["tf", "apply", "--env", "local", "--dir", str(root), "--aws-endpoint-url", url], cwd, env))
    assert "llm-local: InService" in applied  # and the smoke check answered through S3

    topic = "arn:aws:sns:us-east-1:123456789012:llm-local-async-success"  # the stack's, named after the endpoint
    sqs, queue = _subscribe(url, topic)
    reply = json.loads(
        _ok(llmctl(["invoke", "--tf-dir", str(root), "--async", "--max-new-tokens", "5", "--json", "hi"], cwd, env))
    )
    assert reply["text"] == "t0 t1 t2 t3 t4 " and reply["async"] is True
    assert reply["output_location"].startswith("s3://llm-local-artifacts-123456789012/async/llm-local/output/")
    note = _notification(sqs, queue, reply["inference_id"])
    assert (
        note["invocationStatus"] == "Completed"
        and note["responseParameters"]["outputLocation"] == reply["output_location"]
    )

    prompts, answers = cwd / "prompts.jsonl", cwd / "answers.jsonl"
    prompts.write_text(
        "".join(json.dumps({"inputs": f"q{i}", "parameters": {"max_new_tokens": 3}}) + "\n" for i in range(12))
    )
    summary = json.loads(
        _ok(
            llmctl(["batch", str(prompts), "--out", str(answers), "--tf-dir", str(root), "--async", "--json"], cwd, env)
        )
    )
    assert summary["answered"] == 12 and summary["failed"] == 0
    assert {json.loads(line)["output"]["text"] for line in answers.read_text().splitlines()} == {"t0 t1 t2 "}

    status = json.loads(_ok(llmctl(["status", "-e", "llm-local", "--endpoint-url", url, "--json"], cwd, env)))
    assert status["async"]["max_concurrent_per_instance"] == 3 and status["async"]["scales_to_zero"] is True
    assert status["async"]["from_zero_alarm"] is not None, "the HasBacklogWithoutCapacity alarm exists"
    assert status["variants"][0]["min_capacity"] == 0

    keys = {"region_name": "us-east-1", "aws_access_key_id": "local", "aws_secret_access_key": "local"}
    alarms = boto3.client("cloudwatch", endpoint_url=url, **keys).describe_alarms(
        AlarmNames=["llm-local-async-from-zero"]
    )
    (alarm,) = alarms["MetricAlarms"]
    assert alarm["MetricName"] == "HasBacklogWithoutCapacity"
    assert alarm["Dimensions"] == [{"Name": "EndpointName", "Value": "llm-local"}]

    _ok(llmctl(["tf", "destroy", "--env", "local", "--dir", str(root), "--aws-endpoint-url", url], cwd, env))

"""Issues 19 and 20, the product path: `envs/local` as an asynchronous endpoint that scales to zero, serving
Mistral-7B through LMI's TensorRT-LLM engine (the article's deployment), driven as a user drives it. `llmctl render
--async` writes the tfvars, the plan review names the queue and the scale to zero, `llmctl tf apply` deploys it (its
smoke check goes through S3), `llmctl invoke --async` answers from the output object while the success topic
announces it, `llmctl batch --async` runs a file through the queue, `llmctl status` shows the queue, and `destroy`
removes it all."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from support.local_stack import local_env_workspace
from support.terraform import llmctl

pytestmark = pytest.mark.integration


@pytest.fixture
def workspace(tmp_path: Path, tf_env: dict[str, str]) -> Iterator[tuple[Path, dict[str, str], str]]:
    with local_env_workspace(tmp_path, tf_env, {"LLMCTL_ASYNC_POLL_S": "0.2"}) as workspace:
        yield workspace


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
    render = ["render", "mistralai/Mistral-7B-Instruct-v0.2", "-b", "trtllm", "-i", "ml.g5.12xlarge", "--async"]
    _ok(llmctl([*render, "--format", "tfvars", "--out", tfvars], cwd, env))
    rendered = json.loads(Path(tfvars).read_text())
    assert rendered["async_inference"] == {"max_concurrent_invocations_per_instance": 61}
    assert rendered["image_uri"].endswith("/djl-inference:0.33.0-tensorrtllm0.21.0-cu128")
    assert rendered["container_env"]["OPTION_ROLLING_BATCH"] == "trtllm"
    # Terraform reads *.auto.tfvars in name order: this one overrides settings.auto.tfvars' bounds.
    (root / "zz-scale-to-zero.auto.tfvars").write_text("autoscaling = { min_capacity = 0, max_capacity = 2 }\n")

    plan = ["tf", "plan", "--env", "local", "--dir", str(root), "--aws-endpoint-url", url]
    reviewed = _ok(llmctl(plan, cwd, env))
    assert "asynchronous: 61 requests at once per instance" in reviewed
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
    assert status["async"]["max_concurrent_per_instance"] == 61 and status["async"]["scales_to_zero"] is True
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

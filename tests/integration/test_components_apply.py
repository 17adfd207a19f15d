"""Issue 18, end to end with no AWS account: the inference-components module's example (two models on one endpoint)
applied by the real `terraform apply` to the local control plane, each component answering `llmctl invoke` by name
through the local runtime, copy autoscaling registered, the scale-to-zero wiring applied, and `destroy` leaving
nothing behind."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from click.testing import CliRunner
from llmctl.cli import cli
from support.servers import free_port, python_module, wait_http
from support.terraform import copy_terraform, run_terraform

pytestmark = pytest.mark.integration

EXAMPLE = Path("modules") / "inference-components" / "examples" / "local"
KEYS = {"region_name": "us-east-1", "aws_access_key_id": "local", "aws_secret_access_key": "local"}


@pytest.fixture(scope="module")
def local_aws() -> Iterator[dict[str, str]]:
    moto_port, runtime_port = free_port(), free_port()
    moto = python_module("llmctl.local_aws.server", "--port", str(moto_port))
    aws = f"http://127.0.0.1:{moto_port}"
    runtime = python_module(
        "llmctl.local_aws.runtime", "--port", str(runtime_port), "--aws-url", aws, "--first-token-ms", "5"
    )
    try:
        wait_http(f"{aws}/moto-api/data.json")
        wait_http(f"http://127.0.0.1:{runtime_port}/ping")
        yield {"aws": aws, "runtime": f"http://127.0.0.1:{runtime_port}"}
    finally:
        for process in (runtime, moto):
            process.terminate()
            process.wait(10)


@pytest.fixture(scope="module")
def applied(
    local_aws: dict[str, str], tmp_path_factory: pytest.TempPathFactory, tf_env: dict[str, str]
) -> Iterator[dict[str, Any]]:
    root = copy_terraform(tmp_path_factory.mktemp("components-apply")) / EXAMPLE
    variables = ["-var", f"aws_endpoint_url={local_aws['aws']}"]
    assert run_terraform(["init", "-input=false"], root, tf_env).returncode == 0
    result = run_terraform(["apply", "-auto-approve", "-input=false", *variables], root, tf_env)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    outputs = json.loads(run_terraform(["output", "-json"], root, tf_env).stdout)
    yield {"root": root, "variables": variables, "outputs": {k: v["value"] for k, v in outputs.items()}}


def _invoke(local_aws: dict[str, str], *target: str) -> Any:
    args = ["invoke", *target, "--endpoint-url", local_aws["runtime"], "--region", "us-east-1"]
    runner = CliRunner(env={"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"})
    return runner.invoke(cli, [*args, "--max-new-tokens", "8", "--no-stream", "--json", "Hello"])


def test_terraform_deploys_two_components_that_answer_by_name(
    applied: dict[str, Any], local_aws: dict[str, str]
) -> None:
    outputs = applied["outputs"]
    assert outputs["inference_component_names"] == {"chat": "llm-local-chat", "small": "llm-local-small"}
    sagemaker = boto3.client("sagemaker", endpoint_url=local_aws["aws"], **KEYS)
    listed = sagemaker.list_inference_components(EndpointNameEquals=outputs["endpoint_name"])["InferenceComponents"]
    assert sorted(c["InferenceComponentName"] for c in listed) == ["llm-local-chat", "llm-local-small"]
    chat = sagemaker.describe_inference_component(InferenceComponentName="llm-local-chat")
    assert chat["RuntimeConfig"]["CurrentCopyCount"] == 2
    assert chat["Specification"]["ComputeResourceRequirements"]["NumberOfAcceleratorDevicesRequired"] == 1
    for component in outputs["inference_component_names"].values():
        result = _invoke(local_aws, "-e", outputs["endpoint_name"], "--inference-component", component)
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["text"]


def test_make_invoke_picks_the_component_from_terraform_outputs(
    applied: dict[str, Any], local_aws: dict[str, str]
) -> None:
    """`make invoke` passes --tf-dir: the root's first component by name, or IC= by its short name (which component
    each resolves to: tests/unit/test_endpoint_ref.py)."""
    first = _invoke(local_aws, "--tf-dir", str(applied["root"]))
    assert first.exit_code == 0, first.output
    small = _invoke(local_aws, "--tf-dir", str(applied["root"]), "--inference-component", "small")
    assert small.exit_code == 0, small.output
    unknown = _invoke(local_aws, "--tf-dir", str(applied["root"]), "--inference-component", "nope")
    assert unknown.exit_code == 2 and "deploys no component named nope" in unknown.output


def test_status_lists_components_with_their_copies(applied: dict[str, Any], local_aws: dict[str, str]) -> None:
    runner = CliRunner(env={"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"})
    args = ["status", "-e", "llm-local", "--endpoint-url", local_aws["aws"], "--region", "us-east-1", "--json"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    status = json.loads(result.stdout)
    components = {c["name"]: c for c in status["inference_components"]}
    assert (components["llm-local-chat"]["current_copies"], components["llm-local-chat"]["desired_copies"]) == (2, 2)
    assert (components["llm-local-chat"]["min_copies"], components["llm-local-chat"]["max_copies"]) == (1, 3)
    assert (status["variants"][0]["min_capacity"], status["variants"][0]["max_capacity"]) == (1, 2), "managed scaling"
    table = runner.invoke(cli, args[:-1])
    assert "inference components" in table.output and "llm-local-small" in table.output


def test_copies_are_autoscaled(applied: dict[str, Any], local_aws: dict[str, str]) -> None:
    """(Scaling to zero through the stack, with its alarms and step policies: test_local_env_components.)"""
    scaling = boto3.client("application-autoscaling", endpoint_url=local_aws["aws"], **KEYS)
    targets = scaling.describe_scalable_targets(ServiceNamespace="sagemaker")["ScalableTargets"]
    copies = {t["ResourceId"]: t for t in targets if t["ScalableDimension"].endswith("DesiredCopyCount")}
    assert copies["inference-component/llm-local-chat"]["MinCapacity"] == 1
    assert copies["inference-component/llm-local-chat"]["MaxCapacity"] == 3
    policies = scaling.describe_scaling_policies(ServiceNamespace="sagemaker")["ScalingPolicies"]
    tracking = {p["PolicyName"]: p for p in policies if p["PolicyType"] == "TargetTrackingScaling"}
    metric = tracking["llm-local-chat-concurrency"]["TargetTrackingScalingPolicyConfiguration"]
    assert metric["PredefinedMetricSpecification"]["PredefinedMetricType"] == (
        "SageMakerInferenceComponentConcurrentRequestsPerCopyHighResolution"
    )


def test_destroy_removes_the_endpoint_and_its_components(
    applied: dict[str, Any], local_aws: dict[str, str], tf_env: dict[str, str]
) -> None:
    result = run_terraform(["destroy", "-auto-approve", "-input=false", *applied["variables"]], applied["root"], tf_env)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    sagemaker = boto3.client("sagemaker", endpoint_url=local_aws["aws"], **KEYS)
    assert sagemaker.list_inference_components()["InferenceComponents"] == []
    assert sagemaker.list_endpoints()["Endpoints"] == []

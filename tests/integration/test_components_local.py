"""Issue 18, locally: an inference-component endpoint made by a CloudFormation stack in the local control plane (the
route the Terraform mode takes), two components on one endpoint answering `llmctl invoke` by name from their own
emulated containers, SageMaker's errors for a missing or unknown component name, and scale to zero: a component at
zero copies answers SageMaker's no-capacity error, and a waiting `llmctl invoke` succeeds once a copy is back."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from click.testing import CliRunner
from llmctl.cli import cli
from support.servers import free_port, python_module, wait_http

pytestmark = pytest.mark.integration

REGISTRY = "763104351884.dkr.ecr.us-east-1.amazonaws.com"
TGI_IMAGE = f"{REGISTRY}/huggingface-pytorch-tgi-inference:2.7.0-tgi3.3.6-gpu-py311-cu124-ubuntu22.04"
VLLM_IMAGE = f"{REGISTRY}/huggingface-vllm-inference:0.29.0-gpu-py312-cu129-ubuntu22.04"
ROLE = "arn:aws:iam::123456789012:role/llm-local-sagemaker-execution"
ENDPOINT = "llm-local"


def _component(name: str, model: str, gpus: int, copies: int) -> dict[str, Any]:
    return {
        "Type": "AWS::SageMaker::InferenceComponent",
        "Properties": {
            "InferenceComponentName": name,
            "EndpointName": {"Fn::GetAtt": ["Endpoint", "EndpointName"]},
            "VariantName": "AllTraffic",
            "Specification": {
                "ModelName": model,
                "ComputeResourceRequirements": {
                    "NumberOfAcceleratorDevicesRequired": gpus,
                    "NumberOfCpuCoresRequired": 11,
                    "MinMemoryRequiredInMb": 17408,
                },
            },
            "RuntimeConfig": {"CopyCount": copies},
        },
    }


TEMPLATE = {
    "Resources": {
        "EndpointConfig": {
            "Type": "AWS::SageMaker::EndpointConfig",
            "Properties": {
                "ExecutionRoleArn": ROLE,
                "ProductionVariants": [
                    {
                        "VariantName": "AllTraffic",
                        "InstanceType": "ml.g5.12xlarge",
                        "InitialInstanceCount": 1,
                        "ManagedInstanceScaling": {"Status": "ENABLED", "MinInstanceCount": 0, "MaxInstanceCount": 2},
                        "RoutingConfig": {"RoutingStrategy": "LEAST_OUTSTANDING_REQUESTS"},
                    }
                ],
            },
        },
        "Endpoint": {
            "Type": "AWS::SageMaker::Endpoint",
            "Properties": {
                "EndpointName": ENDPOINT,
                "EndpointConfigName": {"Fn::GetAtt": ["EndpointConfig", "EndpointConfigName"]},
            },
        },
        "Chat": _component("llm-local-chat", "llm-local-chat-model", 1, 2),
        "Small": _component("llm-local-small", "llm-local-small-model", 1, 1),
    }
}


@pytest.fixture(scope="module")
def stack() -> Iterator[dict[str, Any]]:
    moto_port, runtime_port = free_port(), free_port()
    moto = python_module("llmctl.local_aws.server", "--port", str(moto_port))
    aws = f"http://127.0.0.1:{moto_port}"
    wait_http(f"{aws}/moto-api/data.json")
    keys = {"region_name": "us-east-1", "aws_access_key_id": "local", "aws_secret_access_key": "local"}
    sagemaker = boto3.client("sagemaker", endpoint_url=aws, **keys)
    for model, image, hub_id in (
        ("llm-local-chat-model", TGI_IMAGE, "meta-llama/Llama-3.1-8B-Instruct"),
        ("llm-local-small-model", VLLM_IMAGE, "meta-llama/Llama-3.2-1B-Instruct"),
    ):
        sagemaker.create_model(
            ModelName=model,
            ExecutionRoleArn=ROLE,
            PrimaryContainer={"Image": image, "Environment": {"HF_MODEL_ID": hub_id}},
        )
    cloudformation = boto3.client("cloudformation", endpoint_url=aws, **keys)
    cloudformation.create_stack(StackName="llm-local-components", TemplateBody=json.dumps(TEMPLATE))
    runtime_url = f"http://127.0.0.1:{runtime_port}"
    runtime = python_module(
        "llmctl.local_aws.runtime", "--port", str(runtime_port), "--aws-url", aws, "--first-token-ms", "5"
    )
    try:
        wait_http(f"{runtime_url}/ping")
        yield {"runtime": runtime_url, "sagemaker": sagemaker, "cloudformation": cloudformation}
    finally:
        for process in (runtime, moto):
            process.terminate()
            process.wait(10)


def _invoke(stack: dict[str, Any], *args: str, env: dict[str, str] | None = None) -> Any:
    base = ["invoke", "-e", ENDPOINT, "--endpoint-url", stack["runtime"], "--region", "us-east-1"]
    return CliRunner(env={"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local", **(env or {})}).invoke(
        cli, [*base, "--max-new-tokens", "8", *args, "Say hello."]
    )


def test_the_stack_makes_a_component_endpoint_with_two_components(stack: dict[str, Any]) -> None:
    described = stack["cloudformation"].describe_stacks(StackName="llm-local-components")["Stacks"][0]
    assert described["StackStatus"] == "CREATE_COMPLETE"
    config_name = stack["sagemaker"].describe_endpoint(EndpointName=ENDPOINT)["EndpointConfigName"]
    config = stack["sagemaker"].describe_endpoint_config(EndpointConfigName=config_name)
    assert config["ExecutionRoleArn"] == ROLE and "ModelName" not in config["ProductionVariants"][0]
    assert config["ProductionVariants"][0]["ManagedInstanceScaling"]["MinInstanceCount"] == 0
    listed = stack["sagemaker"].list_inference_components(EndpointNameEquals=ENDPOINT)["InferenceComponents"]
    assert sorted(c["InferenceComponentName"] for c in listed) == ["llm-local-chat", "llm-local-small"]


def test_each_component_answers_by_name_from_its_own_container(stack: dict[str, Any]) -> None:
    for component in ("llm-local-chat", "llm-local-small"):
        result = _invoke(stack, "--inference-component", component, "--no-stream")
        assert result.exit_code == 0, result.output
        assert result.stdout.strip()
    with urllib.request.urlopen(f"{stack['runtime']}/local/containers") as reply:
        placements = {p["inference_component"]: p for p in json.load(reply)}
    assert placements["llm-local-chat"]["model"] == "llm-local-chat-model"
    assert placements["llm-local-small"]["model"] == "llm-local-small-model"
    assert placements["llm-local-chat"]["url"] != placements["llm-local-small"]["url"]


def test_a_missing_or_unknown_component_name_gets_sagemakers_error(stack: dict[str, Any]) -> None:
    missing = _invoke(stack)
    assert missing.exit_code == 2
    assert "Inference Component Name header is required" in missing.output
    unknown = _invoke(stack, "--inference-component", "llm-local-nope")
    assert unknown.exit_code == 3 and "llm-local-nope was not found" in unknown.output


def test_a_component_at_zero_copies_has_no_capacity_until_a_copy_is_back(stack: dict[str, Any]) -> None:
    sagemaker = stack["sagemaker"]
    sagemaker.update_inference_component_runtime_config(
        InferenceComponentName="llm-local-small", DesiredRuntimeConfig={"CopyCount": 0}
    )
    refused = _invoke(stack, "--inference-component", "llm-local-small", "--wait-for-capacity", "0")
    assert refused.exit_code == 3
    assert "Inference Component has no capacity to process this request" in refused.output

    def first_copy_back() -> None:
        time.sleep(1.5)  # on AWS: minutes, while the NoCapacityInvocationFailures alarm's step policy adds a copy
        sagemaker.update_inference_component_runtime_config(
            InferenceComponentName="llm-local-small", DesiredRuntimeConfig={"CopyCount": 1}
        )

    scaler = threading.Thread(target=first_copy_back)
    scaler.start()
    waited = _invoke(stack, "--inference-component", "llm-local-small", env={"LLMCTL_CAPACITY_POLL_S": "0.5"})
    scaler.join()
    assert waited.exit_code == 0, waited.output
    assert "waiting for capacity: llm-local-small has no copies running" in waited.stderr
    assert waited.stdout.strip()

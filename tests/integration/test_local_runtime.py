"""The local SageMaker runtime (`python -m llmctl.local_aws.runtime`) in front of endpoints held by a moto control
plane: botocore's real parsers on every reply, llmctl and the service as clients, and the error paths SageMaker has
(unknown endpoint, input over the container's limit, a container that dies mid-stream or never answers)."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from click.testing import CliRunner
from llmctl.cli import cli
from support.log_canary import PROMPT_CANARY
from support.servers import free_port, python_module, wait_http

pytestmark = pytest.mark.integration

REGISTRY = "763104351884.dkr.ecr.us-east-1.amazonaws.com"
TGI_IMAGE = f"{REGISTRY}/huggingface-pytorch-tgi-inference:2.7.0-tgi3.3.6-gpu-py311-cu124-ubuntu22.04"
LMI_IMAGE = f"{REGISTRY}/djl-inference:0.33.0-lmi15.0.0-cu128"
TRT_IMAGE = f"{REGISTRY}/djl-inference:0.33.0-tensorrtllm0.21.0-cu128"
VLLM_IMAGE = f"{REGISTRY}/huggingface-vllm-inference:0.29.0-gpu-py312-cu129-ubuntu22.04"
ENDPOINTS = {
    "tgi-ep": (
        TGI_IMAGE,
        {"HF_MODEL_ID": "meta-llama/Llama-3.1-8B-Instruct", "MAX_INPUT_TOKENS": "100", "MAX_TOTAL_TOKENS": "200"},
    ),
    "lmi-ep": (LMI_IMAGE, {"HF_MODEL_ID": "Qwen/Qwen2.5-7B-Instruct", "OPTION_MAX_MODEL_LEN": "200"}),
    # Issue 20: LMI's TensorRT-LLM image, limits from the compiled engine's build options.
    "trt-ep": (
        TRT_IMAGE,
        {
            "HF_MODEL_ID": "mistralai/Mistral-7B-Instruct-v0.2",
            "OPTION_ROLLING_BATCH": "trtllm",
            "OPTION_MAX_INPUT_LEN": "100",
            "OPTION_MAX_SEQ_LEN": "200",
        },
    ),
    "vllm-ep": (VLLM_IMAGE, {"HF_MODEL_ID": "mistralai/Mistral-7B-Instruct-v0.3", "SM_VLLM_MAX_MODEL_LEN": "200"}),
    "real-ep": (TGI_IMAGE, {"HF_MODEL_ID": "meta-llama/Llama-3.2-1B-Instruct"}),
}


@pytest.fixture(scope="module")
def local_stack() -> Iterator[dict[str, str]]:
    """A private control plane (the patched moto of `make up`) with four endpoints, a second process speaking TGI's
    HTTP API (the "real" container), and the runtime with a 2 s invocation timeout."""
    moto_port, runtime_port, container_port = free_port(), free_port(), free_port()
    moto = python_module("llmctl.local_aws.server", "--port", str(moto_port))
    aws = f"http://127.0.0.1:{moto_port}"
    wait_http(f"{aws}/moto-api/data.json")
    sagemaker = boto3.client("sagemaker", endpoint_url=aws, region_name="us-east-1")
    for name, (image, env) in ENDPOINTS.items():
        sagemaker.create_model(
            ModelName=f"{name}-model",
            ExecutionRoleArn="arn:aws:iam::123456789012:role/x",
            PrimaryContainer={"Image": image, "Environment": env},
        )
        variant = {
            "VariantName": "AllTraffic",
            "ModelName": f"{name}-model",
            "InitialInstanceCount": 1,
            "InstanceType": "ml.g5.2xlarge",
        }
        sagemaker.create_endpoint_config(EndpointConfigName=f"{name}-config", ProductionVariants=[variant])
        sagemaker.create_endpoint(EndpointName=name, EndpointConfigName=f"{name}-config")
    container_url = f"http://127.0.0.1:{container_port}"
    runtime_url = f"http://127.0.0.1:{runtime_port}"
    processes = [
        python_module("llmctl.local_aws.container", "--port", str(container_port), "--tokens-per-s", "500"),
        python_module(
            "llmctl.local_aws.runtime",
            "--port",
            str(runtime_port),
            "--aws-url",
            aws,
            "--invocation-timeout",
            "2",
            "--tokens-per-s",
            "500",
            "--first-token-ms",
            "5",
            "--container-url",
            f"real-ep={container_url}",
        ),
    ]
    try:
        wait_http(f"{container_url}/ping")
        wait_http(f"{runtime_url}/ping")
        yield {"runtime": runtime_url, "container": container_url, "aws": aws}
    finally:
        for process in [*processes, moto]:
            process.terminate()
            process.wait(10)


def _invoke(stack: dict[str, str], *args: str) -> Any:
    return CliRunner().invoke(cli, ["invoke", "--endpoint-url", stack["runtime"], "--region", "us-east-1", *args])


def _runtime(stack: dict[str, str]) -> Any:
    return boto3.client("sagemaker-runtime", endpoint_url=stack["runtime"], region_name="us-east-1")


@pytest.mark.parametrize(
    ("endpoint", "args"),
    [
        ("tgi-ep", ["--format", "tgi"]),
        ("tgi-ep", ["--format", "tgi", "--no-stream"]),
        ("tgi-ep", ["--format", "chat"]),
        ("tgi-ep", ["--format", "chat", "--no-stream"]),
        ("lmi-ep", ["--format", "tgi"]),
        ("lmi-ep", ["--format", "tgi", "--no-stream"]),
        ("lmi-ep", ["--format", "chat"]),
        ("trt-ep", ["--format", "tgi"]),
        ("trt-ep", ["--format", "tgi", "--no-stream"]),
        ("vllm-ep", ["--format", "chat"]),
        ("vllm-ep", ["--format", "chat", "--no-stream"]),
    ],
)
def test_every_container_format_answers_llmctl(local_stack, endpoint: str, args: list[str]) -> None:
    result = _invoke(local_stack, "-e", endpoint, "--max-new-tokens", "6", "--json", *args, PROMPT_CANARY)
    assert result.exit_code == 0, result.output
    reply = json.loads(result.output)
    assert reply["text"] == "t0 t1 t2 t3 t4 t5 " and reply["output_tokens"] == 6


def test_replies_say_they_come_from_an_emulator(local_stack) -> None:
    body = {"messages": [{"role": "user", "content": PROMPT_CANARY}], "max_tokens": 2}
    reply = _runtime(local_stack).invoke_endpoint(
        EndpointName="tgi-ep", Body=json.dumps(body), ContentType="application/json"
    )
    assert json.loads(reply["Body"].read())["model"] == "emulator/meta-llama/Llama-3.1-8B-Instruct"
    assert reply["InvokedProductionVariant"] == "AllTraffic"


def test_unknown_endpoint_is_a_validation_error(local_stack) -> None:
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError) as info:
        _runtime(local_stack).invoke_endpoint(EndpointName="nope", Body=b"{}", ContentType="application/json")
    assert info.value.response["Error"]["Code"] == "ValidationError"
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    result = _invoke(local_stack, "-e", "nope", "hi")
    assert result.exit_code == 3 and "not found" in result.output


def test_input_over_the_limit_is_the_containers_error_as_a_model_error(local_stack) -> None:
    from botocore.exceptions import ClientError

    long_prompt = "word " * 150
    body = {"inputs": long_prompt, "parameters": {"max_new_tokens": 5}}
    with pytest.raises(ClientError) as info:
        _runtime(local_stack).invoke_endpoint(EndpointName="tgi-ep", Body=json.dumps(body))
    error = info.value.response
    assert error["Error"]["Code"] == "ModelError" and error["ResponseMetadata"]["HTTPStatusCode"] == 424
    assert error["OriginalStatusCode"] == 422
    assert "`inputs` must have less than 100 tokens. Given: 150" in error["OriginalMessage"]
    assert error["LogStreamArn"].endswith("/aws/sagemaker/Endpoints/tgi-ep")
    trt = _invoke(local_stack, "-e", "trt-ep", "--format", "tgi", "--max-new-tokens", "5", long_prompt)
    assert trt.exit_code == 4, trt.output  # the compiled engine's OPTION_MAX_INPUT_LEN
    vllm = _invoke(local_stack, "-e", "vllm-ep", "--max-new-tokens", "100", long_prompt)
    assert vllm.exit_code == 4, vllm.output  # the model's own validation (README: exit codes)
    assert vllm.output.startswith("error: vllm-ep: This model's maximum context length is 200 tokens.")


def test_a_container_dying_mid_stream_is_a_model_stream_error(local_stack) -> None:
    result = _invoke(local_stack, "-e", "tgi-ep", "--format", "tgi", "--max-new-tokens", "10", "DIE_MIDSTREAM")
    assert result.exit_code == 4, result.output
    assert "ModelStreamError" in result.output and "reset or closed" in result.output


@pytest.mark.parametrize("stream", [True, False])
def test_a_container_that_never_answers_hits_the_runtime_timeout(local_stack, stream: bool) -> None:
    started = time.monotonic()
    result = _invoke(
        local_stack, "-e", "tgi-ep", "--stream" if stream else "--no-stream", "--max-new-tokens", "10", "HANG"
    )
    assert result.exit_code == 4, result.output
    assert "timed out while waiting for a response from container" in result.output
    assert 1.5 < time.monotonic() - started < 10


def test_a_real_container_url_is_fronted_instead_of_the_emulator(local_stack) -> None:
    def stats() -> dict[str, int]:
        with urllib.request.urlopen(local_stack["container"] + "/stats") as response:
            return dict(json.loads(response.read()))

    before = stats()
    result = _invoke(local_stack, "-e", "real-ep", "--format", "tgi", "--max-new-tokens", "4", PROMPT_CANARY)
    assert result.exit_code == 0, result.output
    assert stats()["completed"] == before["completed"] + 1
    with urllib.request.urlopen(local_stack["runtime"] + "/local/containers") as response:
        placements = {p["endpoint"]: p for p in json.loads(response.read())}
    assert placements["real-ep"]["url"] == local_stack["container"]
    assert placements["tgi-ep"]["container"] == "emulated tgi container"


def test_the_service_and_the_openai_package_through_the_runtime(local_stack) -> None:
    from llm_service.app import create_app
    from llm_service.settings import ServiceSettings
    from openai import OpenAI
    from support.servers import ServiceThread

    settings = ServiceSettings(
        endpoint_name="vllm-ep", aws_endpoint_url=local_stack["runtime"], region="us-east-1", api_keys="k"
    )
    service = ServiceThread(create_app(settings))
    client = OpenAI(base_url=f"{service.start()}/v1", api_key="k")
    try:
        messages: Any = [{"role": "user", "content": PROMPT_CANARY}]
        reply = client.chat.completions.create(model="vllm-ep", messages=messages, max_tokens=3)
        assert reply.choices[0].message.content == "t0 t1 t2 "
        stream = client.chat.completions.create(model="vllm-ep", messages=messages, max_tokens=4, stream=True)
        assert "".join(c.choices[0].delta.content or "" for c in stream if c.choices) == "t0 t1 t2 t3 "
    finally:
        service.stop()


def test_a_runtime_without_its_control_plane_says_so() -> None:
    runtime_port = free_port()
    runtime = python_module(
        "llmctl.local_aws.runtime", "--port", str(runtime_port), "--aws-url", f"http://127.0.0.1:{free_port()}"
    )
    try:
        wait_http(f"http://127.0.0.1:{runtime_port}/ping")
        stack = {"runtime": f"http://127.0.0.1:{runtime_port}"}
        result = _invoke(stack, "-e", "tgi-ep", "--no-stream", "hi")
        assert result.exit_code == 5, result.output
        assert "InternalFailure" in result.output and "start it with `make up`" in result.output
    finally:
        runtime.terminate()
        runtime.wait(10)


@pytest.mark.parametrize(
    ("fault", "code"), [("DIE_MIDSTREAM", "StreamBroken"), ("STALL_MIDSTREAM", "ModelInvocationTimeExceeded")]
)
def test_mid_stream_failures_carry_sagemakers_error_codes(local_stack, fault: str, code: str) -> None:
    """README (local runtime table): a container that dies or stalls mid-stream ends the stream with a
    ModelStreamError event whose ErrorCode is SageMaker's own. Decoded with botocore's event-stream decoder: botocore's
    parser keeps only Code and Message of an exception event, so boto3 callers never see ErrorCode."""
    import httpx
    from botocore.eventstream import EventStreamBuffer

    body = {"inputs": fault, "parameters": {"max_new_tokens": 10}, "stream": True}
    url = f"{local_stack['runtime']}/endpoints/tgi-ep/invocations-response-stream"
    response = httpx.post(url, json=body, timeout=30)
    buffer = EventStreamBuffer()
    buffer.add_data(response.content)
    messages = list(buffer)
    payload = b"".join(m.payload for m in messages if m.headers.get(":event-type") == "PayloadPart")
    assert b"t0" in payload and b"t1" in payload, "the tokens before the failure arrived"
    last = messages[-1]
    assert (last.headers[":message-type"], last.headers[":exception-type"]) == ("exception", "ModelStreamError")
    assert json.loads(last.payload)["ErrorCode"] == code


def test_the_control_plane_refuses_a_name_collision_as_aws_does(local_stack) -> None:
    """README (moto gaps): moto silently overwrote an existing model or endpoint; the patched server refuses."""
    from botocore.exceptions import ClientError

    sagemaker = boto3.client("sagemaker", endpoint_url=local_stack["aws"], region_name="us-east-1")
    with pytest.raises(ClientError, match="Cannot create already existing model"):
        sagemaker.create_model(
            ModelName="tgi-ep-model",
            ExecutionRoleArn="arn:aws:iam::123456789012:role/x",
            PrimaryContainer={"Image": TGI_IMAGE},
        )
    with pytest.raises(ClientError, match="Cannot create already existing endpoint"):
        sagemaker.create_endpoint(EndpointName="tgi-ep", EndpointConfigName="lmi-ep-config")
    described = sagemaker.describe_endpoint(EndpointName="tgi-ep")
    assert described["EndpointConfigName"] == "tgi-ep-config", "the first endpoint is untouched"


def test_local_containers_lists_where_each_endpoint_answers(local_stack) -> None:
    """`llmctl local containers --json`: every endpoint, its model, and the container behind it."""
    for endpoint in ENDPOINTS:  # a container is placed at an endpoint's first invocation
        assert _invoke(local_stack, "-e", endpoint, "--no-stream", "--max-new-tokens", "1", "hi").exit_code == 0
    port = local_stack["runtime"].rsplit(":", 1)[1]
    moto_port = local_stack["aws"].rsplit(":", 1)[1]
    result = CliRunner().invoke(cli, ["local", "containers", "--port", moto_port, "--runtime-port", port, "--json"])
    assert result.exit_code == 0, result.output
    placements = {p["endpoint"]: p for p in json.loads(result.output)}
    assert set(placements) >= set(ENDPOINTS)
    assert placements["real-ep"]["url"] == local_stack["container"]
    assert placements["lmi-ep"]["container"] == "emulated lmi container"
    assert placements["vllm-ep"]["model"] == "vllm-ep-model"

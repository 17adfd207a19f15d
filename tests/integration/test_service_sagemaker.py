"""The service with its SageMaker upstream, against the local runtime stand-in (botocore's real parser)."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from httpx_sse import connect_sse
from llm_service.app import create_app
from llm_service.settings import ServiceSettings
from support.log_canary import PROMPT_CANARY
from support.runtime_stub import ErrorReply, StreamReply, sse_tokens
from support.servers import ServiceThread

pytestmark = pytest.mark.integration
AUTH = {"Authorization": "Bearer k"}


@pytest.fixture
def service(stub_runtime):  # type: ignore[no-untyped-def]
    settings = ServiceSettings(
        upstream="sagemaker",
        endpoint_name="llama-dev",
        region="us-east-1",
        aws_endpoint_url=stub_runtime.url,
        api_keys="k",
        aws_max_connections=8,
    )
    svc = ServiceThread(create_app(settings))
    svc.start()
    yield svc.url
    svc.stop()


def test_chat_stream_through_sagemaker(stub_runtime, service) -> None:
    whole = sse_tokens(["Grüße", " aus", " 東京"], "chat")
    stub_runtime.replies.append(StreamReply([whole[i : i + 7] for i in range(0, len(whole), 7)]))
    body = {"messages": [{"role": "user", "content": PROMPT_CANARY}], "max_tokens": 8, "stream": True}
    with (
        httpx.Client() as client,
        connect_sse(client, "POST", f"{service}/v1/chat/completions", json=body, headers=AUTH) as sse,
    ):
        data = [e.data for e in sse.iter_sse()]
    text = "".join(json.loads(d)["choices"][0]["delta"].get("content") or "" for d in data[:-1])
    assert text == "Grüße aus 東京" and data[-1] == "[DONE]"
    assert stub_runtime.requests[-1]["path"] == "/endpoints/llama-dev/invocations-response-stream"


def test_model_validation_error_through_sagemaker_is_400(stub_runtime, service) -> None:
    stub_runtime.replies.append(
        ErrorReply(424, "ModelError", "x", {"OriginalStatusCode": 422, "OriginalMessage": "Input validation error: x"})
    )
    response = httpx.post(f"{service}/generate", json={"inputs": PROMPT_CANARY}, headers=AUTH)
    assert response.status_code == 400 and response.json()["error"] == "Input validation error: x"


def test_disconnect_closes_the_sagemaker_stream(stub_runtime, service) -> None:
    stub_runtime.replies.append(StreamReply([sse_tokens([f"t{i}"], "tgi") for i in range(500)], delay_s=0.01))
    body = {"inputs": PROMPT_CANARY, "parameters": {"max_new_tokens": 500}}
    with (
        httpx.Client() as client,
        connect_sse(client, "POST", f"{service}/generate_stream", json=body, headers=AUTH) as sse,
    ):
        events = sse.iter_sse()
        assert json.loads(next(events).data)["token"]["text"] == "t0"
    deadline = time.monotonic() + 5
    while stub_runtime.closed_streams == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert stub_runtime.closed_streams == 1


async def collect(upstream, request):  # type: ignore[no-untyped-def]
    return [chunk.text async for chunk in upstream.stream(request, "tgi")]


def make_upstream(stub_runtime):  # type: ignore[no-untyped-def]
    from llm_service.client import AwsSettings, Target
    from llm_service.upstream import SageMakerUpstream

    settings = AwsSettings(region="us-east-1", endpoint_url=stub_runtime.url, read_timeout_s=5)
    return SageMakerUpstream(Target("ep"), settings, retry_max_wait_s=0.01)


async def test_async_upstream_retries_model_not_ready_then_streams(stub_runtime) -> None:
    from llm_service.client import GenerationRequest

    stub_runtime.replies.append(ErrorReply(429, "ModelNotReadyException", "loading"))
    upstream = make_upstream(stub_runtime)
    try:
        texts = await collect(upstream, GenerationRequest.from_prompt(PROMPT_CANARY, max_new_tokens=8))
    finally:
        await upstream.aclose()
    assert "".join(texts).startswith("tok0") and len(stub_runtime.requests) == 2


async def test_async_upstream_never_resends_after_output(stub_runtime) -> None:
    from llm_service.client import GenerationRequest, StreamError

    stub_runtime.replies.append(StreamReply([sse_tokens(["first"], "tgi")], error=("InternalStreamFailure", "lost")))
    upstream = make_upstream(stub_runtime)
    seen: list[str] = []
    try:
        with pytest.raises(StreamError) as info:
            async for chunk in upstream.stream(GenerationRequest.from_prompt(PROMPT_CANARY), "tgi"):
                seen.append(chunk.text)
    finally:
        await upstream.aclose()
    assert seen == ["first"] and info.value.after_output and len(stub_runtime.requests) == 1


async def test_async_upstream_ready_reads_endpoint_status(moto_url) -> None:
    import boto3
    from llm_service.client import AwsSettings, Target
    from llm_service.upstream import SageMakerUpstream

    sm = boto3.client("sagemaker", endpoint_url=moto_url, region_name="us-east-1")
    sm.create_model(
        ModelName="m",
        ExecutionRoleArn="arn:aws:iam::123456789012:role/sm",
        PrimaryContainer={"Image": "763104351884.dkr.ecr.us-east-1.amazonaws.com/x:1"},
    )
    variant = {
        "VariantName": "AllTraffic",
        "ModelName": "m",
        "InstanceType": "ml.g4dn.xlarge",
        "InitialInstanceCount": 1,
    }
    sm.create_endpoint_config(EndpointConfigName="c", ProductionVariants=[variant])
    sm.create_endpoint(EndpointName="ready-ep", EndpointConfigName="c")
    settings = AwsSettings(region="us-east-1", endpoint_url=moto_url)
    present, missing = SageMakerUpstream(Target("ready-ep"), settings), SageMakerUpstream(Target("ghost"), settings)
    try:
        assert await present.ready() == (True, "InService")
        assert (await missing.ready())[0] is False
    finally:
        await present.aclose()
        await missing.aclose()


def test_one_service_in_front_of_several_deployments(stub_runtime, monkeypatch) -> None:
    """LLM_SERVICE_MODELS maps model names to endpoints and inference components; /v1/models lists them."""
    monkeypatch.setenv(
        "LLM_SERVICE_MODELS",
        json.dumps(
            {
                "llama-8b": {"endpoint_name": "llama-dev"},
                "qwen-7b": {"endpoint_name": "shared-gpu", "inference_component": "qwen-ic"},
            }
        ),
    )
    settings = ServiceSettings(region="us-east-1", aws_endpoint_url=stub_runtime.url, api_keys="k")
    svc = ServiceThread(create_app(settings))
    svc.start()
    try:
        listed = httpx.get(f"{svc.url}/v1/models", headers=AUTH).json()
        assert [m["id"] for m in listed["data"]] == ["llama-8b", "qwen-7b"]
        sent = []
        for model in ("qwen-7b", "llama-8b", None):
            body = {"messages": [{"role": "user", "content": PROMPT_CANARY}], "max_tokens": 4}
            if model:
                body["model"] = model
            response = httpx.post(f"{svc.url}/v1/chat/completions", json=body, headers=AUTH)
            assert response.status_code == 200 and response.json()["model"] == (model or "llama-8b")
            request = stub_runtime.requests[-1]
            sent.append((request["path"], request["headers"].get("X-Amzn-SageMaker-Inference-Component")))
        assert sent == [
            ("/endpoints/shared-gpu/invocations", "qwen-ic"),
            ("/endpoints/llama-dev/invocations", None),
            ("/endpoints/llama-dev/invocations", None),
        ]
        unknown = httpx.post(
            f"{svc.url}/v1/chat/completions",
            json={"model": "gpt-nonexistent-9", "messages": [{"role": "user", "content": PROMPT_CANARY}]},
            headers=AUTH,
        )
        assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "model_not_found"
        assert "`llama-8b`, `qwen-7b`" in unknown.json()["error"]["message"]
    finally:
        svc.stop()


def test_models_and_a_single_endpoint_together_are_refused() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="not both"):
        ServiceSettings(endpoint_name="a", models={"x": {"endpoint_name": "b"}}, api_keys="k")

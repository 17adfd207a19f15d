"""The service with its SageMaker upstream, against the local runtime stand-in (botocore's real parser)."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from httpx_sse import connect_sse
from llm_service.app import create_app
from llm_service.settings import ServiceSettings
from support.runtime_stub import ErrorReply, StreamReply, sse_tokens
from support.servers import ServiceThread

pytestmark = pytest.mark.integration
AUTH = {"Authorization": "Bearer k"}


@pytest.fixture
def service(stub_runtime):  # type: ignore[no-untyped-def]
    settings = ServiceSettings(upstream="sagemaker", endpoint_name="llama-dev", region="us-east-1",
                               aws_endpoint_url=stub_runtime.url, api_keys="k", aws_threads=8)  # fmt: skip
    svc = ServiceThread(create_app(settings))
    svc.start()
    yield svc.url
    svc.stop()


def test_chat_stream_through_sagemaker(stub_runtime, service) -> None:
    whole = sse_tokens(["Grüße", " aus", " 東京"], "chat")
    stub_runtime.replies.append(StreamReply([whole[i : i + 7] for i in range(0, len(whole), 7)]))
    body = {"messages": [{"role": "user", "content": "hi"}], "max_tokens": 8, "stream": True}
    with httpx.Client() as client, connect_sse(client, "POST", f"{service}/v1/chat/completions", json=body,
                                               headers=AUTH) as sse:  # fmt: skip
        data = [e.data for e in sse.iter_sse()]
    text = "".join(json.loads(d)["choices"][0]["delta"].get("content") or "" for d in data[:-1])
    assert text == "Grüße aus 東京" and data[-1] == "[DONE]"
    assert stub_runtime.requests[-1]["path"] == "/endpoints/llama-dev/invocations-response-stream"


def test_model_validation_error_through_sagemaker_is_400(stub_runtime, service) -> None:
    stub_runtime.replies.append(
        ErrorReply(424, "ModelError", "x", {"OriginalStatusCode": 422, "OriginalMessage": "Input validation error: x"})
    )
    response = httpx.post(f"{service}/generate", json={"inputs": "hi"}, headers=AUTH)
    assert response.status_code == 400 and response.json()["error"] == "Input validation error: x"


def test_disconnect_closes_the_sagemaker_stream(stub_runtime, service) -> None:
    stub_runtime.replies.append(StreamReply([sse_tokens([f"t{i}"], "tgi") for i in range(500)], delay_s=0.01))
    body = {"inputs": "hi", "parameters": {"max_new_tokens": 500}}
    with httpx.Client() as client, connect_sse(client, "POST", f"{service}/generate_stream", json=body,
                                               headers=AUTH) as sse:  # fmt: skip
        events = sse.iter_sse()
        assert json.loads(next(events).data)["token"]["text"] == "t0"
    deadline = time.monotonic() + 5
    while stub_runtime.closed_streams == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert stub_runtime.closed_streams == 1

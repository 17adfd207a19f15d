"""Issue 24: every generation parameter of both routes reaches the container, through the service's SageMaker
upstream to a runtime stand-in that records each InvokeEndpoint body; a parameter no container accepts is a 400 that
names it; what the container returns for those parameters (details, logprobs, tool calls) comes back to the caller."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from llm_service.app import create_app
from llm_service.settings import ServiceSettings
from support.runtime_stub import JsonReply, StreamReply
from support.servers import ServiceThread

pytestmark = pytest.mark.integration
AUTH = {"Authorization": "Bearer k"}

TGI_PARAMETERS: dict[str, Any] = {
    "adapter_id": "twin",
    "best_of": 1,
    "decoder_input_details": True,
    "frequency_penalty": 0.5,
    "grammar": {"type": "json", "value": {"type": "object"}},
    "repetition_penalty": 1.2,
    "return_full_text": False,
    "seed": 42,
    "top_k": 40,
    "top_n_tokens": 2,
    "truncate": 512,
    "typical_p": 0.9,
    "watermark": False,
}
CHAT_PARAMETERS: dict[str, Any] = {
    "frequency_penalty": 0.5,
    "presence_penalty": 0.3,
    "seed": 7,
    "logprobs": True,
    "top_logprobs": 2,
    "logit_bias": {"1234": -100},
    "response_format": {"type": "json_object"},
    "tools": [{"type": "function", "function": {"name": "now", "parameters": {"type": "object"}}}],
    "tool_choice": "auto",
    "tool_prompt": "You may call:",
    "parallel_tool_calls": False,
    "user": "team-a",
}


@pytest.fixture
def service(stub_runtime):  # type: ignore[no-untyped-def]
    settings = ServiceSettings(
        upstream="sagemaker", endpoint_name="twin", region="us-east-1", aws_endpoint_url=stub_runtime.url, api_keys="k"
    )
    svc = ServiceThread(create_app(settings))
    svc.start()
    yield svc.url
    svc.stop()


def _sent(stub_runtime: Any) -> dict[str, Any]:
    return dict(json.loads(stub_runtime.requests[-1]["body"]))


def test_every_tgi_parameter_is_forwarded_and_the_containers_details_come_back(stub_runtime, service) -> None:
    details = {
        "finish_reason": "length",
        "generated_tokens": 2,
        "seed": 42,
        "prefill": [],
        "tokens": [],
        "top_tokens": [],
    }
    stub_runtime.replies.append(JsonReply([{"generated_text": "a b", "details": details}]))
    parameters = {
        **TGI_PARAMETERS,
        "max_new_tokens": 2,
        "temperature": 0.7,
        "top_p": 0.9,
        "stop": ["\n"],
        "details": True,
    }
    response = httpx.post(f"{service}/generate", json={"inputs": "hi", "parameters": parameters}, headers=AUTH)
    assert response.status_code == 200, response.text
    sent = _sent(stub_runtime)["parameters"]
    for name, value in TGI_PARAMETERS.items():
        assert sent[name] == value, name
    assert (sent["max_new_tokens"], sent["temperature"], sent["top_p"], sent["stop"]) == (2, 0.7, 0.9, ["\n"])
    assert response.json()["details"] == details, "the container's own details, seed and tokens included"


def test_every_chat_parameter_is_forwarded_and_logprobs_and_tool_calls_come_back(stub_runtime, service) -> None:
    call = {"id": "c1", "type": "function", "function": {"name": "now", "arguments": "{}"}}
    logprobs = {"content": [{"token": "a", "logprob": -0.1, "top_logprobs": []}]}
    stub_runtime.replies.append(
        JsonReply(
            {
                "object": "chat.completion",
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": "a", "tool_calls": [call]},
                        "logprobs": logprobs,
                        "finish_reason": "tool_calls",
                    }
                ],
                "usage": {"prompt_tokens": 3, "completion_tokens": 1},
            }
        )
    )
    messages = [
        {"role": "user", "content": "time?"},
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "content": "12:00", "tool_call_id": "c1"},
    ]
    body = {"messages": messages, "max_tokens": 4, "temperature": 0.2, "top_p": 0.5, "stop": "\n", **CHAT_PARAMETERS}
    response = httpx.post(f"{service}/v1/chat/completions", json=body, headers=AUTH)
    assert response.status_code == 200, response.text
    sent = _sent(stub_runtime)
    for name, value in CHAT_PARAMETERS.items():
        assert sent[name] == value, name
    assert sent["messages"][1]["tool_calls"] == [call] and sent["messages"][2]["tool_call_id"] == "c1"
    choice = response.json()["choices"][0]
    assert choice["message"]["tool_calls"] == [call] and choice["logprobs"] == logprobs
    assert choice["finish_reason"] == "tool_calls"


def test_a_streamed_chat_asks_the_container_for_usage_and_reports_its_prompt_tokens(stub_runtime, service) -> None:
    events = [
        {"choices": [{"index": 0, "delta": {"content": "a"}, "finish_reason": None}]},
        {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
        {"choices": [], "usage": {"prompt_tokens": 9, "completion_tokens": 1}},
    ]
    stub_runtime.replies.append(
        StreamReply([f"data:{json.dumps(e)}\n\n".encode() for e in events] + [b"data:[DONE]\n\n"])
    )
    body = {"messages": [{"role": "user", "content": "hi"}], "stream": True, "stream_options": {"include_usage": True}}
    with httpx.stream("POST", f"{service}/v1/chat/completions", json=body, headers=AUTH) as response:
        lines = [line[5:].strip() for line in response.iter_lines() if line.startswith("data:")]
    assert _sent(stub_runtime)["stream_options"] == {"include_usage": True}
    usage = json.loads(lines[-2])["usage"]
    assert usage == {"prompt_tokens": 9, "completion_tokens": 1, "total_tokens": 10}


@pytest.mark.parametrize(
    ("path", "body", "name"),
    [
        ("/v1/chat/completions", {"messages": [{"role": "user", "content": "x"}], "store": True}, "store"),
        (
            "/v1/chat/completions",
            {"messages": [{"role": "user", "content": "x"}], "reasoning_effort": "low"},
            "reasoning_effort",
        ),
        ("/generate", {"inputs": "x", "parameters": {"repetition_penatly": 1.1}}, "parameters.repetition_penatly"),
        ("/generate", {"inputs": "x", "paramters": {}}, "paramters"),
    ],
)
def test_a_parameter_no_container_accepts_is_a_400_naming_it(stub_runtime, service, path, body, name) -> None:
    before = len(stub_runtime.requests)
    response = httpx.post(f"{service}{path}", json=body, headers=AUTH)
    assert response.status_code == 400, response.text
    text = json.dumps(response.json())
    assert f"{name}: not a parameter this route forwards" in text
    assert len(stub_runtime.requests) == before, "refused before any invocation"


def test_out_of_range_values_are_refused_before_the_invocation(stub_runtime, service) -> None:
    for body in (
        {"messages": [{"role": "user", "content": "x"}], "top_logprobs": 3},
        {"messages": [{"role": "user", "content": "x"}], "frequency_penalty": 3},
    ):
        assert httpx.post(f"{service}/v1/chat/completions", json=body, headers=AUTH).status_code == 400
    response = httpx.post(f"{service}/generate", json={"inputs": "x", "parameters": {"typical_p": 1.0}}, headers=AUTH)
    assert response.status_code == 400 and "typical_p" in response.json()["error"]
    assert stub_runtime.requests == []


@pytest.fixture
def emulated():  # type: ignore[no-untyped-def]
    from support.servers import UpstreamThread

    thread = UpstreamThread(tokens_per_s=2000)
    url = thread.start()
    yield url
    thread.stop()


def test_the_emulated_tgi_container_stops_at_a_stop_sequence_and_refuses_a_fifth(emulated) -> None:
    """The local stack's container honours `stop` as TGI does: generation ends at the token that completes it, and
    more than MAX_STOP_SEQUENCES (4 by default) is TGI's own 422."""
    body = {"inputs": "hi", "parameters": {"max_new_tokens": 10, "stop": ["t3"], "details": True}}
    whole = httpx.post(f"{emulated}/generate", json=body).json()
    assert whole["generated_text"] == "t0 t1 t2 t3 " and whole["details"]["finish_reason"] == "stop_sequence"
    body["parameters"]["stop"] = ["a", "b", "c", "d", "e"]
    refused = httpx.post(f"{emulated}/generate", json=body)
    assert refused.status_code == 422
    assert refused.json()["error"] == "Input validation error: `stop` supports up to 4 stop sequences. Given: 5"
    chat = {"messages": [{"role": "user", "content": "hi"}], "max_tokens": 10, "stop": "t1"}
    choice = httpx.post(f"{emulated}/v1/chat/completions", json=chat).json()["choices"][0]
    assert choice["message"]["content"] == "t0 t1 " and choice["finish_reason"] == "stop"


def test_the_emulated_container_reports_streamed_usage_with_the_prompt_when_asked(emulated) -> None:
    chat = {"messages": [{"role": "user", "content": "one two three"}], "max_tokens": 3, "stream": True}
    for include, expected in ((False, None), (True, {"prompt_tokens": 3, "completion_tokens": 3, "total_tokens": 6})):
        body = {**chat, "stream_options": {"include_usage": include}}
        with httpx.stream("POST", f"{emulated}/v1/chat/completions", json=body) as response:
            events = [json.loads(line[5:]) for line in response.iter_lines() if line.startswith("data:{")]
        usage = [e["usage"] for e in events if "usage" in e]
        assert usage == ([expected] if expected else [])


def test_the_emulated_vllm_container_serves_its_adapter_by_model_name_and_404s_an_unknown_one() -> None:
    from llmctl.local_aws.container import Profile
    from support.servers import UpstreamThread

    env = {"SM_VLLM_MODEL": "/opt/ml/model", "SM_VLLM_ENABLE_LORA": "", "SM_VLLM_LORA_MODULES": "twin=acme/twin"}
    profile = Profile.from_model("123.dkr.ecr.us-east-1.amazonaws.com/huggingface-vllm:0.29.0", env)
    assert (profile.flavor, profile.adapters) == ("vllm", ("twin",))
    thread = UpstreamThread(tokens_per_s=2000, profile=profile)
    url = thread.start()
    try:
        chat = {"messages": [{"role": "user", "content": "hi"}], "max_tokens": 2}
        for model, text in ((None, "t0 t1 "), ("/opt/ml/model", "t0 t1 "), ("twin", "twin-t0 twin-t1 ")):
            body = {**chat, "model": model} if model else chat
            reply = httpx.post(f"{url}/v1/chat/completions", json=body).json()
            assert reply["choices"][0]["message"]["content"] == text, model
        unknown = httpx.post(f"{url}/v1/chat/completions", json={**chat, "model": "twn"})
        assert unknown.status_code == 404 and unknown.json()["message"] == "The model `twn` does not exist."
    finally:
        thread.stop()


def test_an_adapter_is_sent_the_way_every_container_reads_it() -> None:
    """TGI reads `parameters.adapter_id` or the chat `model`, vLLM the chat `model`, LMI a top-level `adapters`; each
    ignores the others' spellings, so the client sends all that apply."""
    from llm_service.client import GenerationRequest
    from llm_service.client.wire import build_body

    request = GenerationRequest.from_prompt("hi", adapter="twin")
    chat = json.loads(build_body(request, "chat", stream=False))
    assert (chat["model"], chat["adapters"]) == ("twin", "twin")
    tgi = json.loads(build_body(request, "tgi", stream=False))
    assert (tgi["parameters"]["adapter_id"], tgi["adapters"]) == ("twin", "twin")
    plain = json.loads(build_body(GenerationRequest.from_prompt("hi"), "chat", stream=False))
    assert "model" not in plain and "adapters" not in plain


def test_the_emulated_lmi_container_reads_the_adapters_field() -> None:
    from llmctl.local_aws.container import Profile
    from support.servers import UpstreamThread

    env = {"HF_MODEL_ID": "/opt/ml/model", "OPTION_ENABLE_LORA": "true"}
    profile = Profile.from_model(
        "763104351884.dkr.ecr.us-east-1.amazonaws.com/djl-inference:0.33.0-lmi15.0.0-cu128", env
    )
    thread = UpstreamThread(tokens_per_s=2000, profile=profile)
    url = thread.start()
    try:
        body = {"inputs": "hi", "parameters": {"max_new_tokens": 2}}
        assert httpx.post(f"{url}/invocations", json=body).json()["generated_text"] == "t0 t1 "
        twin = httpx.post(f"{url}/invocations", json={**body, "adapters": "twin"}).json()
        assert twin["generated_text"] == "twin-t0 twin-t1 "
    finally:
        thread.stop()

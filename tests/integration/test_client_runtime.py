"""The client against a local SageMaker-runtime stand-in: real HTTP, botocore's own event-stream parser."""

from __future__ import annotations

import itertools
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from llm_service.client import (
    EndpointNotFoundError,
    GenerationRequest,
    InferenceClient,
    InferenceError,
    InvalidRequestError,
    ModelError,
    ModelNotReadyError,
    ModelValidationError,
    NoCapacityError,
    StreamError,
    Target,
    ThrottledError,
    UpstreamUnavailableError,
)
from support.runtime_stub import ErrorReply, JsonReply, StreamReply, sse_tokens

pytestmark = pytest.mark.integration
TEXT = ["Grüße", " aus", " 東京", " 🚀", " ok"]
REQ = GenerationRequest.from_prompt("hello", max_new_tokens=16)


def make_client(runtime_client, wire_format="chat", **target):  # type: ignore[no-untyped-def]
    return InferenceClient(
        Target("ep", **target), runtime=runtime_client, wire_format=wire_format, retry_max_wait_s=0.01
    )


def lmi_lines() -> bytes:
    # LMI's JSON lines: the last one adds generated_text (djl_python output_formatter).
    lines = [{"token": {"text": t}} for t in TEXT]
    lines[-1]["generated_text"] = "".join(TEXT)
    return b"".join(json.dumps(line, ensure_ascii=False).encode() + b"\n" for line in lines)


def split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts} | {0, len(data)})
    return [data[a:b] for a, b in itertools.pairwise(points) if b > a]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(["tgi", "chat", "lmi"]), st.lists(st.integers(0, 5000), max_size=30))
def test_payload_parts_split_anywhere_recover_identical_text(stub_runtime, runtime_client, fmt, cuts) -> None:
    whole = lmi_lines() if fmt == "lmi" else sse_tokens(TEXT, fmt)
    stub_runtime.replies.append(StreamReply(split(whole, cuts)))
    client = make_client(runtime_client, "tgi" if fmt != "chat" else "chat")
    assert "".join(c.text for c in client.stream(REQ)) == "".join(TEXT)


def test_request_carries_routing_and_always_max_tokens(stub_runtime, runtime_client) -> None:
    client = make_client(
        runtime_client, "tgi", inference_component="ic-1", target_variant="blue", custom_attributes="trace=1"
    )
    client.invoke(GenerationRequest.from_prompt("hi", temperature=0))
    sent = stub_runtime.requests[-1]
    assert sent["path"] == "/endpoints/ep/invocations"
    headers = {k.lower(): v for k, v in sent["headers"].items()}
    assert headers["x-amzn-sagemaker-inference-component"] == "ic-1"
    assert headers["x-amzn-sagemaker-target-variant"] == "blue"
    assert headers["x-amzn-sagemaker-custom-attributes"] == "trace=1"
    body = json.loads(sent["body"])
    assert body["parameters"]["max_new_tokens"] == 256
    assert body["parameters"]["do_sample"] is False and "temperature" not in body["parameters"]


@pytest.mark.parametrize(
    ("reply", "text", "tokens"),
    [
        (
            JsonReply([{"generated_text": "tgi text", "details": {"finish_reason": "length", "generated_tokens": 2}}]),
            "tgi text",
            2,
        ),
        (JsonReply({"generated_text": "lmi text"}), "lmi text", None),
        (
            JsonReply(
                {
                    "choices": [{"message": {"content": "chat text"}, "finish_reason": "stop"}],
                    "usage": {"completion_tokens": 3, "prompt_tokens": 4},
                }
            ),
            "chat text",
            3,
        ),
    ],
    ids=["tgi-array", "lmi-object", "chat-completion"],
)
def test_every_non_streaming_shape_parses(stub_runtime, runtime_client, reply, text, tokens) -> None:
    stub_runtime.replies.append(reply)
    completion = make_client(runtime_client).invoke(REQ)
    assert completion.text == text and completion.output_tokens == tokens


def test_model_error_keeps_the_models_own_message(stub_runtime, runtime_client) -> None:
    message = "Input validation error: `inputs` tokens + `max_new_tokens` must be <= 8192. Given: 9000"
    stub_runtime.replies.append(
        ErrorReply(
            424,
            "ModelError",
            "Received client error (422) from primary",
            {"OriginalStatusCode": 422, "OriginalMessage": message, "LogStreamArn": "arn:aws:logs:x"},
        )
    )
    with pytest.raises(ModelValidationError) as info:
        make_client(runtime_client).invoke(REQ)
    assert info.value.message == message and info.value.original_status == 422
    assert len(stub_runtime.requests) == 1  # a validation error is never retried


def test_model_5xx_is_a_model_error(stub_runtime, runtime_client) -> None:
    stub_runtime.replies.append(
        ErrorReply(424, "ModelError", "x", {"OriginalStatusCode": 500, "OriginalMessage": "CUDA out of memory"})
    )
    with pytest.raises(ModelError, match="CUDA out of memory") as info:
        make_client(runtime_client).invoke(REQ)
    assert not isinstance(info.value, InvalidRequestError)


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (ErrorReply(400, "ValidationError", "Endpoint ep of account 1 not found."), EndpointNotFoundError),
        (ErrorReply(400, "ValidationError", "1 validation error detected"), InvalidRequestError),
    ],
)
def test_validation_errors(stub_runtime, runtime_client, reply, error) -> None:
    stub_runtime.replies.append(reply)
    with pytest.raises(error):
        make_client(runtime_client).invoke(REQ)


def test_model_not_ready_is_retried_then_succeeds(stub_runtime, runtime_client) -> None:
    stub_runtime.replies.append(ErrorReply(429, "ModelNotReadyException", "model loading"))
    assert make_client(runtime_client).invoke(REQ).text.startswith("tok0")
    assert len(stub_runtime.requests) == 2


def test_retries_are_bounded(stub_runtime, runtime_client) -> None:
    for _ in range(5):
        stub_runtime.replies.append(ErrorReply(429, "ModelNotReadyException", "model loading"))
    with pytest.raises(ModelNotReadyError):
        make_client(runtime_client).invoke(REQ)
    assert len(stub_runtime.requests) == 3


@pytest.mark.parametrize(
    ("code", "status", "error"),
    [("ServiceUnavailable", 503, UpstreamUnavailableError), ("ThrottlingException", 400, ThrottledError)],
)
def test_refused_requests_are_re_sent_three_times_in_all(stub_runtime, runtime_client, code, status, error) -> None:
    """Refused before reaching the model: safe to re-send. botocore sends once, the client's policy does the rest."""
    stub_runtime.replies.append(ErrorReply(status, code, "busy"))
    chunks = list(make_client(runtime_client).stream(REQ))
    assert "".join(c.text for c in chunks).startswith("tok0")
    assert len(stub_runtime.requests) == 2
    for _ in range(10):
        stub_runtime.replies.append(ErrorReply(status, code, "busy"))
    with pytest.raises(error):
        list(make_client(runtime_client).stream(REQ))
    assert len(stub_runtime.requests) == 2 + 3


@pytest.mark.parametrize(("code", "status"), [("InternalFailure", 500), ("InternalDependencyException", 530)])
def test_failures_that_may_have_run_the_model_are_not_re_sent(stub_runtime, runtime_client, code, status) -> None:
    stub_runtime.replies.append(ErrorReply(status, code, "broke"))
    with pytest.raises(UpstreamUnavailableError, match=code):
        make_client(runtime_client).invoke(REQ)
    assert len(stub_runtime.requests) == 1


def test_no_retry_after_the_first_token(stub_runtime, runtime_client) -> None:
    stub_runtime.replies.append(
        StreamReply(
            [sse_tokens(["first"], "chat")[: -len(b"data:[DONE]\n\n")]],
            error=("InternalStreamFailure", "instance lost"),
        )
    )
    received = []
    with pytest.raises(StreamError) as info:
        for chunk in make_client(runtime_client).stream(REQ):
            received.append(chunk.text)
    assert received == ["first"]
    assert info.value.after_output is True
    assert len(stub_runtime.requests) == 1


def test_internal_stream_failure_before_output_is_retried(stub_runtime, runtime_client) -> None:
    stub_runtime.replies.append(StreamReply([], error=("InternalStreamFailure", "instance lost")))
    assert "".join(c.text for c in make_client(runtime_client).stream(REQ)).startswith("tok0")
    assert len(stub_runtime.requests) == 2


def test_model_stream_error_raises_with_its_message(stub_runtime, runtime_client) -> None:
    stub_runtime.replies.append(StreamReply([], error=("ModelStreamError", "Your model primary did not complete")))
    with pytest.raises(StreamError, match="did not complete") as info:
        list(make_client(runtime_client).stream(REQ))
    assert info.value.error_code == "ModelStreamError"
    assert len(stub_runtime.requests) == 1


def test_error_event_inside_stream_raises(stub_runtime, runtime_client) -> None:
    bad = b'data:{"error":"Request failed during generation: CUDA OOM","error_type":"generation"}\n\n'
    stub_runtime.replies.append(StreamReply([sse_tokens(["a"], "tgi"), bad]))
    with pytest.raises(StreamError, match="CUDA OOM"):
        list(make_client(runtime_client, "tgi").stream(REQ))


def test_oversized_payload_is_rejected_before_sending(stub_runtime, runtime_client) -> None:
    with pytest.raises(InvalidRequestError, match="at most"):
        make_client(runtime_client).invoke(GenerationRequest.from_prompt("x" * (7 * 1024 * 1024)))
    assert stub_runtime.requests == []


def test_abandoning_a_stream_closes_the_connection(stub_runtime, runtime_client) -> None:
    import time

    stub_runtime.replies.append(StreamReply([sse_tokens([f"t{i}"], "tgi") for i in range(200)], delay_s=0.01))
    stream = make_client(runtime_client, "tgi").stream(REQ)
    assert next(stream).text == "t0"
    stream.close()
    deadline = time.monotonic() + 5
    while stub_runtime.closed_streams == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert stub_runtime.closed_streams == 1


@pytest.mark.parametrize("status", [500, 502, 504])
def test_a_proxy_error_page_is_sent_once(stub_runtime, runtime_client, status) -> None:
    from support.runtime_stub import RawReply

    for _ in range(12):
        stub_runtime.replies.append(RawReply(status, b"<html><body>Bad Gateway</body></html>"))
    with pytest.raises(InferenceError):
        make_client(runtime_client).invoke(REQ)
    assert len(stub_runtime.requests) == 1  # it may have reached the model: never re-sent


def test_a_stream_cut_short_is_an_error_not_a_short_reply(stub_runtime, runtime_client) -> None:
    """botocore drops a partial frame when a connection closes early; the missing final event still gives it away."""
    whole = sse_tokens(TEXT, "tgi")
    stub_runtime.replies.append(StreamReply([whole.split(b'data:{"index": 5')[0]]))
    with pytest.raises(StreamError, match="ended without its final event after 4 tokens") as info:
        list(make_client(runtime_client, "tgi").stream(REQ))
    assert info.value.after_output is True
    assert len(stub_runtime.requests) == 1, "never re-sent after output"


@pytest.mark.parametrize("stream", [False, True])
def test_a_silent_endpoint_costs_one_send_and_ends_at_the_deadline(stub_runtime, stream) -> None:
    """botocore would re-send after each read timeout (4 sends, minutes); the deadline bounds the whole call."""
    import time

    from llm_service.client import AwsSettings, TimeoutError_
    from support.runtime_stub import SilentReply

    deadline, silence = 1.0, 10.0
    for _ in range(4):
        stub_runtime.replies.append(SilentReply(silence))
    settings = AwsSettings(region="us-east-1", endpoint_url=stub_runtime.url, read_timeout_s=deadline)
    client = InferenceClient(Target("ep"), settings=settings, deadline_s=deadline, retry_max_wait_s=0.01)
    started = time.monotonic()
    with pytest.raises(TimeoutError_):
        list(client.stream(REQ)) if stream else client.invoke(REQ)
    # The defects cost the whole silence (or one read timeout per re-send); halfway there is slack for a loaded host.
    assert time.monotonic() - started < deadline + (silence - deadline) / 2
    assert len(stub_runtime.requests) == 1


def test_a_stream_past_its_deadline_ends_with_a_timeout_naming_the_tokens(stub_runtime) -> None:
    from llm_service.client import AwsSettings, TimeoutError_

    whole = sse_tokens([f"t{i}" for i in range(100)], "tgi")
    events = [event + b"\n\n" for event in whole.split(b"\n\n") if event]
    stub_runtime.replies.append(StreamReply(events, delay_s=0.05))
    settings = AwsSettings(region="us-east-1", endpoint_url=stub_runtime.url, read_timeout_s=5.0)
    client = InferenceClient(Target("ep"), settings=settings, wire_format="tgi", deadline_s=0.5)
    received = []
    with pytest.raises(TimeoutError_, match=r"after \d+ tokens\) ran past the 0.5 s deadline"):
        for chunk in client.stream(REQ):
            received.append(chunk)
    assert 3 <= len(received) < 100
    assert len(stub_runtime.requests) == 1


def test_connection_refused_is_re_sent_within_the_deadline() -> None:
    import socket
    import time

    from llm_service.client import AwsSettings, UnreachableError

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens here once closed
    settings = AwsSettings(region="us-east-1", endpoint_url=f"http://127.0.0.1:{port}", read_timeout_s=1.0)
    deadline = 5.0
    client = InferenceClient(Target("ep"), settings=settings, retry_max_wait_s=0.2, deadline_s=deadline)
    started = time.monotonic()
    with pytest.raises(UnreachableError) as info:
        client.invoke(REQ)
    assert info.value.retryable, "a refused connection never reached the model"
    assert time.monotonic() - started < deadline + 1.0  # no send starts past the deadline


NO_CAPACITY = (
    "Inference Component has no capacity to process this request. ApplicationAutoScaling may be in-progress (if "
    "configured) or try to increase the capacity by invoking UpdateInferenceComponentRuntimeConfig API."
)


def test_no_capacity_is_not_run_and_not_quickly_re_sent(stub_runtime, runtime_client) -> None:
    stub_runtime.replies.append(ErrorReply(400, "ValidationError", NO_CAPACITY))
    with pytest.raises(NoCapacityError, match="has no capacity"):
        make_client(runtime_client, inference_component="chat").invoke(REQ)
    assert len(stub_runtime.requests) == 1, "a component scaled to zero takes minutes: no quick retries"


@pytest.mark.parametrize("stream", [False, True])
def test_a_capacity_wait_re_sends_until_a_copy_answers(stub_runtime, runtime_client, stream) -> None:
    for _ in range(2):
        stub_runtime.replies.append(ErrorReply(400, "ValidationError", NO_CAPACITY))
    waits: list[float] = []
    client = InferenceClient(
        Target("ep", inference_component="chat"),
        runtime=runtime_client,
        capacity_wait_s=5,
        capacity_poll_s=0.01,
        on_capacity_wait=waits.append,
    )
    text = "".join(c.text for c in client.stream(REQ)) if stream else client.invoke(REQ).text
    assert text.startswith("tok0")
    assert len(waits) == 2 and len(stub_runtime.requests) == 3


def test_a_capacity_wait_ends_at_the_deadline(stub_runtime, runtime_client) -> None:
    for _ in range(100):
        stub_runtime.replies.append(ErrorReply(400, "ValidationError", NO_CAPACITY))
    client = InferenceClient(
        Target("ep", inference_component="chat"),
        runtime=runtime_client,
        capacity_wait_s=60,
        capacity_poll_s=0.05,
        deadline_s=0.3,
    )
    with pytest.raises(NoCapacityError):
        client.invoke(REQ)
    assert 2 <= len(stub_runtime.requests) <= 8

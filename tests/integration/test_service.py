"""The HTTP service over a real socket: every route, SSE parsed with httpx-sse, error mapping, auth, limits,
client disconnect, and the `openai` package pointed at it."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from httpx_sse import connect_sse
from llm_service.app import create_app
from llm_service.settings import ServiceSettings
from support.log_canary import PROMPT_CANARY
from support.servers import ServiceThread, UpstreamThread

pytestmark = pytest.mark.integration
KEY = "sk-test-0123456789"
AUTH = {"Authorization": f"Bearer {KEY}"}


@pytest.fixture(scope="module")
def upstream() -> Iterator[UpstreamThread]:
    thread = UpstreamThread(tokens_per_s=500)
    thread.url = thread.start()  # type: ignore[attr-defined]
    yield thread
    thread.stop()


def start_service(upstream_url: str, **overrides: Any) -> ServiceThread:
    settings = ServiceSettings(
        upstream="http", upstream_url=upstream_url, api_keys=KEY, model_name="llama-test", **overrides
    )
    service = ServiceThread(create_app(settings))
    service.start()
    return service


@pytest.fixture(scope="module")
def service(upstream) -> Iterator[str]:
    svc = start_service(upstream.url, per_key_concurrency=64)
    yield svc.url
    svc.stop()


def chat(content: str = PROMPT_CANARY, **extra: Any) -> dict[str, Any]:
    return {"model": "llama-test", "messages": [{"role": "user", "content": content}], "max_tokens": 5, **extra}


def test_health_needs_no_key(service) -> None:
    assert httpx.get(f"{service}/health").json() == {"status": "ok"}


def test_models_requires_a_valid_key(service) -> None:
    missing = httpx.get(f"{service}/v1/models")
    assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
    assert "API key" in missing.json()["error"]["message"]
    assert httpx.get(f"{service}/v1/models", headers={"Authorization": "Bearer wrong"}).status_code == 401
    ok = httpx.get(f"{service}/v1/models", headers=AUTH)
    assert ok.status_code == 200 and ok.json()["data"][0]["id"] == "llama-test"


def test_chat_completion(service) -> None:
    response = httpx.post(f"{service}/v1/chat/completions", json=chat(), headers=AUTH)
    assert response.status_code == 200
    body = response.json()
    assert body["object"] == "chat.completion"
    assert body["choices"][0]["message"] == {"role": "assistant", "content": "t0 t1 t2 t3 t4 "}
    assert body["choices"][0]["finish_reason"] == "length"
    assert body["usage"]["completion_tokens"] == 5


def test_chat_stream_is_sse_chunks_ending_with_done(service) -> None:
    body = chat(stream=True, stream_options={"include_usage": True})
    with (
        httpx.Client() as client,
        connect_sse(client, "POST", f"{service}/v1/chat/completions", headers=AUTH, json=body) as sse,
    ):
        assert sse.response.headers["content-type"].startswith("text/event-stream")
        data = [event.data for event in sse.iter_sse()]
    assert data[-1] == "[DONE]"
    chunks = [json.loads(d) for d in data[:-1]]
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
    assert text == "t0 t1 t2 t3 t4 "
    assert chunks[-1]["usage"]["completion_tokens"] == 5
    assert chunks[-2]["choices"][0]["finish_reason"] == "length"


def test_tgi_generate(service, upstream) -> None:
    body = {"inputs": PROMPT_CANARY, "parameters": {"max_new_tokens": 3, "details": True}}
    response = httpx.post(f"{service}/generate", json=body, headers=AUTH)
    assert response.json() == {
        "generated_text": "t0 t1 t2 ",
        "details": {"finish_reason": "length", "generated_tokens": 3},
    }
    assert upstream.upstream.stats.requests[-1]["body"]["inputs"] == PROMPT_CANARY


def test_tgi_generate_stream(service) -> None:
    body = {"inputs": PROMPT_CANARY, "parameters": {"max_new_tokens": 4}}
    with (
        httpx.Client() as client,
        connect_sse(client, "POST", f"{service}/generate_stream", json=body, headers=AUTH) as sse,
    ):
        events = [json.loads(e.data) for e in sse.iter_sse()]
    assert [e["token"]["text"] for e in events] == ["t0 ", "t1 ", "t2 ", "t3 "]
    assert events[-1]["generated_text"] == "t0 t1 t2 t3 " and events[-1]["details"]["finish_reason"] == "length"
    assert all(e["generated_text"] is None for e in events[:-1])


def test_upstream_validation_error_is_400_with_the_models_message(service) -> None:
    openai_shape = httpx.post(f"{service}/v1/chat/completions", json=chat("FAIL_422"), headers=AUTH)
    assert openai_shape.status_code == 400
    assert "Input validation error" in openai_shape.json()["error"]["message"]
    tgi_shape = httpx.post(f"{service}/generate_stream", json={"inputs": "FAIL_422"}, headers=AUTH)
    assert tgi_shape.status_code == 400 and "Input validation error" in tgi_shape.json()["error"]


def test_mid_stream_failure_sends_an_error_event_then_closes(service) -> None:
    body = chat("FAIL_MIDSTREAM", stream=True, max_tokens=10)
    with (
        httpx.Client() as client,
        connect_sse(client, "POST", f"{service}/v1/chat/completions", headers=AUTH, json=body) as sse,
    ):
        data = [e.data for e in sse.iter_sse()]
    assert "[DONE]" not in data
    error = json.loads(data[-1])["error"]
    assert "CUDA out of memory" in error["message"] and error["type"] == "stream_error"


def test_max_tokens_cap(service) -> None:
    response = httpx.post(f"{service}/v1/chat/completions", json=chat(max_tokens=100_000), headers=AUTH)
    assert response.status_code == 400 and "cap of 4096" in response.json()["error"]["message"]


def test_body_size_limit(service) -> None:
    response = httpx.post(f"{service}/v1/chat/completions", json=chat("x" * 2_000_000), headers=AUTH)
    assert response.status_code == 413


def test_invalid_body_is_400_without_traceback(service) -> None:
    response = httpx.post(f"{service}/v1/chat/completions", json={"messages": []}, headers=AUTH)
    assert response.status_code == 400
    assert "messages" in response.json()["error"]["message"] and "Traceback" not in response.text


def test_no_cors_by_default(service) -> None:
    preflight = httpx.options(
        f"{service}/v1/chat/completions",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in preflight.headers


def test_per_key_concurrency_limit_is_429() -> None:
    # 5 tokens/s: the two streams are still open (a minute away from their end) whatever the host's load.
    slow = UpstreamThread(tokens_per_s=5)
    svc = start_service(slow.start(), per_key_concurrency=2)
    try:
        with httpx.Client(timeout=10) as client:
            streams = [
                client.stream(
                    "POST", f"{svc.url}/v1/chat/completions", headers=AUTH, json=chat(stream=True, max_tokens=400)
                )
                for _ in range(2)
            ]
            opened = [s.__enter__() for s in streams]
            assert all(r.status_code == 200 for r in opened)
            third = client.post(f"{svc.url}/v1/chat/completions", json=chat(), headers=AUTH)
            assert third.status_code == 429 and third.headers["retry-after"] == "1"
            metrics = client.get(f"{svc.url}/metrics").text
            assert 'llm_requests_total{route="/v1/chat/completions",status="429"} 1.0' in metrics
            for s in streams:
                s.__exit__(None, None, None)
    finally:
        svc.stop()
        slow.stop()


def test_client_disconnect_cancels_the_upstream_stream(upstream, service) -> None:
    before = upstream.upstream.stats.cancelled
    body = {"inputs": "long", "parameters": {"max_new_tokens": 2000}}
    with (
        httpx.Client() as client,
        connect_sse(client, "POST", f"{service}/generate_stream", headers=AUTH, json=body) as sse,
    ):
        events = sse.iter_sse()
        next(events)
        next(events)
    deadline = time.monotonic() + 5
    while upstream.upstream.stats.cancelled == before and time.monotonic() < deadline:
        time.sleep(0.02)
    assert upstream.upstream.stats.cancelled == before + 1
    deadline = time.monotonic() + 5
    while "llm_inflight_streams 0.0" not in httpx.get(f"{service}/metrics").text and time.monotonic() < deadline:
        time.sleep(0.02)
    assert "llm_inflight_streams 0.0" in httpx.get(f"{service}/metrics").text


def test_metrics_cover_requests_latency_ttft_tokens_and_streams(service) -> None:
    httpx.post(f"{service}/v1/chat/completions", json=chat(stream=True), headers=AUTH).read()
    text = httpx.get(f"{service}/metrics").text
    for name in (
        "llm_requests_total",
        "llm_request_seconds_bucket",
        "llm_time_to_first_token_seconds_bucket",
        "llm_output_tokens_total",
        "llm_upstream_errors_total",
        "llm_inflight_streams",
    ):
        assert name in text
    assert 'llm_requests_total{route="/v1/chat/completions",status="200"}' in text


def test_ready_reflects_the_upstream(upstream, service) -> None:
    assert httpx.get(f"{service}/ready").json()["ready"] is True
    svc = start_service("http://127.0.0.1:9", ready_cache_s=0)  # nothing listens on port 9
    try:
        response = httpx.get(f"{svc.url}/ready")
        assert response.status_code == 503 and response.json()["ready"] is False
        assert httpx.post(f"{svc.url}/v1/chat/completions", json=chat(), headers=AUTH).status_code == 502
    finally:
        svc.stop()


def test_upstream_timeout_is_504() -> None:
    slow = UpstreamThread(tokens_per_s=100, first_token_delay_s=2.0)
    url = slow.start()
    svc = start_service(url, upstream_timeout_s=0.3)
    try:
        response = httpx.post(f"{svc.url}/v1/chat/completions", json=chat(), headers=AUTH, timeout=10)
        assert response.status_code == 504
    finally:
        svc.stop()
        slow.stop()


def test_logs_are_json_with_request_id_and_no_prompt(service) -> None:
    import io

    from llm_service.logs import JsonFormatter

    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("llm_service")
    logger.addHandler(handler)
    try:
        response = httpx.post(
            f"{service}/v1/chat/completions", json=chat(PROMPT_CANARY), headers={**AUTH, "X-Request-ID": "req-123"}
        )
        assert response.headers["x-request-id"] == "req-123"
        time.sleep(0.05)
    finally:
        logger.removeHandler(handler)
    lines = [json.loads(line) for line in buffer.getvalue().splitlines()]
    assert any(entry["request_id"] == "req-123" and entry.get("status") == 200 for entry in lines)
    assert not any(PROMPT_CANARY in json.dumps(entry) for entry in lines)
    assert not any(KEY in json.dumps(entry) for entry in lines)


def test_prompts_are_logged_only_when_enabled(upstream) -> None:
    import io

    from llm_service.logs import JsonFormatter

    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(JsonFormatter())
    svc = start_service(upstream.url, log_prompts=True)  # configures logging: add the handler after
    logger = logging.getLogger("llm_service")
    logger.addHandler(handler)
    try:
        httpx.post(f"{svc.url}/v1/chat/completions", json=chat("VISIBLE-PROMPT"), headers=AUTH)
    finally:
        svc.stop()
        logger.removeHandler(handler)
    assert "VISIBLE-PROMPT" in buffer.getvalue()


def test_openai_sdk_works_unchanged(service) -> None:
    from openai import OpenAI

    client = OpenAI(base_url=f"{service}/v1", api_key=KEY)
    completion = client.chat.completions.create(
        model="llama-test", messages=[{"role": "user", "content": PROMPT_CANARY}], max_tokens=3
    )
    assert completion.choices[0].message.content == "t0 t1 t2 "
    stream = client.chat.completions.create(
        model="llama-test", messages=[{"role": "user", "content": PROMPT_CANARY}], max_tokens=4, stream=True
    )
    assert "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices) == "t0 t1 t2 t3 "


@pytest.mark.parametrize("route", ["/v1/chat/completions", "/generate"])
def test_lone_surrogate_is_400_and_never_echoed(service, route: str) -> None:
    marker = PROMPT_CANARY
    text = marker + "\\ud83d"  # legal JSON, not encodable as UTF-8 once decoded
    body = (
        f'{{"model":"llama-test","messages":[{{"role":"user","content":"{text}"}}],"max_tokens":5}}'
        if route.startswith("/v1")
        else f'{{"inputs":"{text}","parameters":{{"max_new_tokens":5}}}}'
    )
    response = httpx.post(f"{service}{route}", content=body, headers={**AUTH, "Content-Type": "application/json"})
    assert response.status_code == 400, response.text
    assert "surrogate" in response.text and marker not in response.text
    # The connection stays usable: the next request on a fresh client succeeds.
    assert httpx.post(f"{service}/v1/chat/completions", json=chat(), headers=AUTH).status_code == 200


@pytest.mark.parametrize(
    ("field", "value"), [("max_tokens", "4"), ("stream", "yes"), ("temperature", "0.5"), ("n", "1")]
)
def test_types_are_strict_like_openai(service, field: str, value: str) -> None:
    response = httpx.post(f"{service}/v1/chat/completions", json=chat(**{field: value}), headers=AUTH)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error" and field in error["message"]


def test_tgi_types_are_strict(service) -> None:
    body = {"inputs": PROMPT_CANARY, "parameters": {"max_new_tokens": "5"}}
    response = httpx.post(f"{service}/generate", json=body, headers=AUTH)
    assert response.status_code == 400 and "max_new_tokens" in response.text


def test_the_readme_curl_example_works_verbatim(service) -> None:
    """The README's curl line, run as written (curl -d sends form-urlencoded), with $KEY and the port filled in."""
    import re
    import subprocess
    from pathlib import Path

    readme = (Path(__file__).parents[2] / "docs" / "service.md").read_text()
    match = re.search(r"^(curl -s localhost:8000/v1/chat/completions .*\\\n\s+-d '.*')$", readme, re.M)
    assert match, "the README's curl example moved; update this test"
    command = match.group(1).replace("\\\n", " ").replace("localhost:8000", service.removeprefix("http://"))
    result = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=30, env={"KEY": KEY})
    assert result.returncode == 0, result.stderr
    assert "data: " in result.stdout and "[DONE]" in result.stdout, result.stdout[:500]


def test_chunked_body_over_the_limit_is_413_in_the_openai_shape(service) -> None:
    payload = json.dumps(chat("x" * 2_000_000)).encode()

    def chunks() -> Iterator[bytes]:  # a generator body makes httpx send Transfer-Encoding: chunked
        for start in range(0, len(payload), 65536):
            yield payload[start : start + 65536]

    response = httpx.post(f"{service}/v1/chat/completions", content=chunks(), headers=AUTH)
    assert response.status_code == 413, response.text
    assert response.json()["error"]["code"] == "request_too_large"


def test_chunked_body_within_the_limit_is_served(service) -> None:
    payload = json.dumps(chat("hello")).encode()
    response = httpx.post(f"{service}/v1/chat/completions", content=iter([payload[:10], payload[10:]]), headers=AUTH)
    assert response.status_code == 200, response.text


def _openai_error(response: httpx.Response) -> dict[str, Any]:
    error: dict[str, Any] = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}, error
    assert error["code"] is None or isinstance(error["code"], str)
    return error


@pytest.mark.parametrize(
    ("method", "path", "status", "content"),
    [
        ("GET", "/v1/nope", 404, None),
        ("GET", "/v1/chat/completions", 405, None),
        ("POST", "/v1/chat/completions", 400, b"{not json"),
        ("POST", "/v1/chat/completions", 400, b'{"messages": "\xff\xfe"}'),
    ],
    ids=["unknown-route", "wrong-method", "invalid-json", "invalid-utf8"],
)
def test_every_v1_error_is_an_openai_error_object(service, method, path, status, content) -> None:
    response = httpx.request(method, f"{service}{path}", content=content, headers=AUTH)
    assert response.status_code == status, response.text
    _openai_error(response)


@pytest.mark.parametrize(("method", "path", "status"), [("GET", "/nope", 404), ("GET", "/generate", 405)])
def test_tgi_side_errors_use_tgis_shape(service, method, path, status) -> None:
    response = httpx.request(method, f"{service}{path}", headers=AUTH)
    assert response.status_code == status
    assert set(response.json()) == {"error", "error_type"}


def test_413_and_400_carry_the_full_openai_error_object(service) -> None:
    _openai_error(httpx.post(f"{service}/v1/chat/completions", json=chat("x" * 2_000_000), headers=AUTH))
    _openai_error(httpx.post(f"{service}/v1/chat/completions", json={"messages": []}, headers=AUTH))


def test_readme_settings_table_lists_every_setting() -> None:
    from pathlib import Path

    readme = (Path(__file__).parents[2] / "docs" / "service.md").read_text()
    for name in ServiceSettings.model_fields:
        assert f"| `LLM_SERVICE_{name.upper()}` |" in readme, f"README settings table lacks LLM_SERVICE_{name.upper()}"


def test_an_unknown_model_is_404_model_not_found(service) -> None:
    response = httpx.post(f"{service}/v1/chat/completions", json=chat(model="gpt-nonexistent-9"), headers=AUTH)
    assert response.status_code == 404
    error = _openai_error(response)
    assert error["code"] == "model_not_found" and "llama-test" in error["message"]
    listed = httpx.get(f"{service}/v1/models", headers=AUTH).json()["data"]
    assert [m["id"] for m in listed] == ["llama-test"]


def test_the_served_model_defaults_to_the_endpoint_name() -> None:
    settings = ServiceSettings(upstream="sagemaker", endpoint_name="llama-dev", api_keys=KEY)
    assert settings.served_model == "llama-dev"


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    from prometheus_client.parser import text_string_to_metric_families

    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_metric_values_count_what_was_sent(upstream) -> None:
    """The values, not only the names: tokens returned, one TTFT observation per stream, requests by status."""
    svc = start_service(upstream.url)
    try:
        stream = httpx.post(f"{svc.url}/v1/chat/completions", json=chat(stream=True, max_tokens=5), headers=AUTH)
        assert stream.status_code == 200 and "[DONE]" in stream.text
        generated = httpx.post(
            f"{svc.url}/generate", json={"inputs": "x", "parameters": {"max_new_tokens": 3}}, headers=AUTH
        )
        assert generated.json()["generated_text"] == "t0 t1 t2 "
        # A stream's counters are recorded when the response closes, which can be just after the client read its end.
        deadline = time.monotonic() + 10
        samples = _samples(httpx.get(f"{svc.url}/metrics").text)
        while ("llm_output_tokens_total", (("route", "chat"),)) not in samples:
            assert time.monotonic() < deadline, "the stream's metrics were never recorded"
            time.sleep(0.02)
            samples = _samples(httpx.get(f"{svc.url}/metrics").text)
    finally:
        svc.stop()
    # Generation metrics are labelled by operation (chat, generate, generate_stream), requests by path.
    chat_route, generate_route = (("route", "chat"),), (("route", "generate"),)
    assert samples[("llm_output_tokens_total", chat_route)] == 5
    assert samples[("llm_output_tokens_total", generate_route)] == 3
    assert samples[("llm_time_to_first_token_seconds_count", chat_route)] == 1
    assert (
        0
        < samples[("llm_time_to_first_token_seconds_sum", chat_route)]
        < samples[("llm_request_seconds_sum", chat_route)]
    )
    assert samples[("llm_requests_total", (("route", "/v1/chat/completions"), ("status", "200")))] == 1
    assert samples[("llm_requests_total", (("route", "/generate"), ("status", "200")))] == 1


def test_a_request_without_max_tokens_gets_the_default(upstream) -> None:
    """LLM_SERVICE_DEFAULT_MAX_TOKENS: the emulated upstream generates exactly the max tokens it is sent."""
    svc = start_service(upstream.url, default_max_tokens=7)
    try:
        body = {"model": "llama-test", "messages": [{"role": "user", "content": "hi"}]}
        response = httpx.post(f"{svc.url}/v1/chat/completions", json=body, headers=AUTH)
        generated = httpx.post(f"{svc.url}/generate", json={"inputs": "x"}, headers=AUTH)
    finally:
        svc.stop()
    assert response.json()["usage"]["completion_tokens"] == 7
    assert generated.json()["generated_text"] == "t0 t1 t2 t3 t4 t5 t6 "

"""Every upstream failure maps to the documented status, headers and body; settings refuse unsafe defaults."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from llm_service.app import create_app
from llm_service.auth import ApiKeys, key_id
from llm_service.client import GenerationRequest, StreamChunk, WireFormat
from llm_service.client import errors as e
from llm_service.settings import ServiceSettings, get_settings
from pydantic import ValidationError
from support.log_canary import PROMPT_CANARY

KEY = "sk-unit"
AUTH = {"Authorization": f"Bearer {KEY}"}
CHAT = {"messages": [{"role": "user", "content": PROMPT_CANARY}], "max_tokens": 3}


class FailingUpstream:
    name = "fake"

    def __init__(self, error: Exception) -> None:
        self.error = error

    async def generate(self, request: GenerationRequest, wire_format: WireFormat):  # type: ignore[no-untyped-def]
        raise self.error

    async def stream(self, request: GenerationRequest, wire_format: WireFormat) -> AsyncIterator[StreamChunk]:
        raise self.error
        yield StreamChunk()  # pragma: no cover - makes this an async generator

    async def ready(self) -> tuple[bool, str]:
        return True, "fake"

    async def aclose(self) -> None:
        pass


def app_with(error: Exception, **settings: object):  # type: ignore[no-untyped-def]
    config = ServiceSettings(upstream="http", upstream_url="http://unused", api_keys=KEY, **settings)  # type: ignore[arg-type]
    return create_app(config, upstream=FailingUpstream(error))


@pytest.mark.parametrize(
    ("error", "status", "retry_after"),
    [
        (e.ModelValidationError("Input validation error: too long", 422), 400, None),
        (e.InvalidRequestError("bad parameter"), 400, None),
        (e.ThrottledError("slow down"), 429, "2"),
        (e.ModelNotReadyError("loading"), 503, "2"),
        (e.NoCapacityError("Inference Component has no capacity to process this request."), 503, "60"),
        (e.UpstreamUnavailableError("ServiceUnavailable"), 503, "2"),
        (e.TimeoutError_("no answer"), 504, None),
        (e.ModelError("CUDA error", 500), 502, None),
        (e.EndpointNotFoundError("Endpoint x not found"), 502, None),
        (e.UnreachableError("connection refused"), 502, None),
        (e.StreamError("ModelStreamError: boom"), 502, None),
    ],
)
@pytest.mark.parametrize("stream", [False, True])
async def test_upstream_errors_map_to_http(error, status, retry_after, stream) -> None:
    transport = httpx.ASGITransport(app=app_with(error))
    async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
        response = await client.post("/v1/chat/completions", json={**CHAT, "stream": stream}, headers=AUTH)
        tgi = await client.post("/generate", json={"inputs": PROMPT_CANARY}, headers=AUTH)
    assert response.status_code == status == tgi.status_code
    assert response.headers.get("retry-after") == retry_after
    assert response.json()["error"]["message"] == error.message  # the upstream's own words
    assert tgi.json()["error"] == error.message
    assert "Traceback" not in response.text


async def test_a_component_scaled_to_zero_is_a_503_with_its_own_code() -> None:
    """Nothing ran: the caller may re-send after Retry-After, and the code tells it why (OpenAI's error object)."""
    transport = httpx.ASGITransport(app=app_with(e.NoCapacityError("Inference Component has no capacity")))
    async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
        response = await client.post("/v1/chat/completions", json=CHAT, headers=AUTH)
    assert response.status_code == 503 and response.json()["error"]["code"] == "no_capacity"


async def test_unexpected_failure_is_500_without_traceback() -> None:
    transport = httpx.ASGITransport(app=app_with(RuntimeError("secret internals")), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
        response = await client.post("/v1/chat/completions", json=CHAT, headers=AUTH)
    assert response.status_code == 500
    assert "internal error (request id" in response.json()["error"]["message"]
    assert "secret internals" not in response.text and "Traceback" not in response.text


async def test_settings_are_a_dependency_tests_can_override() -> None:
    app = app_with(e.ThrottledError("x"))
    strict = ServiceSettings(
        upstream="http", upstream_url="http://unused", api_keys=KEY, max_tokens_cap=2, default_max_tokens=2
    )
    app.dependency_overrides[get_settings] = lambda: strict
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://svc") as client:
        response = await client.post("/v1/chat/completions", json=CHAT, headers=AUTH)
    assert response.status_code == 400 and "cap of 2" in response.json()["error"]["message"]


def test_auth_cannot_be_left_off_by_accident(monkeypatch) -> None:
    for name in ("LLM_SERVICE_API_KEYS", "LLM_SERVICE_API_KEYS_FILE", "LLM_SERVICE_AUTH_DISABLED"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ValidationError, match="no API keys configured"):
        ServiceSettings(upstream="http", upstream_url="http://x")
    assert ServiceSettings(upstream="http", upstream_url="http://x", auth_disabled=True).auth_disabled


def test_sagemaker_upstream_needs_an_endpoint() -> None:
    with pytest.raises(ValidationError, match="LLM_SERVICE_ENDPOINT_NAME"):
        ServiceSettings(upstream="sagemaker", api_keys=KEY)


async def test_disabled_auth_lets_requests_through() -> None:
    config = ServiceSettings(upstream="http", upstream_url="http://unused", auth_disabled=True)
    app = create_app(config, upstream=FailingUpstream(e.ThrottledError("x")))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://svc") as client:
        assert (await client.get("/v1/models")).status_code == 200


def test_api_keys_from_file_and_env(tmp_path) -> None:
    keys_file = tmp_path / "keys"
    keys_file.write_text("# team keys\nsk-file-1\n\nsk-file-2\n")
    config = ServiceSettings(
        upstream="http", upstream_url="http://x", api_keys="sk-env-1, sk-env-2", api_keys_file=keys_file
    )
    keys = ApiKeys(config.load_api_keys())
    assert len(keys) == 4
    assert keys.identify("Bearer sk-file-2") == key_id("sk-file-2")
    assert keys.identify("bearer sk-env-1") == key_id("sk-env-1")
    for bad in (None, "", "Bearer", "Basic sk-env-1", "Bearer sk-env-3", "sk-env-1"):
        assert keys.identify(bad) is None
    assert "sk-env-1" not in key_id("sk-env-1")
    assert "sk-env-1" not in repr(config)


async def test_cors_only_when_origins_are_configured() -> None:
    config = ServiceSettings(
        upstream="http", upstream_url="http://x", api_keys=KEY, cors_origins=["https://app.example"]
    )
    app = create_app(config, upstream=FailingUpstream(e.ThrottledError("x")))
    headers = {"Origin": "https://app.example", "Access-Control-Request-Method": "POST"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://svc") as client:
        preflight = await client.options("/v1/chat/completions", headers=headers)
    assert preflight.headers["access-control-allow-origin"] == "https://app.example"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"LLM_SERVICE_UPSTREAM": "sagemaker"}, "LLM_SERVICE_ENDPOINT_NAME (or LLM_SERVICE_MODELS) is required"),
        ({"LLM_SERVICE_UPSTREAM": "http", "LLM_SERVICE_UPSTREAM_URL": "http://x"}, "no API keys configured"),
        (
            {
                "LLM_SERVICE_UPSTREAM": "http",
                "LLM_SERVICE_UPSTREAM_URL": "http://x",
                "LLM_SERVICE_API_KEYS_FILE": "/nope",
            },
            "could not read LLM_SERVICE_API_KEYS_FILE",
        ),
        (
            {
                "LLM_SERVICE_UPSTREAM": "http",
                "LLM_SERVICE_UPSTREAM_URL": "http://x",
                "LLM_SERVICE_AUTH_DISABLED": "true",
                "LLM_SERVICE_MAX_TOKENS_CAP": "many",
            },
            "LLM_SERVICE_MAX_TOKENS_CAP",
        ),
    ],
)
def test_serve_refuses_bad_settings_in_one_line(env, message, tmp_path) -> None:
    import os
    import subprocess
    import sys

    clean = {k: v for k, v in os.environ.items() if not k.startswith("LLM_SERVICE_")}
    result = subprocess.run(
        [sys.executable, "-m", "llm_service"],
        env={**clean, **env},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr

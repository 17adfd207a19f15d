"""POST /v1/rag/chat/completions through the local runtime: the grounded prompt reaches the model (the emulated
container echoes it), sources come back on the final chunk or the body, the prompt fits the endpoint's limit, query
embeddings can come from a TEI endpoint, and every failure is one clear error."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from httpx_sse import connect_sse
from llm_service.app import create_app
from llm_service.settings import ServiceSettings
from support.rag import COLLECTION
from support.rag_stack import EMBED_ENDPOINT, rag_stack
from support.servers import ServiceThread

pytestmark = pytest.mark.integration
AUTH = {"Authorization": "Bearer k"}
KEYS_QUESTION = "ECHO_PROMPT How do I give the service its API keys?"


@pytest.fixture(scope="module")
def stack() -> Iterator[dict[str, Any]]:
    with rag_stack() as running:
        yield running


def _service(stack: dict[str, Any], store: Path, **overrides: Any) -> ServiceThread:
    models = {name: {"endpoint_name": name} for name in ("llm", "small-llm", "tiny-llm")}
    settings = ServiceSettings(
        upstream="sagemaker",
        models=models,
        region="us-east-1",
        aws_endpoint_url=stack["runtime"],
        aws_control_endpoint_url=stack["aws"],
        api_keys="k",
        rag_store_path=store,
        **overrides,
    )
    service = ServiceThread(create_app(settings))
    service.start()
    return service


@pytest.fixture(scope="module")
def service(stack, rag_corpus, tmp_path_factory) -> Iterator[str]:  # type: ignore[no-untyped-def]
    store = tmp_path_factory.mktemp("svc") / "store"
    shutil.copytree(rag_corpus[1], store)  # the embedded store is one process's at a time: a copy of its own
    running = _service(stack, store)
    yield running.url
    running.stop()


def _words(text: str) -> str:
    return " ".join(text.split())


def test_streamed_answer_is_grounded_and_ends_with_its_sources(service: str) -> None:
    body = {"messages": [{"role": "user", "content": KEYS_QUESTION}], "collection": COLLECTION, "stream": True}
    body["max_tokens"] = 3000
    with (
        httpx.Client(timeout=30) as client,
        connect_sse(client, "POST", f"{service}/v1/rag/chat/completions", json=body, headers=AUTH) as sse,
    ):
        data = [e.data for e in sse.iter_sse()]
    assert data[-1] == "[DONE]"
    chunks = [json.loads(d) for d in data[:-1]]
    answer = _words("".join(c["choices"][0]["delta"].get("content") or "" for c in chunks))
    final = chunks[-1]
    assert final["choices"][0]["finish_reason"] == "stop"
    sources = final["sources"]
    assert 1 <= len(sources) <= 4 and Path(sources[0]["path"]).name == "service.md"
    assert all(set(s) == {"path", "chunk", "score"} for s in sources)
    assert not any("sources" in c for c in chunks[:-1]), "sources arrive once, on the final chunk"
    # What reached the model: the system prompt with every retrieved passage, numbered, then the question.
    for number, source in enumerate(sources, 1):
        assert f"[{number}] {source['path']} (chunk {source['chunk']})" in answer
    assert "LLM_SERVICE_API_KEYS_FILE" in answer, "the passage's own text is in the prompt"
    assert answer.endswith(_words(KEYS_QUESTION))


def test_non_streaming_body_carries_the_sources(service: str) -> None:
    body = {
        "messages": [{"role": "user", "content": "How do I give the service its API keys?"}],
        "collection": COLLECTION,
        "top_k": 2,
        "max_tokens": 8,
    }
    response = httpx.post(f"{service}/v1/rag/chat/completions", json=body, headers=AUTH, timeout=30)
    assert response.status_code == 200, response.text
    reply = response.json()
    assert reply["object"] == "chat.completion" and reply["choices"][0]["message"]["content"]
    assert len(reply["sources"]) == 2 and Path(reply["sources"][0]["path"]).name == "service.md"


def test_the_prompt_is_trimmed_to_the_endpoints_input_limit(service: str) -> None:
    body = {
        "model": "small-llm",
        "messages": [{"role": "user", "content": "How does an asynchronous endpoint scale from zero?"}],
        "collection": COLLECTION,
        "top_k": 10,
        "max_tokens": 4,
        "stream_options": {"include_usage": True},
        "stream": True,
    }
    with (
        httpx.Client(timeout=30) as client,
        connect_sse(client, "POST", f"{service}/v1/rag/chat/completions", json=body, headers=AUTH) as sse,
    ):
        events = [json.loads(e.data) for e in sse.iter_sse() if e.data != "[DONE]"]
    [final] = [e for e in events if "sources" in e]
    usage = events[-1]["usage"]
    assert 1 <= len(final["sources"]) < 10, "MAX_INPUT_TOKENS=400 leaves room for only some of the 10 passages"
    assert usage["prompt_tokens"] <= 400, "the container accepted the prompt: it fits the limit it enforces"


def test_errors_are_one_sentence_each(service: str) -> None:
    def post(**fields: Any) -> httpx.Response:
        body = {"messages": [{"role": "user", "content": "scale to zero"}], "collection": COLLECTION, **fields}
        return httpx.post(f"{service}/v1/rag/chat/completions", json=body, headers=AUTH, timeout=30)

    missing = post(collection="nope")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "collection_not_found"
    assert "llmctl ingest PATH --collection nope" in missing.json()["error"]["message"]
    tiny = post(model="tiny-llm", max_tokens=4)
    assert tiny.status_code == 400 and "not even one passage fits" in tiny.json()["error"]["message"]
    assert tiny.json()["error"]["code"] == "context_length_exceeded"
    no_question = post(messages=[{"role": "system", "content": "be brief"}])
    assert no_question.status_code == 400 and "no user message" in no_question.json()["error"]["message"]
    unauthenticated = httpx.post(f"{service}/v1/rag/chat/completions", json={"collection": "x", "messages": []})
    assert unauthenticated.status_code == 401


def test_a_midstream_failure_ends_with_an_error_event(service: str) -> None:
    body = {
        "messages": [{"role": "user", "content": "FAIL_MIDSTREAM scale to zero"}],
        "collection": COLLECTION,
        "stream": True,
        "max_tokens": 10,
    }
    with (
        httpx.Client(timeout=30) as client,
        connect_sse(client, "POST", f"{service}/v1/rag/chat/completions", json=body, headers=AUTH) as sse,
    ):
        data = [json.loads(e.data) for e in sse.iter_sse() if e.data != "[DONE]"]
    assert "error" in data[-1] and "CUDA out of memory" in data[-1]["error"]["message"]


def test_metrics_count_retrievals_passages_and_prompt_tokens(service: str) -> None:
    body = {"messages": [{"role": "user", "content": "bootstrap roles"}], "collection": COLLECTION, "max_tokens": 4}
    before = httpx.get(f"{service}/metrics").text
    assert httpx.post(f"{service}/v1/rag/chat/completions", json=body, headers=AUTH, timeout=30).status_code == 200
    after = httpx.get(f"{service}/metrics").text

    def value(text: str, name: str) -> float:
        return sum(float(line.split()[-1]) for line in text.splitlines() if line.startswith(name + " "))

    for name in ("llm_rag_retrieval_seconds_count", "llm_rag_passages_count", "llm_rag_prompt_tokens_count"):
        assert value(after, name) == value(before, name) + 1, name
    assert value(after, "llm_rag_passages_sum") - value(before, "llm_rag_passages_sum") == 4


def test_query_embeddings_from_a_tei_endpoint_find_the_same_passages(stack, rag_corpus, tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = tmp_path / "store"
    shutil.copytree(rag_corpus[1], store)
    running = _service(stack, store, rag_embedding_endpoint=EMBED_ENDPOINT)
    try:
        body = {
            "messages": [{"role": "user", "content": "How do I move the bootstrap state into the bucket it created?"}],
            "collection": COLLECTION,
            "max_tokens": 4,
        }
        reply = httpx.post(f"{running.url}/v1/rag/chat/completions", json=body, headers=AUTH, timeout=60).json()
    finally:
        running.stop()
    assert Path(reply["sources"][0]["path"]).name == "bootstrap.md"
    invocations = httpx.get(f"{stack['runtime']}/local/invocations").json()
    assert invocations.get(EMBED_ENDPOINT, 0) >= 1, "the question was embedded by the TEI endpoint"

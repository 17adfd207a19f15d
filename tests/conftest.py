"""Shared fixtures. Tests never reach the network: the Hub is forced offline, AWS calls go to loopback."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
os.environ["AWS_ACCESS_KEY_ID"] = "testing"
os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"
os.environ["AWS_DEFAULT_REGION"] = "us-east-1"
os.environ.pop("AWS_PROFILE", None)

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session", autouse=True)
def no_log_line_carries_a_prompt() -> Iterator[None]:
    """Over the whole run, no log record (service, uvicorn, botocore, anything) may contain the prompt canary that
    tests send with prompt logging off. The one test that turns prompt logging on uses other text."""
    from support.log_canary import PROMPT_CANARY, LogRecorder

    recorder = LogRecorder()
    recorder.install()
    yield
    recorder.uninstall()
    leaks = recorder.lines_with(PROMPT_CANARY)
    assert not leaks, f"{len(leaks)} log record(s) carry prompt text: {leaks[:3]}"


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def stub_runtime() -> Iterator:
    from support.runtime_stub import StubRuntime

    stub = StubRuntime().start()
    yield stub
    stub.stop()


@pytest.fixture
def runtime_client(stub_runtime):  # type: ignore[no-untyped-def]
    from llm_service.client import AwsSettings, make_runtime_client

    return make_runtime_client(AwsSettings(region="us-east-1", endpoint_url=stub_runtime.url, read_timeout_s=10))


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """A moto server on 127.0.0.1: a local AWS for sagemaker and application-autoscaling calls."""
    import socket

    from moto.server import ThreadedMotoServer

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def moto_url(moto_server: str) -> Iterator[str]:
    import urllib.request

    urllib.request.urlopen(urllib.request.Request(f"{moto_server}/moto-api/reset", method="POST"))
    yield moto_server


@pytest.fixture(scope="session")
def tf_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment for Terraform subprocesses: the project's provider-mirror CLI configuration, no TF_LOG."""
    import shutil

    from llmctl import terraform_cli

    if shutil.which("terraform") is None:
        pytest.fail("terraform is not on PATH: install Terraform >= 1.9 to run the Terraform tests.")
    env = {k: v for k, v in os.environ.items() if k != "TF_LOG"}
    env.update(terraform_cli.terraform_env(tmp_path_factory.mktemp("tfcli")))
    return env


@pytest.fixture(scope="session")
def embedder():  # type: ignore[no-untyped-def]
    """The bundled all-MiniLM-L6-v2, loaded once."""
    from llm_service.rag.embeddings import LocalEmbedder

    return LocalEmbedder()


@pytest.fixture(scope="session")
def rag_corpus(tmp_path_factory: pytest.TempPathFactory, embedder):  # type: ignore[no-untyped-def]
    """(corpus directory, embedded store directory, ingest report): the corpus ingested once into collection `docs`;
    the store is closed again, so a test (or the service it starts) can open it."""
    from llm_service.rag.chunking import ChunkSpec
    from llm_service.rag.ingest import ingest
    from llm_service.rag.store import StoreLocation, VectorStore
    from support.rag import COLLECTION, build_corpus

    root = tmp_path_factory.mktemp("rag")
    corpus = build_corpus(root)
    store = VectorStore(StoreLocation(path=root / "store"))
    try:
        report = ingest([corpus], COLLECTION, store, embedder, ChunkSpec())
    finally:
        store.close()
    return corpus, root / "store", report

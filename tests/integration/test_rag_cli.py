"""`llmctl ingest` and `llmctl ask` as an operator runs them: a summary, nothing rewritten on a second run, the
answer streamed from the endpoint with its sources, a TEI endpoint embedding instead of the bundled model, and one
line with a non-zero exit for each bad input."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from llmctl.cli import cli
from support.rag import RAG_FIXTURES
from support.rag_stack import EMBED_ENDPOINT, rag_stack
from support.servers import free_port

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def stack() -> Iterator[dict[str, Any]]:
    with rag_stack() as running:
        yield running


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    corpus = tmp_path / "docs"
    corpus.mkdir()
    for name in ("updates.md", "local.html"):
        shutil.copy(RAG_FIXTURES / "corpus" / name, corpus / name)
    return corpus


def _llmctl(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def _ingest(docs: Path, store: Path, *extra: str) -> Result:
    return _llmctl("ingest", str(docs), "--collection", "ops", "--store", str(store), *extra)


def test_ingest_summarises_and_skips_unchanged_files(docs: Path, tmp_path: Path) -> None:
    first = _ingest(docs, tmp_path / "store", "--json")
    assert first.exit_code == 0, first.output
    summary = json.loads(first.stdout)
    assert summary["collection"] == "ops" and summary["files"] == 2 and summary["written"] == 2
    assert summary["chunks"] > 10 and summary["tokens"] > summary["chunks"] * 100
    again = _ingest(docs, tmp_path / "store")
    assert again.exit_code == 0 and "2 files, 0 written, 2 unchanged" in again.stdout


def test_ask_streams_a_grounded_answer_with_sources(stack, docs: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert _ingest(docs, tmp_path / "store").exit_code == 0
    asked = _llmctl(
        "ask",
        "ECHO_PROMPT Why does UpdateEndpoint fail when an autoscaled variant changes instance type?",
        "--collection",
        "ops",
        "--store",
        str(tmp_path / "store"),
        "-e",
        "llm",
        "--endpoint-url",
        stack["runtime"],
        "--control-endpoint-url",
        stack["aws"],
        "--max-new-tokens",
        "3000",
        "--json",
    )
    assert asked.exit_code == 0, asked.output
    reply = json.loads(asked.stdout)
    assert set(reply) >= {"answer", "sources"}
    assert Path(reply["sources"][0]["path"]).name == "updates.md"
    answer = " ".join(reply["answer"].split())
    assert "[1] " + reply["sources"][0]["path"] in answer and "deregister the target" in answer
    assert reply["prompt_tokens"] <= 4096, "the budget came from the endpoint's MAX_INPUT_TOKENS"


def test_ingest_and_ask_through_a_tei_endpoint(stack, docs: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tei = ("--embedding-endpoint", EMBED_ENDPOINT, "--endpoint-url", stack["runtime"])
    assert _ingest(docs, tmp_path / "store", *tei).exit_code == 0
    asked = _llmctl(
        "ask",
        "Which port does the local SageMaker runtime listen on?",
        "-c",
        "ops",
        "--store",
        str(tmp_path / "store"),
        "-e",
        "llm",
        *tei,
        "--max-input-tokens",
        "2000",
        "--max-new-tokens",
        "8",
        "--json",
    )
    assert asked.exit_code == 0, asked.output
    assert Path(json.loads(asked.stdout)["sources"][0]["path"]).name == "local.html"


def test_bad_inputs_are_one_line_and_exit_2(stack, docs: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (docs / "scan.pdf").write_bytes(b"%PDF-1.7\ngarbage")
    broken = _ingest(docs, tmp_path / "store")
    assert broken.exit_code == 2 and "scan.pdf could not be parsed as a PDF" in broken.output
    assert len(broken.output.strip().splitlines()) == 1
    (docs / "scan.pdf").unlink()
    down = _ingest(docs, tmp_path / "store", "--qdrant-url", f"http://127.0.0.1:{free_port()}")
    assert down.exit_code == 2 and "did not answer" in down.output and "Traceback" not in down.output
    too_big = _ingest(docs, tmp_path / "store", "--chunk-tokens", "400")
    assert too_big.exit_code == 2 and "--chunk-tokens 254 or less" in too_big.output
    missing = _llmctl(
        "ask", "q", "-c", "nope", "--store", str(tmp_path / "store"), "-e", "llm", "--max-input-tokens", "999"
    )
    assert missing.exit_code == 2 and "collection `nope` does not exist" in missing.output

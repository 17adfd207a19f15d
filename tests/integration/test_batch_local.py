"""`llmctl batch` against the local runtime: 200 lines interrupted halfway and resumed are each answered exactly once
(counted where the requests arrive), and a failing line is recorded with its error and sent again by the next run."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from support.local_stack import create_endpoint
from support.servers import free_port, python_module, wait_http

pytestmark = pytest.mark.integration

REGISTRY = "763104351884.dkr.ecr.us-east-1.amazonaws.com"
TGI_IMAGE = f"{REGISTRY}/huggingface-pytorch-tgi-inference:2.7.0-tgi3.3.6-gpu-py311-cu124-ubuntu22.04"
LINES = 200


@pytest.fixture(scope="module")
def runtime() -> Iterator[str]:
    moto_port, runtime_port = free_port(), free_port()
    moto = python_module("llmctl.local_aws.server", "--port", str(moto_port))
    aws = f"http://127.0.0.1:{moto_port}"
    wait_http(f"{aws}/moto-api/data.json")
    sagemaker = boto3.client("sagemaker", endpoint_url=aws, region_name="us-east-1")
    for name in ("batch-ep", "flaky-ep"):
        create_endpoint(sagemaker, name, TGI_IMAGE, {"HF_MODEL_ID": "meta-llama/Llama-3.1-8B-Instruct"})
    url = f"http://127.0.0.1:{runtime_port}"
    process = python_module(
        "llmctl.local_aws.runtime",
        "--port",
        str(runtime_port),
        "--aws-url",
        aws,
        "--tokens-per-s",
        "100",
        "--first-token-ms",
        "20",
    )
    try:
        wait_http(f"{url}/ping")
        yield url
    finally:
        for p in (process, moto):
            p.terminate()
            p.wait(10)


def _invocations(runtime: str, endpoint: str) -> int:
    with urllib.request.urlopen(f"{runtime}/local/invocations") as reply:
        return int(json.load(reply).get(endpoint, 0))


def _batch_args(runtime: str, endpoint: str, source: Path, out: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-c",
        "from llmctl.cli import main; main()",
        "batch",
        str(source),
        "--out",
        str(out),
        "-e",
        endpoint,
        "--endpoint-url",
        runtime,
        "--region",
        "us-east-1",
        *extra,
    ]


def _records(out: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.read_text().splitlines()]


def test_an_interrupted_batch_resumes_and_answers_every_line_exactly_once(runtime: str, tmp_path: Path) -> None:
    source, out = tmp_path / "prompts.jsonl", tmp_path / "answers.jsonl"
    with source.open("w") as file:
        for i in range(LINES):
            if i % 2:
                file.write(
                    json.dumps(
                        {"id": f"q{i}", "messages": [{"role": "user", "content": f"Question {i}"}], "max_tokens": 6}
                    )
                    + "\n"
                )
            else:
                file.write(json.dumps({"inputs": f"Prompt {i}", "parameters": {"max_new_tokens": 6}}) + "\n")
    before = _invocations(runtime, "batch-ep")
    first = subprocess.Popen(
        _batch_args(runtime, "batch-ep", source, out, "--concurrency", "4"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not out.exists() or len(out.read_text().splitlines()) < LINES // 2):
        time.sleep(0.05)
    first.send_signal(signal.SIGINT)
    _, err = first.communicate(timeout=60)
    assert first.returncode == 130, err.decode()
    assert b"run the same command again to resume" in err
    halfway = _records(out)
    assert LINES // 2 <= len(halfway) < LINES, "stopped halfway, every line in flight written"

    second = subprocess.run(
        _batch_args(runtime, "batch-ep", source, out, "--concurrency", "4", "--json"), capture_output=True, timeout=120
    )
    assert second.returncode == 0, second.stderr.decode()
    summary = json.loads(second.stdout)
    assert summary["already_answered"] == len(halfway) and summary["answered"] == LINES - len(halfway)
    assert summary["failed"] == 0 and summary["left"] == 0 and summary["output_tokens"] == 6 * summary["answered"]

    records = _records(out)
    ids = [r["id"] for r in records]
    assert len(ids) == LINES == len(set(ids)), "every line answered once"
    assert sorted(r["line"] for r in records) == list(range(1, LINES + 1))
    assert all(r["output"]["output_tokens"] == 6 for r in records)
    assert _invocations(runtime, "batch-ep") - before == LINES, "the endpoint saw each line exactly once"


def test_failed_lines_are_recorded_and_sent_again(runtime: str, tmp_path: Path) -> None:
    source, out = tmp_path / "prompts.jsonl", tmp_path / "answers.jsonl"
    source.write_text(
        json.dumps({"id": "ok", "inputs": "fine", "parameters": {"max_new_tokens": 3}})
        + "\n"
        + json.dumps({"id": "bad", "inputs": "FAIL_422 now", "parameters": {"max_new_tokens": 3}})
        + "\n"
    )
    before = _invocations(runtime, "flaky-ep")
    first = subprocess.run(_batch_args(runtime, "flaky-ep", source, out), capture_output=True, timeout=60)
    assert first.returncode == 1 and b"1 lines failed" in first.stderr
    bad = [r for r in _records(out) if r["id"] == "bad"]
    assert bad and bad[0]["error"]["kind"] == "model_validation" and bad[0]["line"] == 2

    again = subprocess.run(_batch_args(runtime, "flaky-ep", source, out, "--json"), capture_output=True, timeout=60)
    assert again.returncode == 1
    assert json.loads(again.stdout)["already_answered"] == 1
    assert _invocations(runtime, "flaky-ep") - before == 3, "the answered line once, the failing one on each run"
    assert [r["id"] for r in _records(out)] == ["ok", "bad"], "the old failure is replaced, not duplicated"

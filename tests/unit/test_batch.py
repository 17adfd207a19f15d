"""`llmctl batch` input checks: every line is read and checked before anything is sent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from llmctl import batch
from llmctl.cli import cli
from llmctl.errors import LlmctlError


def _write(path: Path, *lines: str) -> Path:
    path.write_text("".join(f"{line}\n" for line in lines))
    return path


def _batch(tmp_path: Path, source: Path) -> tuple[int, str]:
    # No endpoint answers here: a request that got sent would fail with a connection error, not these messages.
    result = CliRunner().invoke(
        cli,
        ["batch", str(source), "--out", str(tmp_path / "out.jsonl"), "-e", "nowhere"],
        env={"AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": "http://127.0.0.1:9"},
    )
    return result.exit_code, result.output


def test_a_malformed_line_is_named_and_nothing_is_sent(tmp_path: Path) -> None:
    source = _write(tmp_path / "in.jsonl", '{"inputs": "one"}', "", '{"inputs": "two"', '{"inputs": "three"}')
    code, output = _batch(tmp_path, source)
    assert code == 2
    assert "in.jsonl line 3 is not valid JSON" in output and "nothing was sent" in output
    assert not (tmp_path / "out.jsonl").exists(), "the output is not even created"


def test_duplicate_ids_name_both_lines(tmp_path: Path) -> None:
    source = _write(
        tmp_path / "in.jsonl",
        '{"id": "a", "inputs": "one"}',
        '{"id": "b", "inputs": "two"}',
        '{"id": "a", "inputs": "x"}',
    )
    code, output = _batch(tmp_path, source)
    assert code == 2 and "lines 1 and 3 have the same id 'a'" in output


def test_identical_lines_without_ids_are_duplicates(tmp_path: Path) -> None:
    source = _write(tmp_path / "in.jsonl", '{"inputs": "same"}', '{"inputs": "same"}')
    code, output = _batch(tmp_path, source)
    assert code == 2 and "lines 1 and 2 have the same id" in output and "give identical lines ids" in output


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("[1, 2]", "is a JSON list, not an object"),
        ('{"prompt": "hi"}', 'needs "messages" (chat) or "inputs" (TGI); it has prompt'),
        ('{"messages": []}', "messages must be a non-empty list"),
        ('{"inputs": "  "}', "inputs must be a non-empty string"),
        ('{"inputs": "hi", "parameters": {"max_new_tokens": 0}}', "max new tokens must be at least 1"),
    ],
)
def test_each_bad_line_gets_one_sentence(tmp_path: Path, line: str, message: str) -> None:
    code, output = _batch(tmp_path, _write(tmp_path / "in.jsonl", '{"inputs": "fine"}', line))
    assert code == 2 and "line 2" in output and message in output and "Traceback" not in output


def test_lines_parse_into_requests_with_stable_ids(tmp_path: Path) -> None:
    source = _write(
        tmp_path / "in.jsonl",
        '{"id": 7, "messages": [{"role": "user", "content": "hi"}], "max_tokens": 9, "temperature": 0.2}',
        '{"inputs": "Tell me", "parameters": {"max_new_tokens": 5, "top_k": 3}}',
    )
    first, second = batch.read_lines(source, max_new_tokens=64)
    assert (first.id, first.wire_format, first.request.max_new_tokens, first.request.temperature) == (
        "7",
        "chat",
        9,
        0.2,
    )
    assert (second.wire_format, second.request.max_new_tokens, second.request.parameters) == ("tgi", 5, {"top_k": 3})
    assert second.request.prompt_text() == "Tell me", "a TGI line's inputs are sent as they are"
    assert second.id == batch.read_lines(source, max_new_tokens=64)[1].id, "a line without an id keeps its id"
    assert len(second.id) == 16


def test_a_rerun_keeps_answers_and_drops_failures(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    records = [
        {"id": "a", "line": 1, "output": {"text": "x", "finish_reason": "length", "output_tokens": 1}},
        {"id": "b", "line": 2, "error": {"kind": "model_error", "message": "boom"}},
    ]
    out.write_text("".join(json.dumps(r) + "\n" for r in records) + '{"id": "c", "li')  # cut mid-write
    assert batch.answered_ids(out) == {"a"}
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == ["a"]


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(LlmctlError, match="has no lines to send"):
        batch.read_lines(_write(tmp_path / "in.jsonl", "", "  "), 16)

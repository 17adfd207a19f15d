"""`llmctl invoke` end to end against the local runtime stand-in: output, stats, and every exit code."""

from __future__ import annotations

import json
import os
import socket
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from llmctl.cli import cli
from support.runtime_stub import ErrorReply, StreamReply, sse_tokens

pytestmark = pytest.mark.integration


def invoke(stub, *args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, ["invoke", "--endpoint-url", stub.url, "--region", "us-east-1", *args], input=input)


def test_streams_text_then_a_stats_line(stub_runtime) -> None:
    stub_runtime.replies.append(StreamReply([sse_tokens(["Bonjour", " le", " monde"], "chat")]))
    result = invoke(stub_runtime, "-e", "ep", "Say hello in French.")
    assert result.exit_code == 0, result.output
    assert result.stdout == "Bonjour le monde\n"
    assert "ttft" in result.stderr and "3 tokens" in result.stderr and "tokens/s" in result.stderr
    body = json.loads(stub_runtime.requests[0]["body"])
    assert body["messages"][-1] == {"role": "user", "content": "Say hello in French."}
    assert body["stream"] is True and body["max_tokens"] == 256


def test_json_output_for_scripts(stub_runtime) -> None:
    result = invoke(
        stub_runtime,
        "-e",
        "ep",
        "--json",
        "--no-stream",
        "--format",
        "tgi",
        "--max-new-tokens",
        "5",
        "--system",
        "be brief",
        "hi",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["text"].startswith("tok0") and data["output_tokens"] == 8 and data["stream"] is False
    body = json.loads(stub_runtime.requests[0]["body"])
    assert body["inputs"] == "be brief\n\nhi" and body["parameters"]["max_new_tokens"] == 5


def test_prompt_from_stdin_and_messages_file(stub_runtime, tmp_path: Path) -> None:
    assert invoke(stub_runtime, "-e", "ep", input="from stdin").exit_code == 0
    assert json.loads(stub_runtime.requests[-1]["body"])["messages"][-1]["content"] == "from stdin"
    messages = tmp_path / "m.json"
    messages.write_text(
        json.dumps(
            [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}, {"role": "user", "content": "c"}]
        )
    )
    assert invoke(stub_runtime, "-e", "ep", "--messages-file", str(messages)).exit_code == 0
    assert len(json.loads(stub_runtime.requests[-1]["body"])["messages"]) == 3


def test_expect_match_and_mismatch(stub_runtime) -> None:
    assert invoke(stub_runtime, "-e", "ep", "--expect", r"tok\d", "hi").exit_code == 0
    mismatch = invoke(stub_runtime, "-e", "ep", "--expect", "Paris", "hi")
    assert mismatch.exit_code == 1 and "did not match --expect 'Paris'" in mismatch.stderr


def test_endpoint_from_terraform_output(stub_runtime, tmp_path: Path, monkeypatch) -> None:
    bin_dir, tf_dir = tmp_path / "bin", tmp_path / "envs" / "dev"
    bin_dir.mkdir()
    tf_dir.mkdir(parents=True)
    fake = bin_dir / "terraform"
    # Stands in for `terraform output -json` of an applied root configuration.
    fake.write_text(
        '#!/bin/sh\necho \'{"endpoint_name": {"sensitive": false, "type": "string", "value": "llama-dev"}}\'\n'
    )
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    result = invoke(stub_runtime, "--tf-dir", str(tf_dir), "hi")
    assert result.exit_code == 0, result.output
    assert stub_runtime.requests[-1]["path"] == "/endpoints/llama-dev/invocations-response-stream"


def test_endpoint_from_environment(stub_runtime, monkeypatch) -> None:
    monkeypatch.setenv("LLM_ENDPOINT_NAME", "from-env")
    assert invoke(stub_runtime, "hi").exit_code == 0
    assert stub_runtime.requests[-1]["path"].startswith("/endpoints/from-env/")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["hi"], "no endpoint given"),
        (["-e", "ep", "--expect", "(", "hi"], "not a valid regular expression"),
        (["-e", "ep", "   "], "the prompt is empty"),
        (["-e", "ep", "--messages-file", "/nonexistent.json"], "could not be read"),
        (["--tf-dir", "/nonexistent-dir", "hi"], "is not a directory"),
    ],
)
def test_bad_input_exits_2(stub_runtime, monkeypatch, args, message) -> None:
    monkeypatch.delenv("LLM_ENDPOINT_NAME", raising=False)
    result = invoke(stub_runtime, *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr and "Traceback" not in result.output


def test_missing_endpoint_exits_3(stub_runtime) -> None:
    stub_runtime.replies.append(ErrorReply(400, "ValidationError", "Endpoint nope of account 123 not found."))
    result = invoke(stub_runtime, "-e", "nope", "hi")
    assert result.exit_code == 3 and "not found" in result.stderr


def test_model_error_exits_4_with_the_models_message(stub_runtime) -> None:
    stub_runtime.replies.append(
        ErrorReply(
            424,
            "ModelError",
            "Received client error (422)",
            {"OriginalStatusCode": 422, "OriginalMessage": "Input validation error: `max_new_tokens` must be <= 4096"},
        )
    )
    result = invoke(stub_runtime, "-e", "ep", "--no-stream", "hi")
    assert result.exit_code == 4
    assert "Input validation error: `max_new_tokens` must be <= 4096" in result.stderr


def test_stream_failure_exits_4(stub_runtime) -> None:
    stub_runtime.replies.append(StreamReply([], error=("ModelStreamError", "model crashed")))
    assert invoke(stub_runtime, "-e", "ep", "hi").exit_code == 4


def test_unreachable_exits_5() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens here once the socket closes
    result = CliRunner().invoke(
        cli, ["invoke", "-e", "ep", "--endpoint-url", f"http://127.0.0.1:{port}", "--region", "us-east-1", "hi"]
    )
    assert result.exit_code == 5 and "could not connect" in result.stderr


def test_timeout_exits_5(stub_runtime) -> None:
    stub_runtime.replies.extend(StreamReply([b"", sse_tokens(["late"], "tgi")], delay_s=3.0) for _ in range(4))
    result = invoke(stub_runtime, "-e", "ep", "--timeout", "0.5", "hi")
    assert result.exit_code == 5 and "before the read timeout" in result.stderr


def test_corrupt_stream_frame_exits_4_without_a_traceback(stub_runtime) -> None:
    """A frame with a bad CRC (botocore's ChecksumMismatch, an event-stream ParserError) is a stream error."""
    stub_runtime.replies.append(StreamReply([sse_tokens(["one", " two"], "chat")], corrupt_after=0))
    result = invoke(stub_runtime, "-e", "ep", "hi")
    assert result.exit_code == 4, result.output
    assert "Traceback" not in result.output
    assert "frame was corrupt" in result.stderr and "ChecksumMismatch" in result.stderr


def test_timeout_is_the_whole_call_and_a_silent_endpoint_gets_one_send(stub_runtime) -> None:
    import time

    from support.runtime_stub import SilentReply

    timeout, silence = 1.0, 10.0
    for _ in range(4):
        stub_runtime.replies.append(SilentReply(silence))
    started = time.monotonic()
    result = invoke(stub_runtime, "-e", "ep", "--timeout", str(timeout), "--no-stream", "hi")
    assert result.exit_code == 5, result.output
    assert "did not answer in time" in result.output and "Traceback" not in result.output
    # A defect waits out the silence or re-sends; halfway there leaves slack for a loaded host.
    assert time.monotonic() - started < timeout + (silence - timeout) / 2
    assert len(stub_runtime.requests) == 1


def test_the_local_stack_needs_no_exported_credentials_or_region(stub_runtime, tmp_path, monkeypatch) -> None:
    """Issue 24: against a loopback runtime (the local stack) llmctl uses placeholder credentials and the local env's
    region itself; nothing is exported by hand and no AWS config is read."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    stub_runtime.replies.append(StreamReply([sse_tokens(["ok"], "chat")]))
    result = CliRunner().invoke(cli, ["invoke", "--endpoint-url", stub_runtime.url, "-e", "ep", "hi"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "ok\n"
    assert "us-east-1" in stub_runtime.requests[0]["headers"]["Authorization"], "signed for the local env's region"
    assert "AWS_ACCESS_KEY_ID" not in os.environ, "the placeholders stay in the session, out of the process environment"

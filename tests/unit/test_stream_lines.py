"""Line reassembly and event decoding, independent of transport."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from llm_service.client.errors import StreamError
from llm_service.client.stream import iter_chunks

TEXT = ["Grüße", " aus", " 東京", " 🚀", " naïve", " café", "\n", " done"]


def tgi_stream() -> bytes:
    lines = []
    for i, tok in enumerate(TEXT):
        last = i == len(TEXT) - 1  # TGI's last event carries the whole generated_text
        event = {
            "token": {"id": i, "text": tok, "special": False},
            "generated_text": "".join(TEXT) if last else None,
            "details": None,
        }
        lines.append(b"data:" + json.dumps(event, ensure_ascii=False).encode() + b"\n\n")
        if i == 2:
            lines.append(b": keep-alive\n\n\n")  # comment line and an extra blank line
    return b"".join(lines)


def chat_stream() -> bytes:
    lines = [
        b"data: "
        + json.dumps({"choices": [{"delta": {"content": t}, "finish_reason": None}]}, ensure_ascii=False).encode()
        + b"\r\n\r\n"
        for t in TEXT
    ]
    return b"".join(lines) + b'data: [DONE]\n\ndata: {"choices": [{"delta": {"content": "AFTER"}}]}\n\n'


def lmi_jsonlines() -> bytes:
    # djl_python output_formatter._jsonlines_output_formatter: the last line adds generated_text.
    lines = []
    for i, t in enumerate(TEXT):
        line: dict = {"token": {"id": i, "text": t, "log_prob": -0.2}}
        if i == len(TEXT) - 1:
            line["generated_text"] = "".join(TEXT)
        lines.append(json.dumps(line, ensure_ascii=False).encode() + b"\n")
    return b"".join(lines)


def split_at(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    pieces, start = [], 0
    for p in points:
        pieces.append(data[start:p])
        start = p
    pieces.append(data[start:])
    return pieces


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([tgi_stream, chat_stream, lmi_jsonlines]), st.lists(st.integers(0, 10_000), max_size=40))
def test_any_byte_split_recovers_identical_text(make, cuts) -> None:
    text = "".join(chunk.text for chunk in iter_chunks(split_at(make(), cuts)))
    assert text == "".join(TEXT)


def test_done_stops_the_stream() -> None:
    assert "AFTER" not in "".join(c.text for c in iter_chunks([chat_stream()]))


def test_data_prefix_is_stripped_as_a_prefix_not_characters() -> None:
    # lstrip("data:") would also eat the leading "a" of this JSON key's value.
    event = {"token": {"text": "data:at", "special": False}, "generated_text": "data:at"}
    chunks = list(iter_chunks([b"data:" + json.dumps(event).encode() + b"\n"]))
    assert chunks[0].text == "data:at"


def test_special_tokens_are_not_text() -> None:
    event = {"token": {"id": 2, "text": "</s>", "special": True}, "details": {"finish_reason": "eos_token"}}
    (chunk,) = iter_chunks([b"data:" + json.dumps(event).encode() + b"\n\n"])
    assert chunk.text == "" and chunk.finish_reason == "eos_token"


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ({"error": "Request failed during generation: out of memory", "error_type": "generation"}, "out of memory"),
        ({"error": {"message": "Input validation error: too long", "http_status_code": 422}}, "too long"),
    ],
)
def test_error_events_raise_with_the_model_message(event, message) -> None:
    first = {"token": {"text": "hi", "special": False}}
    data = b"data:" + json.dumps(first).encode() + b"\n\ndata:" + json.dumps(event).encode() + b"\n\n"
    chunks = iter_chunks([data])
    assert next(chunks).text == "hi"
    with pytest.raises(StreamError, match=message):
        next(chunks)


def test_non_json_line_is_a_stream_error() -> None:
    with pytest.raises(StreamError, match="not JSON"):
        list(iter_chunks([b"data: {broken\n\n"]))


@pytest.mark.parametrize("make", [tgi_stream, lmi_jsonlines], ids=["tgi", "lmi"])
def test_a_stream_without_its_final_event_is_a_truncation_error(make) -> None:  # type: ignore[no-untyped-def]
    lines = make().split(b"\n")
    last_event = max(
        i for i, line in enumerate(lines) if b"generated_text" in line and b'"generated_text": null' not in line
    )
    cut = b"\n".join(lines[:last_event]) + b"\n"
    with pytest.raises(StreamError, match="ended without its final event after 7 tokens"):
        list(iter_chunks([cut]))


def test_a_chat_stream_without_done_or_finish_reason_is_a_truncation_error() -> None:
    body = chat_stream().split(b"data: [DONE]")[0]
    with pytest.raises(StreamError, match="truncated"):
        list(iter_chunks([body]))

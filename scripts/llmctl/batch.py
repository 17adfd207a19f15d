"""A file of prompts through an endpoint: parse and check every line first, then run them with bounded concurrency,
appending each answer to the output as it arrives, so an interrupted run resumes where it stopped.

Input: JSON Lines, one request per line, in the chat shape (`{"messages": [...], "max_tokens": 64}`) or TGI's
(`{"inputs": "...", "parameters": {"max_new_tokens": 64}}`), each with an optional `"id"`. A line without an id is
known by a hash of its content, so the same file run twice names its lines the same way.

Output: JSON Lines, one record per answered or failed line: `{"id", "line", "output": {text, finish_reason,
output_tokens}, "latency_s"}` or `{"id", "line", "error": {kind, message}}`. A rerun keeps the answers, drops the
failures and sends what is left (the failures included).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llm_service.client import Completion, GenerationRequest, InferenceError, WireFormat
from llm_service.client.translate import translate

from .errors import LlmctlError

CHAT_PARAMETERS = ("temperature", "top_p", "stop")


@dataclass(frozen=True)
class Line:
    number: int  # 1-based, as an editor shows it
    id: str
    wire_format: WireFormat
    request: GenerationRequest


@dataclass
class Tally:
    total: int = 0
    skipped: int = 0  # answered by an earlier run
    answered: int = 0
    failed: int = 0
    tokens: int = 0
    started: float = field(default_factory=time.monotonic)

    @property
    def elapsed_s(self) -> float:
        return time.monotonic() - self.started

    @property
    def tokens_per_s(self) -> float:
        return self.tokens / self.elapsed_s if self.elapsed_s > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "lines": self.total,
            "answered": self.answered,
            "already_answered": self.skipped,
            "failed": self.failed,
            "left": self.total - self.skipped - self.answered - self.failed,
            "output_tokens": self.tokens,
            "seconds": round(self.elapsed_s, 3),
            "tokens_per_s": round(self.tokens_per_s, 1),
        }


def _content_id(obj: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


def _request(obj: dict[str, Any], where: str, max_new_tokens: int) -> tuple[WireFormat, GenerationRequest]:
    if "messages" in obj:
        messages = obj["messages"]
        if (
            not isinstance(messages, list)
            or not messages
            or not all(isinstance(m, dict) and "role" in m for m in messages)
        ):
            raise LlmctlError(f"{where}: messages must be a non-empty list of {{role, content}} objects.")
        extra = {
            k: v
            for k, v in obj.items()
            if k not in ("id", "messages", "max_tokens", "max_new_tokens", *CHAT_PARAMETERS)
        }
        request = GenerationRequest(
            messages=messages,
            max_new_tokens=int(obj.get("max_tokens") or obj.get("max_new_tokens") or max_new_tokens),
            temperature=obj.get("temperature"),
            top_p=obj.get("top_p"),
            stop=list(obj.get("stop") or []),
            parameters=extra,
        )
        return "chat", request
    if "inputs" in obj:
        if not isinstance(obj["inputs"], str) or not obj["inputs"].strip():
            raise LlmctlError(f"{where}: inputs must be a non-empty string.")
        parameters = dict(obj.get("parameters") or {})
        request = GenerationRequest.from_prompt(
            obj["inputs"],
            max_new_tokens=int(parameters.pop("max_new_tokens", max_new_tokens)),
            temperature=parameters.pop("temperature", None),
            top_p=parameters.pop("top_p", None),
            stop=list(parameters.pop("stop", None) or []),
            parameters=parameters,
        )
        return "tgi", request
    raise LlmctlError(
        f'{where}: a line needs "messages" (chat) or "inputs" (TGI); it has {", ".join(obj) or "nothing"}.'
    )


def read_lines(path: Path, max_new_tokens: int) -> list[Line]:
    """Every line checked before anything is sent: one clear error names the first bad line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LlmctlError(f"{path} could not be read ({exc}).") from None
    lines: list[Line] = []
    first_line_of: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        where = f"{path} line {number}"
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise LlmctlError(f"{where} is not valid JSON ({exc.msg}, column {exc.colno}); nothing was sent.") from None
        if not isinstance(obj, dict):
            raise LlmctlError(f"{where} is a JSON {type(obj).__name__}, not an object; nothing was sent.")
        wire_format, request = _request(obj, where, max_new_tokens)
        try:
            request.validate()
        except InferenceError as exc:
            raise LlmctlError(f"{where}: {exc}") from None
        line_id = str(obj["id"]) if obj.get("id") not in (None, "") else _content_id(obj)
        if line_id in first_line_of:
            raise LlmctlError(
                f"{path} lines {first_line_of[line_id]} and {number} have the same id {line_id!r}: ids must be "
                "unique (a line without an id is known by its content, so give identical lines ids); nothing was sent."
            )
        first_line_of[line_id] = number
        lines.append(Line(number, line_id, wire_format, request))
    if not lines:
        raise LlmctlError(f"{path} has no lines to send.")
    return lines


def answered_ids(out: Path) -> set[str]:
    """Ids the output already answers; the output is rewritten without its failures (they are sent again)."""
    if not out.exists():
        return set()
    kept: list[str] = []
    ids: set[str] = set()
    for raw in out.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(raw)
        except json.JSONDecodeError:
            continue  # a line cut by a crash mid-write: its request is sent again
        if isinstance(record, dict) and "output" in record and "id" in record and str(record["id"]) not in ids:
            ids.add(str(record["id"]))
            kept.append(raw)
    handle, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.")
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        file.write("".join(f"{raw}\n" for raw in kept))
    os.replace(tmp, out)
    return ids


def _record(line: Line, outcome: Completion | InferenceError, latency_s: float) -> dict[str, Any]:
    base: dict[str, Any] = {"id": line.id, "line": line.number}
    if isinstance(outcome, InferenceError):
        return {**base, "error": {"kind": outcome.kind, "message": str(outcome)}}
    output = {"text": outcome.text, "finish_reason": outcome.finish_reason, "output_tokens": outcome.output_tokens}
    return {**base, "output": output, "latency_s": round(latency_s, 3)}


def run(
    lines: Iterable[Line],
    out: Path,
    call: Callable[[Line], Completion],
    concurrency: int,
    tally: Tally,
    stop: threading.Event,
    on_record: Callable[[dict[str, Any]], None],
) -> None:
    """Send the lines, at most `concurrency` at once, appending each record as it arrives. When `stop` is set no new
    line is sent; the ones in flight finish and are written, so none is answered twice."""

    def timed(line: Line) -> tuple[Line, Completion | InferenceError, float]:
        start = time.monotonic()
        try:
            return line, call(line), time.monotonic() - start
        except Exception as exc:  # every failure becomes the line's error record, never a lost line
            try:
                return line, translate(exc), time.monotonic() - start
            except Exception:
                return line, InferenceError(f"{type(exc).__name__}: {exc}"), time.monotonic() - start

    pending = iter(lines)
    in_flight: set[Future[tuple[Line, Completion | InferenceError, float]]] = set()
    with out.open("a", encoding="utf-8") as file, ThreadPoolExecutor(max_workers=concurrency) as pool:
        while True:
            while not stop.is_set() and len(in_flight) < concurrency:
                line = next(pending, None)
                if line is None:
                    break
                in_flight.add(pool.submit(timed, line))
            if not in_flight:
                return
            done, in_flight = wait(in_flight, timeout=0.2, return_when=FIRST_COMPLETED)
            for future in done:
                line, outcome, latency = future.result()
                record = _record(line, outcome, latency)
                file.write(json.dumps(record, ensure_ascii=False) + "\n")
                file.flush()
                if "error" in record:
                    tally.failed += 1
                else:
                    tally.answered += 1
                    tally.tokens += int(record["output"]["output_tokens"] or 0)
                on_record(record)

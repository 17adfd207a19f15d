"""A marker that tests put into prompts, and a recorder of every log record the test run creates.

Records are taken at `Logger.handle`, before any handler or `propagate=False` can hide them (uvicorn's loggers do
not propagate), with their message, `extra=` fields, exception and traceback text: everything a log line can carry.
"""

from __future__ import annotations

import logging
import traceback
from typing import Any

PROMPT_CANARY = "canary-prompt-5f1c"

_RESERVED = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__)


def record_text(record: logging.LogRecord) -> str:
    parts = [record.name, str(record.msg), *map(str, record.args or ())]
    parts += [f"{key}={value}" for key, value in record.__dict__.items() if key not in _RESERVED]
    if record.exc_info and record.exc_info[1] is not None:
        parts += traceback.format_exception(record.exc_info[1])
    return " ".join(parts)


class LogRecorder:
    def __init__(self) -> None:
        self.texts: list[str] = []
        self._original: Any = None

    def install(self) -> None:
        self._original = original = logging.Logger.handle
        texts = self.texts

        def handle(logger: logging.Logger, record: logging.LogRecord) -> None:
            texts.append(record_text(record))
            original(logger, record)

        logging.Logger.handle = handle  # type: ignore[method-assign]

    def uninstall(self) -> None:
        logging.Logger.handle = self._original  # type: ignore[method-assign]

    def lines_with(self, needle: str) -> list[str]:
        return [text for text in self.texts if needle in text]

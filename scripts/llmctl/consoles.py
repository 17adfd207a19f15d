"""The one place llmctl makes rich consoles: a terminal gets its own width; anything else (CI logs, pipes, files)
gets tables at their natural width, since rich would otherwise wrap at 80 columns and cut values such as
`ml.g5.2xl…` out of a CI log."""

from __future__ import annotations

import os
import sys
from typing import IO

from rich.console import Console

# Wide enough for every table llmctl prints (image URIs are the longest cells); tables never stretch to it.
NO_TERMINAL_WIDTH = 250


def console(stderr: bool = False, file: IO[str] | None = None) -> Console:
    stream = file or (sys.stderr if stderr else sys.stdout)
    if os.environ.get("COLUMNS") or (hasattr(stream, "isatty") and stream.isatty()):
        return Console(file=file, stderr=stderr)
    return Console(file=file, stderr=stderr, width=NO_TERMINAL_WIDTH)

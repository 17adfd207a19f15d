"""User-facing errors: one sentence, what is wrong and how to fix it, exit code 2."""

from __future__ import annotations


class LlmctlError(Exception):
    """A bad input or unmet precondition; the CLI prints the message and exits with `exit_code`."""

    exit_code = 2

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


def close_matches(word: str, choices: list[str], n: int = 3) -> str:
    """'did you mean' suffix for unknown names, or an empty string."""
    import difflib

    found = difflib.get_close_matches(word, choices, n=n, cutoff=0.6)
    return f" Did you mean {', '.join(found)}?" if found else ""

"""Retrieval's one error type: a sentence saying what is wrong and how to fix it."""

from __future__ import annotations


class RagError(Exception):
    """Bad input or an unusable store/embedder; `status` is the HTTP status the service answers with."""

    def __init__(self, message: str, status: int = 400, code: str = "rag_error") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code

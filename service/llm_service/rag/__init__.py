"""Retrieval-augmented answers: documents → chunks → embeddings → Qdrant, then passages → prompt → the LLM.

Shared by the service (`POST /v1/rag/chat/completions`) and `llmctl ingest` / `llmctl ask`. The heavy parts
(NumPy model, tokenizers, qdrant-client, parsers) import lazily, so the service starts without the `rag` extra and
answers retrieval requests with one sentence saying how to install it.
"""

from .errors import RagError

__all__ = ["RagError"]

"""Search a collection for a question: embed it, query the store, say clearly when the collection is missing or
empty."""

from __future__ import annotations

import numpy as np

from .embeddings import DISTANCE, Embedder
from .errors import RagError
from .store import Passage, VectorStore


class Retriever:
    def __init__(self, embedder: Embedder, store: VectorStore) -> None:
        self.embedder = embedder
        self.store = store

    def check_collection(self, collection: str) -> None:
        """Exists, holds vectors this embedder can be compared with, and is not empty."""
        self.store.ensure_collection(collection, self.embedder.dimension, DISTANCE, create=False)
        if self.store.count(collection) == 0:
            raise RagError(
                f"collection `{collection}` is empty; ingest documents into it: llmctl ingest PATH --collection "
                f"{collection}",
                status=404,
                code="collection_empty",
            )

    def search(self, collection: str, question: str, top_k: int, score_threshold: float | None = None) -> list[Passage]:
        return self.search_vector(collection, self.embedder.embed([question])[0], top_k, score_threshold)

    def search_vector(
        self, collection: str, vector: np.ndarray, top_k: int, score_threshold: float | None = None
    ) -> list[Passage]:
        """The search first; the collection is examined only when it fails or finds nothing (a missing, empty or
        mismatched collection then gets its own message), so a good query costs one store call."""
        try:
            passages = self.store.search(collection, vector, top_k, score_threshold)
        except RagError:
            raise
        except Exception:
            self.check_collection(collection)
            raise
        if not passages:
            self.check_collection(collection)
        return passages

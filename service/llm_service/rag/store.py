"""The vector store: Qdrant through qdrant-client, embedded in a directory by default or a server at scale (same
calls either way).

Each chunk is a point with its file's path, chunk index, character span, text and the file's content hash. A file is
replaced without a window where it is missing or half-written: its new version is embedded completely first (the
minutes an ingest takes), then written in one upsert, then the old version's points are deleted. An ingest
interrupted while embedding leaves the previous version as it was; one stopped between the write and the delete
leaves both versions (never a partial one), which the next ingest sees in `file_hashes` and cleans up.

Searches carry no filter: the embedded store evaluates a payload filter in Python for every point (measured: 7 ms
per search at 1,000 points, 147 ms at 20,000, against 0.2 ms unfiltered at 113), so the write order above, not a
flag, keeps half-written versions out of sight.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .errors import RagError

_IDS = uuid.UUID("6f0b1c1e-7a64-4f0c-9b38-2f6d3c1a9e55")
# One upsert per file up to this many points (a few MB): a server applies one request as one operation.
_UPSERT_BATCH = 2048


@dataclass(frozen=True)
class StoreLocation:
    path: Path | None = None  # embedded
    url: str | None = None  # a Qdrant server
    api_key: str | None = None

    def describe(self) -> str:
        return f"the Qdrant server at {self.url}" if self.url else f"the embedded store in {self.path}"


@dataclass(frozen=True)
class Passage:
    path: str
    chunk: int
    score: float
    text: str

    def source(self) -> dict[str, Any]:
        return {"path": self.path, "chunk": self.chunk, "score": round(self.score, 4)}


def _models() -> Any:
    try:
        from qdrant_client import models
    except ImportError:
        from .embeddings import INSTALL_HINT

        raise RagError(f"qdrant-client is not installed; {INSTALL_HINT}.", status=503) from None
    return models


def _match(key: str, value: Any) -> Any:
    models = _models()
    return models.FieldCondition(key=key, match=models.MatchValue(value=value))


class VectorStore:
    def __init__(self, location: StoreLocation) -> None:
        _models()
        from qdrant_client import QdrantClient

        self.location = location
        if location.url:
            self._client = QdrantClient(
                url=location.url, api_key=location.api_key, timeout=10, check_compatibility=False
            )
        else:
            assert location.path is not None
            location.path.mkdir(parents=True, exist_ok=True)
            try:
                self._client = QdrantClient(path=str(location.path))
            except RuntimeError as exc:
                if "already accessed" not in str(exc):
                    raise
                raise RagError(
                    f"{location.describe()} is open in another process (the service, one of its workers, or "
                    "another ingest); the embedded store takes one process at a time: stop that process, run the "
                    "service with --workers 1, or use a Qdrant server (--qdrant-url / LLM_SERVICE_RAG_QDRANT_URL) "
                    "to share it.",
                    status=503,
                ) from None

    def close(self) -> None:
        self._client.close()

    def _call(self, what: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """Qdrant calls with its failures as one sentence (a server that is down, a bad key)."""
        from qdrant_client.http.exceptions import ResponseHandlingException, UnexpectedResponse

        try:
            return fn(*args, **kwargs)
        except ResponseHandlingException as exc:
            raise RagError(
                f"{self.location.describe()} did not answer ({exc}); start it, or check the URL.", status=503
            ) from None
        except UnexpectedResponse as exc:
            if exc.status_code in (401, 403):
                raise RagError(
                    f"{self.location.describe()} refused the API key (HTTP {exc.status_code}); check "
                    "LLM_SERVICE_RAG_QDRANT_API_KEY_FILE.",
                    status=503,
                ) from None
            raise RagError(
                f"{self.location.describe()} failed to {what}: HTTP {exc.status_code}.", status=502
            ) from None

    # Collections

    def collection_exists(self, name: str) -> bool:
        return bool(self._call("list collections", self._client.collection_exists, name))

    def ensure_collection(self, name: str, dimension: int, distance: str, create: bool) -> None:
        """The collection exists with the embedder's vector size and distance (created when `create`)."""
        models = _models()
        if not self.collection_exists(name):
            if not create:
                raise RagError(
                    f"collection `{name}` does not exist in {self.location.describe()}; ingest documents into it "
                    f"first: llmctl ingest PATH --collection {name}",
                    status=404,
                    code="collection_not_found",
                )
            self._call(
                "create the collection",
                self._client.create_collection,
                name,
                vectors_config=models.VectorParams(size=dimension, distance=models.Distance(distance)),
            )
            if self.location.url:  # ingest filters by path; a server indexes it
                self._call("index the payload", self._client.create_payload_index, name, "path", "keyword")
            return
        params = self._call("read the collection", self._client.get_collection, name).config.params.vectors
        size, found_distance = params.size, str(getattr(params.distance, "value", params.distance))
        if size != dimension or found_distance != distance:
            raise RagError(
                f"collection `{name}` holds {size}-dimension {found_distance} vectors but the embedding model makes "
                f"{dimension}-dimension {distance} ones; use the model it was built with, or ingest into a new "
                "collection.",
                status=409,
                code="embedding_mismatch",
            )

    def count(self, name: str) -> int:
        return int(self._call("count points", self._client.count, name, exact=True).count)

    # Files

    def file_hashes(self, name: str) -> dict[str, set[str]]:
        """Each stored file's content hashes: one when it is whole, two after an ingest stopped mid-replace."""
        hashes: dict[str, set[str]] = {}
        offset = None
        while True:
            points, offset = self._call(
                "list files",
                self._client.scroll,
                name,
                limit=2048,
                offset=offset,
                with_payload=["path", "hash"],
            )
            for point in points:
                hashes.setdefault(str(point.payload["path"]), set()).add(str(point.payload["hash"]))
            if offset is None:
                return hashes

    def replace_file(
        self, name: str, path: str, content_hash: str, chunks: Sequence[dict[str, Any]], vectors: np.ndarray, model: str
    ) -> None:
        """Write `chunks` (dicts with chunk, text, start, end, tokens) as `path`'s version, then drop the others."""
        models = _models()
        points = [
            models.PointStruct(
                id=str(uuid.uuid5(_IDS, f"{path}\0{content_hash}\0{chunk['chunk']}")),
                vector=vector.tolist(),
                payload={**chunk, "path": path, "hash": content_hash, "model": model},
            )
            for chunk, vector in zip(chunks, vectors, strict=True)
        ]
        for start in range(0, len(points), _UPSERT_BATCH):
            self._call("write points", self._client.upsert, name, points=points[start : start + _UPSERT_BATCH])
        self._delete(name, models.Filter(must=[_match("path", path)], must_not=[_match("hash", content_hash)]))

    def remove_file(self, name: str, path: str) -> None:
        self._delete(name, _models().Filter(must=[_match("path", path)]))

    def _delete(self, name: str, selector: Any) -> None:
        models = _models()
        self._call("delete points", self._client.delete, name, points_selector=models.FilterSelector(filter=selector))

    def passage(self, name: str, path: str, chunk: int) -> str | None:
        """The text of one chunk (what a source points at)."""
        models = _models()
        points, _ = self._call(
            "read a chunk",
            self._client.scroll,
            name,
            scroll_filter=models.Filter(must=[_match("path", path), _match("chunk", chunk)]),
            limit=1,
            with_payload=["text"],
        )
        return str(points[0].payload["text"]) if points else None

    # Search

    def search(self, name: str, vector: np.ndarray, top_k: int, score_threshold: float | None) -> list[Passage]:
        response = self._call(
            "search",
            self._client.query_points,
            name,
            query=vector.tolist(),
            limit=top_k,
            score_threshold=score_threshold,
            with_payload=["path", "chunk", "text"],
        )
        return [
            Passage(str(p.payload["path"]), int(p.payload["chunk"]), float(p.score), str(p.payload["text"]))
            for p in response.points
        ]

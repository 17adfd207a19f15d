"""Ingest: files → text → chunks → vectors → the collection, skipping unchanged files.

Every file is read and chunked before anything is written, so a file that cannot be parsed stops the run with
nothing changed; each file is then embedded completely and replaced as a whole (store.replace_file), so an
interrupted run leaves every file's previous version searchable.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from . import chunking, documents
from .embeddings import DISTANCE, Embedder
from .errors import RagError
from .store import VectorStore

EMBED_BATCH = 32


@dataclass
class IngestReport:
    files: int = 0  # files found under the paths
    written: int = 0  # new or changed, (re)written
    unchanged: int = 0
    removed: int = 0  # pruned: gone from disk
    empty: list[str] = field(default_factory=list)  # no text to index (e.g. a scanned PDF)
    chunks: int = 0
    tokens: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "seconds": round(self.seconds, 3)}


@dataclass(frozen=True)
class _Pending:
    path: str
    content_hash: str
    chunks: list[chunking.Chunk]


def stored_name(path: Path) -> str:
    """A path as sources show it: relative to the working directory when under it."""
    resolved = path.resolve()
    try:
        return resolved.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()


def discover(paths: Sequence[Path]) -> list[Path]:
    """The files to ingest: named files as they are, directories walked for the suffixes ingest reads."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                found += [Path(root) / f for f in sorted(files) if documents.kind_of(Path(f)) and not f.startswith(".")]
        elif path.is_file():
            if documents.kind_of(path) is None:
                known = ", ".join(sorted(documents.SUFFIXES))
                raise RagError(f"{path}: ingest reads {known} files; convert it or leave it out.")
            found.append(path)
        else:
            raise RagError(f"{path} does not exist; check the path.")
    return found


def _hash(path: Path, spec: chunking.ChunkSpec, model: str) -> str:
    digest = hashlib.sha256(path.read_bytes())
    # New chunk sizes, a new chunker or another model make every chunk different: re-ingest the file.
    digest.update(f"\0{spec.tokens}/{spec.overlap}/{chunking.VERSION}\0{model}".encode())
    return digest.hexdigest()[:32]


def ingest(
    paths: Sequence[Path],
    collection: str,
    store: VectorStore,
    embedder: Embedder,
    spec: chunking.ChunkSpec,
    prune: bool = False,
    on_total: Callable[[int], None] | None = None,
    on_chunks: Callable[[int], None] | None = None,
) -> IngestReport:
    started = time.perf_counter()
    spec.check(embedder.max_tokens)
    files = discover(paths)
    report = IngestReport(files=len(files))
    store.ensure_collection(collection, embedder.dimension, DISTANCE, create=True)

    stored = store.file_hashes(collection)
    pending: list[_Pending] = []
    seen: set[str] = set()
    for path in files:
        name = stored_name(path)
        seen.add(name)
        content_hash = _hash(path, spec, embedder.model)
        if stored.get(name) == {content_hash}:
            report.unchanged += 1
            continue
        document = documents.load(path, name)
        chunks = chunking.split(document.text, spec, embedder.token_offsets)
        if not chunks:
            report.empty.append(name)
            continue
        pending.append(_Pending(name, content_hash, chunks))
    if on_total is not None:
        on_total(sum(len(p.chunks) for p in pending))

    for each in pending:
        texts = [c.text for c in each.chunks]
        vectors = _embed(embedder, texts, on_chunks)
        payloads = [
            {"chunk": c.index, "text": c.text, "start": c.start, "end": c.end, "tokens": c.tokens} for c in each.chunks
        ]
        store.replace_file(collection, each.path, each.content_hash, payloads, vectors, embedder.model)
        report.written += 1
        report.chunks += len(each.chunks)
        report.tokens += sum(c.tokens for c in each.chunks)

    # Files that left an empty document keep no stale chunks either.
    for name in report.empty:
        store.remove_file(collection, name)
    if prune:
        roots = [stored_name(p) for p in paths if p.is_dir()]
        for name in sorted(set(stored) - seen):
            if any(name == root or name.startswith(root.rstrip("/") + "/") for root in roots):
                store.remove_file(collection, name)
                report.removed += 1
    report.seconds = time.perf_counter() - started
    return report


def _embed(embedder: Embedder, texts: list[str], on_chunks: Callable[[int], None] | None) -> np.ndarray:
    """In batches, so the progress bar moves during a long file."""
    parts = []
    for start in range(0, len(texts), EMBED_BATCH):
        batch = texts[start : start + EMBED_BATCH]
        parts.append(embedder.embed(batch))
        if on_chunks is not None:
            on_chunks(len(batch))
    return np.concatenate(parts)

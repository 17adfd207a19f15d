"""Query embeddings for concurrent requests, off the event loop.

`QueryBatcher` embeds every question that arrived while the previous batch ran in one call on a worker thread (no
added wait when idle: a lone question goes at once). `PooledEmbedder` is the alternative, one question per call on a
bounded thread pool. bench/bench_rag.py measures both; the service uses the batcher (docs/performance.md).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

import anyio
import numpy as np

EmbedFn = Callable[[Sequence[str]], np.ndarray]


class QueryBatcher:
    def __init__(self, embed: EmbedFn, max_batch: int = 32) -> None:
        self._embed = embed
        self._max_batch = max_batch
        self._waiting: list[tuple[str, asyncio.Future[np.ndarray]]] = []
        self._running = False
        self.batches = 0  # for tests and the benchmark: how many embed calls ran

    async def embed(self, text: str) -> np.ndarray:
        future: asyncio.Future[np.ndarray] = asyncio.get_running_loop().create_future()
        self._waiting.append((text, future))
        if not self._running:
            self._running = True
            asyncio.get_running_loop().create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        try:
            while self._waiting:
                batch, self._waiting = self._waiting[: self._max_batch], self._waiting[self._max_batch :]
                self.batches += 1
                try:
                    vectors = await anyio.to_thread.run_sync(self._embed, [text for text, _ in batch])
                except Exception as exc:  # every waiter learns why
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                for (_, future), vector in zip(batch, vectors, strict=True):
                    if not future.done():  # a cancelled request no longer waits
                        future.set_result(vector)
        finally:
            self._running = False


class PooledEmbedder:
    def __init__(self, embed: EmbedFn, threads: int = 2) -> None:
        self._embed = embed
        self._limiter = anyio.CapacityLimiter(threads)
        self.batches = 0

    async def embed(self, text: str) -> np.ndarray:
        self.batches += 1
        vectors = await anyio.to_thread.run_sync(self._embed, [text], limiter=self._limiter)
        return np.asarray(vectors[0])

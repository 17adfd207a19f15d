"""Per-key concurrency (→ 429) within one process; shared_limits.SharedConcurrency is the same across workers."""

from __future__ import annotations

from collections import defaultdict
from typing import Protocol


class Concurrency(Protocol):
    def try_acquire(self, key: str, limit: int) -> bool: ...

    def release(self, key: str) -> None: ...

    def inflight(self, key: str) -> int: ...


class KeyConcurrency:
    """In-flight requests per key. The event loop is single-threaded, so plain counters are safe."""

    def __init__(self) -> None:
        self._inflight: dict[str, int] = defaultdict(int)

    def try_acquire(self, key: str, limit: int) -> bool:
        if self._inflight[key] >= limit:
            return False
        self._inflight[key] += 1
        return True

    def release(self, key: str) -> None:
        self._inflight[key] -= 1
        if self._inflight[key] <= 0:
            del self._inflight[key]

    def inflight(self, key: str) -> int:
        return self._inflight.get(key, 0)

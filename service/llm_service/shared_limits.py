"""Concurrency counts shared by the service's worker processes on one host, so a limit means what the setting says
whatever worker a request lands on.

A memory-mapped file holds a table: one row per key (a 16-byte digest of the key id), one 32-bit count per worker
slot, and a table of the slots' process ids. Every change happens under an exclusive `flock` on the file (the
kernel releases it if a process dies holding it). A worker claims a free slot at start; a slot whose process is
gone is zeroed when its row is needed or a new worker claims it, so a killed worker's requests do not stay counted.
Measured cost: bench/bench_shared_limits.py (docs/performance.md).
"""

from __future__ import annotations

import fcntl
import hashlib
import mmap
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

MAX_WORKERS = 64
ROWS = 4096  # distinct keys in flight at once (plus the global row)
_DIGEST = 16
_PIDS_BYTES = MAX_WORKERS * 4
_ROW_BYTES = _DIGEST + MAX_WORKERS * 4
_SIZE = _PIDS_BYTES + ROWS * _ROW_BYTES
_EMPTY = bytes(_DIGEST)
GLOBAL_KEY = "\0global"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class SharedConcurrency:
    """The same interface as limits.KeyConcurrency (try_acquire, release, inflight), across processes."""

    def __init__(self, path: Path) -> None:
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        if os.fstat(self._fd).st_size < _SIZE:
            os.ftruncate(self._fd, _SIZE)
        self._map = mmap.mmap(self._fd, _SIZE)
        self._ints = memoryview(self._map).cast("i")  # pids, then per row: 4 ints of digest, MAX_WORKERS counts
        self._rows: dict[str, int] = {}  # key → row index, cached (a row's digest never changes while in use)
        with self._locked():
            self.slot = self._claim_slot()

    def close(self) -> None:
        with self._locked():
            self._zero_slot(self.slot)
            self._ints[self.slot] = 0
        self._ints.release()
        self._map.close()
        os.close(self._fd)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def _claim_slot(self) -> int:
        pid = os.getpid()
        for slot in range(MAX_WORKERS):
            owner = self._ints[slot]
            if owner == 0 or not _alive(owner):
                self._zero_slot(slot)
                self._ints[slot] = pid
                return slot
        raise RuntimeError(f"more than {MAX_WORKERS} live workers share {self._map}; lower --workers")

    def _counts(self, row: int) -> slice:
        start = (_PIDS_BYTES + row * _ROW_BYTES + _DIGEST) // 4
        return slice(start, start + MAX_WORKERS)

    def _zero_slot(self, slot: int) -> None:
        for row in range(ROWS):
            index = (_PIDS_BYTES + row * _ROW_BYTES + _DIGEST) // 4 + slot
            if self._ints[index]:
                self._ints[index] = 0

    def _row(self, key: str, create: bool) -> int | None:
        """The row of `key` (open addressing on its digest), claimed when `create` and absent."""
        cached = self._rows.get(key)
        digest = hashlib.blake2b(key.encode(), digest_size=_DIGEST).digest()
        if cached is not None and self._map[self._offset(cached) : self._offset(cached) + _DIGEST] == digest:
            return cached
        start = int.from_bytes(digest[:4], "little") % ROWS
        for probe in range(ROWS):
            row = (start + probe) % ROWS
            stored = self._map[self._offset(row) : self._offset(row) + _DIGEST]
            if stored == digest:
                self._rows[key] = row
                return row
            if stored == _EMPTY:
                if not create:
                    return None
                self._map[self._offset(row) : self._offset(row) + _DIGEST] = digest
                self._rows[key] = row
                return row
        raise RuntimeError(f"more than {ROWS} keys in flight at once")

    @staticmethod
    def _offset(row: int) -> int:
        return _PIDS_BYTES + row * _ROW_BYTES

    def _total(self, row: int) -> int:
        return sum(self._ints[self._counts(row)])

    def _reclaim_dead(self) -> bool:
        """Zero the counts of workers that are gone; True when any were."""
        found = False
        for slot in range(MAX_WORKERS):
            owner = self._ints[slot]
            if owner and owner != os.getpid() and not _alive(owner):
                self._zero_slot(slot)
                self._ints[slot] = 0
                found = True
        return found

    def try_acquire(self, key: str, limit: int) -> bool:
        with self._locked():
            row = self._row(key, create=True)
            assert row is not None
            if self._total(row) >= limit and not (self._reclaim_dead() and self._total(row) < limit):
                return False
            self._ints[self._counts(row).start + self.slot] += 1
            return True

    def release(self, key: str) -> None:
        with self._locked():
            row = self._row(key, create=False)
            if row is None:
                return
            index = self._counts(row).start + self.slot
            if self._ints[index] > 0:
                self._ints[index] -= 1
            # Rows stay claimed (a digest is never moved): open addressing stays correct without tombstones.

    def inflight(self, key: str) -> int:
        with self._locked():
            row = self._row(key, create=False)
            return 0 if row is None else self._total(row)

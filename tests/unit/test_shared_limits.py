"""Host-wide limits: workers (processes) share one count per key; a limit is never exceeded under concurrent
acquires from several processes; a worker killed mid-request does not keep its slots."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from pathlib import Path

from llm_service.shared_limits import SharedConcurrency


def test_two_workers_share_one_count(tmp_path: Path) -> None:
    first, second = SharedConcurrency(tmp_path / "limits"), SharedConcurrency(tmp_path / "limits")
    try:
        assert first.slot != second.slot
        assert [first.try_acquire("k", 3), first.try_acquire("k", 3), second.try_acquire("k", 3)] == [True] * 3
        assert not second.try_acquire("k", 3) and not first.try_acquire("k", 3)
        assert first.inflight("k") == second.inflight("k") == 3
        assert second.try_acquire("other", 1), "keys are counted apart"
        first.release("k")
        assert second.try_acquire("k", 3)
        for _ in range(5):
            second.release("k")  # more releases than acquires never go negative
        assert first.inflight("k") == 1
    finally:
        first.close()
        second.close()


def _hammer(path: str, rounds: int, limit: int, peaks: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    limits = SharedConcurrency(Path(path))
    peak = refused = 0
    for _ in range(rounds):
        if limits.try_acquire("k", limit):
            peak = max(peak, limits.inflight("k"))
            time.sleep(0.001)  # a request in flight
            limits.release("k")
        else:
            refused += 1
    peaks.put((peak, refused))
    limits.close()


def test_the_limit_holds_across_processes(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")  # uvicorn's workers are spawned too
    peaks = context.Queue()
    workers = [context.Process(target=_hammer, args=(str(tmp_path / "limits"), 300, 2, peaks)) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    results = [peaks.get(timeout=5) for _ in workers]
    assert all(worker.exitcode == 0 for worker in workers)
    observed = max(peak for peak, _ in results)
    assert observed <= 2, f"a process saw {observed} in flight with a limit of 2"
    assert observed == 2 and sum(refused for _, refused in results) > 0, "the processes did contend"
    check = SharedConcurrency(tmp_path / "limits")
    assert check.inflight("k") == 0
    check.close()


def _hold(path: str, ready: multiprocessing.Event) -> None:  # type: ignore[type-arg]
    limits = SharedConcurrency(Path(path))
    for _ in range(3):
        limits.try_acquire("k", 3)
    ready.set()
    time.sleep(60)


def test_a_killed_workers_slots_come_back(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    worker = context.Process(target=_hold, args=(str(tmp_path / "limits"), ready))
    worker.start()
    assert ready.wait(30)
    survivor = SharedConcurrency(tmp_path / "limits")
    try:
        assert not survivor.try_acquire("k", 3), "the other worker holds all three"
        assert worker.pid is not None
        os.kill(worker.pid, signal.SIGKILL)
        worker.join(10)
        assert survivor.try_acquire("k", 3), "a dead worker's requests are not counted"
        assert survivor.inflight("k") == 1
    finally:
        survivor.close()

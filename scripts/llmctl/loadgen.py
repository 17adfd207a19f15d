"""Closed-loop load: C workers send requests back to back until N are done or D seconds pass."""

from __future__ import annotations

import math
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from llm_service.client import GenerationRequest, InferenceClient, InferenceError

from .measure import Measured, run


def percentile(values: list[float], pct: float) -> float | None:
    """Nearest-rank percentile; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class LoadResult:
    concurrency: int
    wall_s: float = 0.0
    latencies_s: list[float] = field(default_factory=list)
    ttfts_s: list[float] = field(default_factory=list)
    output_tokens: int = 0
    errors: Counter[str] = field(default_factory=Counter)

    @property
    def requests(self) -> int:
        return len(self.latencies_s) + sum(self.errors.values())

    @property
    def ok(self) -> int:
        return len(self.latencies_s)

    def summary(self) -> dict[str, Any]:
        def pcts(values: list[float]) -> dict[str, float | None]:
            return {f"p{p}": percentile(values, p) for p in (50, 90, 99)}

        return {
            "requests": self.requests,
            "ok": self.ok,
            "errors": dict(self.errors),
            "concurrency": self.concurrency,
            "wall_s": self.wall_s,
            "requests_per_s": self.requests / self.wall_s if self.wall_s else None,
            "latency_s": pcts(self.latencies_s),
            "ttft_s": pcts(self.ttfts_s),
            "output_tokens": self.output_tokens,
            "output_tokens_per_s": self.output_tokens / self.wall_s if self.wall_s else None,
        }


def run_load(
    client: InferenceClient,
    request: GenerationRequest,
    concurrency: int,
    total_requests: int | None = None,
    duration_s: float | None = None,
    stream: bool = True,
    on_result: Callable[[Measured | None, str | None], None] | None = None,
) -> LoadResult:
    if (total_requests is None) == (duration_s is None):
        raise ValueError("give exactly one of total_requests and duration_s")
    result = LoadResult(concurrency=concurrency)
    lock = threading.Lock()
    issued = 0
    start = time.perf_counter()
    deadline = start + duration_s if duration_s is not None else math.inf

    def take_ticket() -> bool:
        nonlocal issued
        with lock:
            if time.perf_counter() >= deadline or (total_requests is not None and issued >= total_requests):
                return False
            issued += 1
            return True

    def worker() -> None:
        while take_ticket():
            try:
                measured = run(client, request, stream)
            except InferenceError as exc:
                with lock:
                    result.errors[exc.kind] += 1
                if on_result:
                    on_result(None, exc.kind)
                continue
            with lock:
                result.latencies_s.append(measured.total_s)
                if measured.ttft_s is not None:
                    result.ttfts_s.append(measured.ttft_s)
                result.output_tokens += measured.output_tokens or 0
            if on_result:
                on_result(measured, None)

    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="load") as pool:
        for future in [pool.submit(worker) for _ in range(concurrency)]:
            future.result()
    result.wall_s = time.perf_counter() - start
    return result

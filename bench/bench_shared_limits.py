"""The cost per request of host-wide limits: one acquire and one release of a key's slot (and the host's, when
LLM_SERVICE_MAX_CONCURRENCY is set), with the shared table (shared_limits.SharedConcurrency: mmap + flock) against
the one-process counters it replaces (limits.KeyConcurrency). Results: bench-results/shared-limits.json.

    python bench/bench_shared_limits.py [--pairs 100000]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from llm_service.limits import KeyConcurrency
from llm_service.shared_limits import GLOBAL_KEY, SharedConcurrency

ROOT = Path(__file__).resolve().parents[1]


def _pairs(limits: Any, pairs: int, with_global: bool) -> float:
    """Microseconds per request (acquire + release)."""
    keys = [f"key-{i % 8}" for i in range(pairs)]
    started = time.perf_counter()
    for key in keys:
        limits.try_acquire(key, 1_000_000)
        if with_global:
            limits.try_acquire(GLOBAL_KEY, 1_000_000)
            limits.release(GLOBAL_KEY)
        limits.release(key)
    return (time.perf_counter() - started) / pairs * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        shared = SharedConcurrency(Path(tmp) / "limits")
        for with_global in (False, True):
            local = [_pairs(KeyConcurrency(), args.pairs, with_global) for _ in range(args.runs)]
            across = [_pairs(shared, args.pairs, with_global) for _ in range(args.runs)]
            row = {
                "limits": "per key + host-wide" if with_global else "per key",
                "one_process_us_per_request": round(statistics.median(local), 2),
                "shared_us_per_request": round(statistics.median(across), 2),
                "shared_range": [round(min(across), 2), round(max(across), 2)],
                "ratio": round(statistics.median(across) / statistics.median(local), 1),
            }
            rows.append(row)
            print(json.dumps(row), flush=True)
        shared.close()
    result = {"pairs": args.pairs, "what": "acquire + release per request, one process, no contention", "rows": rows}
    (ROOT / "bench-results" / "shared-limits.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()

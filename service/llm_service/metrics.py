"""Prometheus metrics, one registry per app (so tests and several apps in a process do not collide).

With several workers (`python -m llm_service --workers N` sets PROMETHEUS_MULTIPROC_DIR), prometheus_client keeps
every value in a file per process and `/metrics`, whichever worker answers, adds them up (its multiprocess mode):
one consistent view of the host.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, multiprocess

_LIVE_GAUGE_FILE = re.compile(r"^gauge_live\w+_(\d+)\.db$")


def _multiprocess_dir() -> Path | None:
    value = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    return Path(value) if value else None


def _forget_dead_workers(directory: Path) -> None:
    """A worker that died (and was replaced) leaves its in-flight gauge behind; drop it, as gunicorn's child_exit
    hook would."""
    for path in directory.iterdir():
        match = _LIVE_GAUGE_FILE.match(path.name)
        if match is None:
            continue
        pid = int(match.group(1))
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            multiprocess.mark_process_dead(pid, str(directory))
        except PermissionError:
            pass


def metrics_registry(metrics: Metrics) -> CollectorRegistry:
    """What /metrics exposes: this process's registry, or every worker's values added up."""
    directory = _multiprocess_dir()
    if directory is None:
        return metrics.registry
    _forget_dead_workers(directory)
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=str(directory))
    return registry


_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)
_TTFT_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "llm_requests", "Requests by route and HTTP status", ["route", "status"], registry=self.registry
        )
        self.latency = Histogram(
            "llm_request_seconds",
            "Time to the last byte, by route",
            ["route"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.ttft = Histogram(
            "llm_time_to_first_token_seconds",
            "Time to the first generated token",
            ["route"],
            buckets=_TTFT_BUCKETS,
            registry=self.registry,
        )
        self.output_tokens = Counter(
            "llm_output_tokens", "Generated tokens returned", ["route"], registry=self.registry
        )
        self.upstream_errors = Counter(
            "llm_upstream_errors", "Upstream failures by type", ["kind"], registry=self.registry
        )
        self.inflight_streams = Gauge(
            "llm_inflight_streams", "Streams being sent now", registry=self.registry, multiprocess_mode="livesum"
        )
        self.rag_retrieval = Histogram(
            "llm_rag_retrieval_seconds",
            "Time to embed a question and search its collection",
            buckets=_TTFT_BUCKETS,
            registry=self.registry,
        )
        self.rag_passages = Histogram(
            "llm_rag_passages",
            "Passages put in a prompt",
            buckets=(0, 1, 2, 3, 4, 6, 8, 12, 20),
            registry=self.registry,
        )
        self.rag_prompt_tokens = Histogram(
            "llm_rag_prompt_tokens",
            "Prompt tokens of a grounded request (counted or estimated, see docs/rag.md)",
            buckets=(256, 512, 1024, 2048, 4096, 8192, 16384, 32768),
            registry=self.registry,
        )

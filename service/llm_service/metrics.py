"""Prometheus metrics, one registry per app (so tests and several apps in a process do not collide)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

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
        self.inflight_streams = Gauge("llm_inflight_streams", "Streams being sent now", registry=self.registry)
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

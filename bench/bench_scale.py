"""`make bench-scale`: the service at 64, 250, 500 and 1,000 concurrent streams (64 tokens at 50 tokens/s each, the
emulated container as upstream), through 1 and 2 workers on this 2-core machine, with uvicorn (what
`python -m llm_service` runs) and granian side by side under the same app. Each row runs 3 times (direct and
through the service interleaved) and reports the median with its range: completed streams, the tokens/s ratio to
direct, added TTFT p50/p99, the service's CPU per token (all its processes) and RSS. Results:
bench-results/service-scale.json.

    python bench/bench_scale.py [--streams 64,250,500,1000] [--workers 1,2] [--servers uvicorn,granian] [--repeats 3]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

import psutil
import uvloop
from bench_service import summarize, wait_http
from sse_load import run_streams

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from support.servers import free_port  # noqa: E402

KEY = "bench-key"
TOKENS, RATE = 64, 50.0


class TreeSampler:
    """CPU seconds and peak RSS of a process and its children (the workers) during a run."""

    def __init__(self, pid: int) -> None:
        self.root = psutil.Process(pid)
        self.rss_max = 0
        self._stop = threading.Event()

    def _tree(self) -> list[psutil.Process]:
        return [self.root, *self.root.children(recursive=True)]

    def _cpu(self) -> float:
        total = 0.0
        for proc in self._tree():
            with contextlib.suppress(psutil.NoSuchProcess):
                times = proc.cpu_times()
                total += times.user + times.system
        return total

    def _rss(self) -> int:
        total = 0
        for proc in self._tree():
            with contextlib.suppress(psutil.NoSuchProcess):
                total += proc.memory_info().rss
        return total

    def __enter__(self) -> TreeSampler:
        self.cpu_start = self._cpu()
        threading.Thread(target=self._loop, daemon=True).start()
        return self

    def _loop(self) -> None:
        while not self._stop.wait(0.2):
            self.rss_max = max(self.rss_max, self._rss())

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self.cpu_s = self._cpu() - self.cpu_start
        self.rss_max = max(self.rss_max, self._rss())


def _start(server: str, workers: int, port: int, upstream: str, shared: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "LLM_SERVICE_UPSTREAM": "http",
        "LLM_SERVICE_UPSTREAM_URL": upstream,
        "LLM_SERVICE_API_KEYS": KEY,
        "LLM_SERVICE_PER_KEY_CONCURRENCY": "8192",
        "LLM_SERVICE_MAX_INFLIGHT_PER_WORKER": "8192",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    if server == "uvicorn":
        args = [sys.executable, "-m", "llm_service", "--port", str(port), "--workers", str(workers)]
    else:
        if workers > 1:  # what `python -m llm_service` sets up for uvicorn's workers
            (shared / "metrics").mkdir(parents=True, exist_ok=True)
            env["LLM_SERVICE_SHARED_STATE_DIR"] = str(shared)
            env["PROMETHEUS_MULTIPROC_DIR"] = str(shared / "metrics")
        args = [
            str(Path(sys.executable).parent / "granian"),
            "--interface",
            "asgi",
            "--factory",
            "llm_service.app:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--loop",
            "uvloop",
            "--no-access-log",
            "--log-level",
            "warning",
            "--backlog",
            "4096",
        ]
    return subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _median_range(values: list[float], digits: int = 2) -> dict[str, Any]:
    return {
        "median": round(statistics.median(values), digits),
        "range": [round(min(values), digits), round(max(values), digits)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--streams", default="64,250,500,1000")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--servers", default="uvicorn,granian")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    up_port = free_port()
    upstream = f"http://127.0.0.1:{up_port}"
    container = subprocess.Popen(
        [sys.executable, "-m", "llmctl.local_aws.container", "--port", str(up_port), "--tokens-per-s", str(RATE)],
        stdout=subprocess.DEVNULL,
    )
    path = "/v1/chat/completions"
    body = {"messages": [{"role": "user", "content": "bench"}], "max_tokens": TOKENS, "stream": True}
    headers = {"Authorization": f"Bearer {KEY}"}
    stream_s = TOKENS / RATE
    rows: list[dict[str, Any]] = []
    try:
        wait_http(f"{upstream}/health")
        for server in args.servers.split(","):
            if server == "granian" and not (Path(sys.executable).parent / "granian").exists():
                print("granian is not installed (the dev extra has it): skipped", flush=True)
                continue
            for workers in (int(w) for w in args.workers.split(",")):
                port = free_port()
                url = f"http://127.0.0.1:{port}"
                shared = Path(tempfile.mkdtemp(prefix="bench-scale-"))
                service = _start(server, workers, port, upstream, shared)
                try:
                    wait_http(f"{url}/health", timeout_s=30)
                    for streams in (int(s) for s in args.streams.split(",")):
                        uvloop.run(run_streams(url, path, body, streams, streams, headers, 0.2))  # warm up
                        repeats = []
                        for _ in range(args.repeats):
                            direct_t, direct_wall = uvloop.run(
                                run_streams(upstream, path, body, streams, streams, headers, stream_s)
                            )
                            with TreeSampler(service.pid) as sampler:
                                svc_t, svc_wall = uvloop.run(
                                    run_streams(url, path, body, streams, streams, headers, stream_s)
                                )
                            direct, through = summarize(direct_t, direct_wall), summarize(svc_t, svc_wall)
                            repeats.append(
                                {
                                    "completed": through["ok"],
                                    "tokens_per_s_ratio": through["tokens_per_s"] / direct["tokens_per_s"],
                                    "added_ttft_p50_ms": through["ttft_p50_ms"] - direct["ttft_p50_ms"],
                                    "added_ttft_p99_ms": through["ttft_p99_ms"] - direct["ttft_p99_ms"],
                                    "cpu_ms_per_token": 1000 * sampler.cpu_s / max(through["tokens"], 1),
                                    "rss_mib": sampler.rss_max / 2**20,
                                }
                            )
                        row = {
                            "server": server,
                            "workers": workers,
                            "streams": streams,
                            "completed": _median_range([r["completed"] for r in repeats], 0),
                            **{
                                key: _median_range([r[key] for r in repeats], 4 if key == "tokens_per_s_ratio" else 2)
                                for key in (
                                    "tokens_per_s_ratio",
                                    "added_ttft_p50_ms",
                                    "added_ttft_p99_ms",
                                    "cpu_ms_per_token",
                                    "rss_mib",
                                )
                            },
                        }
                        rows.append(row)
                        print(json.dumps(row), flush=True)
                finally:
                    service.terminate()
                    service.wait(60)
    finally:
        container.terminate()
        container.wait(10)
    result = {
        "what": f"chat streams of {TOKENS} tokens at {RATE:g} tokens/s from the emulated container, each run as many "
        "streams as the concurrency, all at once; direct vs through the service",
        "cpus": os.cpu_count(),
        "rows": rows,
    }
    (ROOT / "bench-results" / "service-scale.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

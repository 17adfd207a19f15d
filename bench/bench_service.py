"""`make bench`: what the service adds on top of the model server.

A synthetic upstream on 127.0.0.1 streams N tokens at R tokens/s (TGI and chat formats). The same load, at each
concurrency, goes once straight to the upstream and once through the service (uvicorn, uvloop, httptools, auth
on, JSON access logs on). Reported: added time to first token (p50, p99), the tokens/s ratio, and the service's
RSS and CPU. Each (format, concurrency) pair is measured --repeats times (direct and service interleaved); the
report gives the median of the repeats with their range. A stall probe (a thread that asks to sleep 5 ms and records
how late it wakes) runs throughout, so VM pauses show up next to the numbers they distort.
Results go to bench-results/service-overhead.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import psutil
import uvloop
from llmctl.loadgen import percentile
from sse_load import StreamTiming, run_streams

ROOT = Path(__file__).resolve().parents[1]
KEY = "bench-key"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(url: str, timeout_s: float = 20) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


class Sampler:
    """RSS (max) and CPU time of a process while a run is going on."""

    def __init__(self, pid: int) -> None:
        self.proc = psutil.Process(pid)
        self.rss_max = 0
        self._stop = threading.Event()

    def __enter__(self) -> Sampler:
        t = self.proc.cpu_times()
        self.cpu_start, self.wall_start = t.user + t.system, time.perf_counter()
        threading.Thread(target=self._loop, daemon=True).start()
        return self

    def _loop(self) -> None:
        while not self._stop.wait(0.1):
            self.rss_max = max(self.rss_max, self.proc.memory_info().rss)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        t = self.proc.cpu_times()
        self.rss_max = max(self.rss_max, self.proc.memory_info().rss)
        self.cpu_percent = 100 * (t.user + t.system - self.cpu_start) / (time.perf_counter() - self.wall_start)


class StallProbe:
    """Wakes every 5 ms and records each wake-up later than `threshold_ms`: CPU stalls of the VM (or of this
    process), which hit every process at once and would otherwise be read as a service regression."""

    def __init__(self, threshold_ms: float = 50.0) -> None:
        self.threshold_s = threshold_ms / 1000
        self.stalls: list[tuple[float, float]] = []  # (monotonic time, lateness s)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self._stop.is_set():
            before = time.monotonic()
            time.sleep(0.005)
            late = time.monotonic() - before - 0.005
            if late > self.threshold_s:
                self.stalls.append((before, late))

    def start(self) -> StallProbe:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(1)

    def between(self, start: float, end: float) -> dict[str, Any]:
        hit = [late for at, late in self.stalls if start <= at <= end]
        return {"count": len(hit), "max_ms": round(1000 * max(hit), 1) if hit else 0.0}


def summarize(timings: list[StreamTiming], wall_s: float) -> dict[str, Any]:
    ok = [t for t in timings if t.ok]
    ttfts = [t.ttft_s for t in ok]
    return {
        "streams": len(timings),
        "ok": len(ok),
        "ttft_p50_ms": 1000 * percentile(ttfts, 50),
        "ttft_p99_ms": 1000 * percentile(ttfts, 99),
        "tokens": sum(t.tokens for t in ok),
        "tokens_per_s": sum(t.tokens for t in ok) / wall_s,
        "wall_s": wall_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tokens", type=int, default=64, help="N: tokens per stream")
    parser.add_argument("--rate", type=float, default=50.0, help="R: tokens per second per stream")
    parser.add_argument("--concurrency", default="1,16,64,256")
    parser.add_argument("--waves", type=int, default=2, help="streams per run = waves × concurrency (min 20)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per (format, concurrency); medians reported")
    parser.add_argument("--out", type=Path, default=ROOT / "bench-results")
    args = parser.parse_args()
    levels = [int(c) for c in args.concurrency.split(",")]

    # The service gets a core of its own; the load generator and the synthetic upstream share the other, so what
    # is measured is the service rather than the harness competing with it for CPU.
    cpus = sorted(os.sched_getaffinity(0))
    harness_cpus, service_cpus = ({cpus[0]}, set(cpus[1:])) if len(cpus) > 1 else (set(cpus), set(cpus))
    os.sched_setaffinity(0, harness_cpus)
    up_port, svc_port = free_port(), free_port()
    upstream_url, service_url = f"http://127.0.0.1:{up_port}", f"http://127.0.0.1:{svc_port}"
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "llmctl.local_aws.container",
                "--port",
                str(up_port),
                "--tokens-per-s",
                str(args.rate),
            ],
            stdout=subprocess.DEVNULL,
        )
    ]
    env = {
        **os.environ,
        "LLM_SERVICE_UPSTREAM": "http",
        "LLM_SERVICE_UPSTREAM_URL": upstream_url,
        "LLM_SERVICE_API_KEYS": KEY,
        "LLM_SERVICE_PER_KEY_CONCURRENCY": "4096",
    }
    service = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "llm_service.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(svc_port),
            "--loop",
            "uvloop",
            "--http",
            "httptools",
            "--no-access-log",
            "--log-level",
            "warning",
            "--backlog",
            "4096",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.sched_setaffinity(service.pid, service_cpus)
    procs.append(service)
    results: dict[str, Any] = {
        "params": {
            "tokens": args.tokens,
            "rate": args.rate,
            "concurrency": levels,
            "cpus": os.cpu_count(),
            "service_cpus": sorted(service_cpus),
            "harness_cpus": sorted(harness_cpus),
            "python": sys.version.split()[0],
            "repeats": args.repeats,
        },
        "runs": [],
    }
    try:
        wait_http(f"{upstream_url}/health")
        wait_http(f"{service_url}/health")
        headers = {"Authorization": f"Bearer {KEY}"}
        bodies = {
            "tgi": ("/generate_stream", {"inputs": "bench", "parameters": {"max_new_tokens": args.tokens}}),
            "chat": (
                "/v1/chat/completions",
                {"messages": [{"role": "user", "content": "bench"}], "max_tokens": args.tokens, "stream": True},
            ),
        }
        probe = StallProbe().start()
        for fmt, (path, body) in bodies.items():
            for concurrency in levels:
                # Warm both paths at this concurrency (connection pools, code paths) before measuring.
                uvloop.run(run_streams(upstream_url, path, body, concurrency, concurrency, headers, 0.2))
                uvloop.run(run_streams(service_url, path, body, concurrency, concurrency, headers, 0.2))
                total = max(20, args.waves * concurrency)
                stream_s = args.tokens / args.rate
                repeats = []
                for _ in range(args.repeats):
                    started = time.monotonic()
                    direct_timings, direct_wall = uvloop.run(
                        run_streams(upstream_url, path, body, concurrency, total, headers, stream_s)
                    )
                    with Sampler(service.pid) as sampler:
                        svc_timings, svc_wall = uvloop.run(
                            run_streams(service_url, path, body, concurrency, total, headers, stream_s)
                        )
                    direct, through = summarize(direct_timings, direct_wall), summarize(svc_timings, svc_wall)
                    repeats.append(
                        {
                            "direct": direct,
                            "service": through,
                            "added_ttft_p50_ms": through["ttft_p50_ms"] - direct["ttft_p50_ms"],
                            "added_ttft_p99_ms": through["ttft_p99_ms"] - direct["ttft_p99_ms"],
                            "tokens_per_s_ratio": through["tokens_per_s"] / direct["tokens_per_s"],
                            "service_rss_mib": sampler.rss_max / 2**20,
                            "service_cpu_percent": sampler.cpu_percent,
                            "stalls": probe.between(started, time.monotonic()),
                        }
                    )
                run = {"format": fmt, "concurrency": concurrency, "repeats": repeats, **medians(repeats)}
                results["runs"].append(run)
                print(
                    f"{fmt:4s} c={concurrency:<3d} added ttft p50 {run['added_ttft_p50_ms']['median']:+.2f} ms "
                    f"{_range(run['added_ttft_p50_ms'])} · p99 {run['added_ttft_p99_ms']['median']:+.2f} ms "
                    f"{_range(run['added_ttft_p99_ms'])} · tokens/s ratio {run['tokens_per_s_ratio']['median']:.4f}"
                    f" · stalls {sum(r['stalls']['count'] for r in repeats)}",
                    flush=True,
                )
        probe.stop()
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(10)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "service-overhead.json").write_text(json.dumps(results, indent=2) + "\n")
    (args.out / "service-overhead.md").write_text(markdown(results))
    print(f"wrote {args.out / 'service-overhead.json'} and .md")


_MEASURES = ("added_ttft_p50_ms", "added_ttft_p99_ms", "tokens_per_s_ratio", "service_rss_mib", "service_cpu_percent")


def medians(repeats: list[dict[str, Any]]) -> dict[str, Any]:
    """Median and range over the repeats, for each measure and for direct TTFT."""
    rows = {m: [r[m] for r in repeats] for m in _MEASURES}
    rows["direct_ttft_p50_ms"] = [r["direct"]["ttft_p50_ms"] for r in repeats]
    rows["direct_ttft_p99_ms"] = [r["direct"]["ttft_p99_ms"] for r in repeats]
    return {m: {"median": statistics.median(v), "min": min(v), "max": max(v)} for m, v in rows.items()}


def _range(stat: dict[str, float], fmt: str = "{:+.2f}") -> str:
    return f"[{fmt.format(stat['min'])} … {fmt.format(stat['max'])}]"


def markdown(results: dict[str, Any]) -> str:
    p = results["params"]
    lines = [
        f"Synthetic upstream: {p['tokens']} tokens per stream at {p['rate']:g} tokens/s; "
        f"service on CPU {p['service_cpus']}, load generator and upstream on CPU {p['harness_cpus']} "
        f"({p['cpus']} CPUs in all); Python {p['python']}, uvloop everywhere. Each row: median of {p['repeats']} runs "
        "[min … max]; stalls: wake-ups of a 5 ms sleeper more than 50 ms late during those runs (count, worst).",
        "",
        "| format | concurrency | direct TTFT p50 / p99 (ms) | added TTFT p50 (ms) | added TTFT p99 (ms) | tokens/s "
        "ratio (service ÷ direct) | service RSS (MiB) | service CPU | stalls |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results["runs"]:
        stalls = [x["stalls"] for x in r["repeats"]]
        worst = max(s["max_ms"] for s in stalls)
        lines.append(
            f"| {r['format']} | {r['concurrency']} | {r['direct_ttft_p50_ms']['median']:.2f} / "
            f"{r['direct_ttft_p99_ms']['median']:.2f} | {r['added_ttft_p50_ms']['median']:+.2f} "
            f"{_range(r['added_ttft_p50_ms'])} | {r['added_ttft_p99_ms']['median']:+.2f} "
            f"{_range(r['added_ttft_p99_ms'])} | {r['tokens_per_s_ratio']['median']:.4f} | "
            f"{r['service_rss_mib']['median']:.0f} | {r['service_cpu_percent']['median']:.0f}% | "
            f"{sum(s['count'] for s in stalls)} ({worst:.0f} ms) |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()

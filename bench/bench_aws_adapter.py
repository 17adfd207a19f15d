"""`make bench-aws`: how the service should call SageMaker without blocking its event loop.

Candidates: the sync boto3 client on a bounded thread pool (bench/thread_pool_upstream.py) and aiobotocore's
async client (llm_service.upstream.SageMakerUpstream, the one that ships). Both stream from the same local
SageMaker-runtime stand-in (real event-stream encoding, on its own CPU) at concurrency C; a 1 ms ticker on the
service loop measures how late the loop runs. Reported per candidate: time to first token, tokens/s, event-loop
lag, and CPU per 1000 tokens.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psutil
import uvloop

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from llm_service.client import AwsSettings, GenerationRequest, Target  # noqa: E402
from llm_service.upstream import SageMakerUpstream  # noqa: E402
from llmctl.loadgen import percentile  # noqa: E402
from thread_pool_upstream import ThreadPoolSageMakerUpstream  # noqa: E402

STUB = """
import sys, time
sys.path.insert(0, {tests!r})
from support.runtime_stub import StubRuntime
stub = StubRuntime(default_tokens={tokens}, token_delay_s={delay}).start()
print(stub.url, flush=True)
time.sleep(10**6)
"""


async def lag_monitor(samples: list[float], stop: asyncio.Event) -> None:
    while not stop.is_set():
        start = time.perf_counter()
        await asyncio.sleep(0.001)
        samples.append(time.perf_counter() - start - 0.001)


async def timed_stream(upstream: Any, request: GenerationRequest) -> tuple[float, int]:
    start, first, tokens = time.perf_counter(), 0.0, 0
    async for chunk in upstream.stream(request, "tgi"):
        if chunk.is_token:
            tokens += 1
            first = first or time.perf_counter() - start
    return first, tokens


async def measure(name: str, run_one: Any, concurrency: int, total: int) -> dict[str, Any]:
    lag: list[float] = []
    stop = asyncio.Event()
    monitor = asyncio.create_task(lag_monitor(lag, stop))
    proc = psutil.Process()
    cpu0 = sum(proc.cpu_times()[:2])
    queue = iter(range(total))
    results: list[tuple[float, int]] = []

    async def worker() -> None:
        for _ in queue:
            results.append(await run_one())

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall = time.perf_counter() - start
    stop.set()
    await monitor
    tokens = sum(t for _, t in results)
    ttfts = [f for f, _ in results]
    cpu_s = sum(proc.cpu_times()[:2]) - cpu0
    return {
        "adapter": name,
        "concurrency": concurrency,
        "streams": len(results),
        "tokens": tokens,
        "ttft_p50_ms": 1000 * percentile(ttfts, 50),
        "ttft_p99_ms": 1000 * percentile(ttfts, 99),
        "tokens_per_s": tokens / wall,
        "loop_lag_p99_ms": 1000 * percentile(lag, 99),
        "loop_lag_max_ms": 1000 * max(lag),
        "cpu_ms_per_1000_tokens": 1e6 * cpu_s / tokens,
    }


ROUNDS = 3


def median_row(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """Per-metric median over the rounds (and how many rounds there were)."""
    row = dict(rounds[0])
    for key, value in rounds[0].items():
        if isinstance(value, float):
            row[key] = statistics.median(r[key] for r in rounds)
    row["rounds"] = len(rounds)
    return row


async def run(url: str, levels: list[int], tokens: int) -> list[dict[str, Any]]:
    request = GenerationRequest.from_prompt("bench", max_new_tokens=tokens)
    rows = []
    for concurrency in levels:
        total = max(20, 2 * concurrency)
        settings = AwsSettings(region="us-east-1", endpoint_url=url, max_pool_connections=concurrency)
        pool = ThreadPoolSageMakerUpstream(Target("bench"), settings, max_threads=concurrency)
        native = SageMakerUpstream(Target("bench"), settings, max_connections=concurrency)
        candidates = [("thread pool + boto3", pool), ("aiobotocore", native)]
        for _ in range(2):  # warm both (connections, code paths) before measuring
            for _, upstream in candidates:
                await measure("warm", lambda u=upstream: timed_stream(u, request), concurrency, concurrency)
        rounds: dict[str, list[dict[str, Any]]] = {name: [] for name, _ in candidates}
        for round_index in range(ROUNDS):  # alternate the order so drift does not favour one candidate
            ordered = candidates if round_index % 2 == 0 else candidates[::-1]
            for name, upstream in ordered:
                rounds[name].append(
                    await measure(name, lambda u=upstream: timed_stream(u, request), concurrency, total)
                )
        for name, _ in candidates:
            rows.append(median_row(rounds[name]))
        for _, upstream in candidates:
            await upstream.aclose()
        for row in rows[-2:]:
            print(
                f"{row['adapter']:20s} c={concurrency:<3d} ttft p50 {row['ttft_p50_ms']:.2f} ms "
                f"p99 {row['ttft_p99_ms']:.2f} ms · {row['tokens_per_s']:.0f} tokens/s · loop lag p99 "
                f"{row['loop_lag_p99_ms']:.2f} ms max {row['loop_lag_max_ms']:.2f} ms · "
                f"{row['cpu_ms_per_1000_tokens']:.1f} CPU ms/1000 tokens",
                flush=True,
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tokens", type=int, default=64)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--concurrency", default="16,64")
    parser.add_argument("--out", type=Path, default=ROOT / "bench-results")
    args = parser.parse_args()
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    cpus = sorted(os.sched_getaffinity(0))
    stub = subprocess.Popen(
        [sys.executable, "-c", STUB.format(tests=str(ROOT / "tests"), tokens=args.tokens, delay=1 / args.rate)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        if len(cpus) > 1:
            os.sched_setaffinity(stub.pid, {cpus[0]})
            os.sched_setaffinity(0, set(cpus[1:]))
        assert stub.stdout is not None
        url = stub.stdout.readline().strip()
        rows = uvloop.run(run(url, [int(c) for c in args.concurrency.split(",")], args.tokens))
    finally:
        stub.terminate()
    import aiobotocore
    import boto3

    result = {
        "params": {
            "tokens": args.tokens,
            "rate": args.rate,
            "boto3": boto3.__version__,
            "aiobotocore": aiobotocore.__version__,
        },
        "runs": rows,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "aws-adapter.json").write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out / 'aws-adapter.json'}")


if __name__ == "__main__":
    main()

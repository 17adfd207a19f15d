"""The floor under the service's added time to first token: the same load through a byte pump — a raw asyncio TCP
proxy on uvloop that parses nothing and copies bytes both ways — in place of the service, on the same core layout as
`bench/bench_service.py`. What the pump adds is the cost of one more loopback hop between two event loops; what the
service adds beyond it is its own work (HTTP parsing, auth, validation, the upstream request, re-encoding events).

    python bench/bench_hop_floor.py [--concurrency 1,16,64] [--repeats 3]   → bench-results/hop-floor.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

import uvloop
from bench_service import free_port, summarize, wait_http
from sse_load import run_streams

ROOT = Path(__file__).resolve().parents[1]


async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


async def serve_pump(listen_port: int, upstream_port: int) -> None:
    async def handle(client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", upstream_port)
        await asyncio.gather(_pump(client_reader, upstream_writer), _pump(upstream_reader, client_writer))

    server = await asyncio.start_server(handle, "127.0.0.1", listen_port, backlog=4096)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--concurrency", default="1,16,64")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--tokens", type=int, default=64)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--pump", nargs=2, type=int, metavar=("LISTEN", "UPSTREAM"), help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=ROOT / "bench-results" / "hop-floor.json")
    args = parser.parse_args()
    if args.pump:
        uvloop.run(serve_pump(*args.pump))
        return

    cpus = sorted(os.sched_getaffinity(0))
    harness_cpus, proxy_cpus = ({cpus[0]}, set(cpus[1:])) if len(cpus) > 1 else (set(cpus), set(cpus))
    os.sched_setaffinity(0, harness_cpus)
    up_port, pump_port = free_port(), free_port()
    upstream = subprocess.Popen(
        [sys.executable, "-m", "llmctl.local_aws.container", "--port", str(up_port), "--tokens-per-s", str(args.rate)],
        stdout=subprocess.DEVNULL,
    )
    pump = subprocess.Popen([sys.executable, __file__, "--pump", str(pump_port), str(up_port)])
    os.sched_setaffinity(pump.pid, proxy_cpus)
    path, body = "/generate_stream", {"inputs": "bench", "parameters": {"max_new_tokens": args.tokens}}
    direct_url, pump_url = f"http://127.0.0.1:{up_port}", f"http://127.0.0.1:{pump_port}"
    rows: list[dict[str, Any]] = []
    try:
        wait_http(f"{direct_url}/health")
        wait_http(f"{pump_url}/health")
        for concurrency in (int(c) for c in args.concurrency.split(",")):
            stream_s = args.tokens / args.rate
            total = max(20, 2 * concurrency)
            uvloop.run(run_streams(pump_url, path, body, concurrency, concurrency, None, 0.2))
            added = []
            for _ in range(args.repeats):
                direct = summarize(*uvloop.run(run_streams(direct_url, path, body, concurrency, total, None, stream_s)))
                through = summarize(*uvloop.run(run_streams(pump_url, path, body, concurrency, total, None, stream_s)))
                added.append(through["ttft_p50_ms"] - direct["ttft_p50_ms"])
            row = {
                "concurrency": concurrency,
                "added_ttft_p50_ms": {"median": statistics.median(added), "min": min(added), "max": max(added)},
            }
            rows.append(row)
            print(
                f"byte pump c={concurrency:<3d} added ttft p50 {row['added_ttft_p50_ms']['median']:+.2f} ms "
                f"[{min(added):+.2f} … {max(added):+.2f}]",
                flush=True,
            )
    finally:
        for proc in (pump, upstream):
            proc.terminate()
            proc.wait(10)
    args.out.write_text(
        json.dumps({"tokens": args.tokens, "rate": args.rate, "repeats": args.repeats, "rows": rows}, indent=2) + "\n"
    )
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

"""`llmctl batch` throughput on the local stack, side by side with the alternative it replaces: a loop that sends one
line at a time (concurrency 1, what a script around `llmctl invoke` does). Real-time and asynchronous endpoints.

The endpoint's container is the emulator at a fixed rate (64 new tokens per line at 200 tokens/s, 20 ms to the first
token), so the numbers measure what the batch path itself allows, not a GPU. Each row runs 3 times on a fresh output
file; results go to bench-results/batch.json.

    python bench/bench_batch.py [--lines 200]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import boto3

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from support.local_stack import create_endpoint  # noqa: E402
from support.servers import free_port, python_module, wait_http  # noqa: E402

REGISTRY = "763104351884.dkr.ecr.us-east-1.amazonaws.com"
IMAGE = f"{REGISTRY}/huggingface-pytorch-tgi-inference:2.7.0-tgi3.3.6-gpu-py311-cu124-ubuntu22.04"
TOKENS, RATE, FIRST_TOKEN_MS = 64, 200, 20
BUCKET = "bench-artifacts-123456789012"


def _endpoints(aws: str) -> None:
    keys = {"region_name": "us-east-1", "aws_access_key_id": "local", "aws_secret_access_key": "local"}
    sagemaker = boto3.client("sagemaker", endpoint_url=aws, **keys)
    boto3.client("s3", endpoint_url=aws, **keys).create_bucket(Bucket=BUCKET)
    for name, asynchronous in (("realtime", False), ("queued", True)):
        extra: dict[str, Any] = {}
        if asynchronous:
            extra["AsyncInferenceConfig"] = {
                "ClientConfig": {"MaxConcurrentInvocationsPerInstance": 32},
                "OutputConfig": {"S3OutputPath": f"s3://{BUCKET}/async/{name}/output/"},
            }
        create_endpoint(sagemaker, name, IMAGE, {"HF_MODEL_ID": "meta-llama/Llama-3.1-8B-Instruct"}, **extra)


def _run(endpoint: str, source: Path, out: Path, concurrency: int, aws: str, runtime: str) -> dict[str, Any]:
    out.unlink(missing_ok=True)
    args = [sys.executable, "-c", "from llmctl.cli import main; main()", "batch", str(source), "--out", str(out)]
    args += ["-e", endpoint, "--endpoint-url", runtime, "--region", "us-east-1", "--concurrency", str(concurrency)]
    args += ["--json"] + (["--async"] if endpoint == "queued" else [])
    env = {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local", "AWS_ENDPOINT_URL_S3": aws}
    env |= {"AWS_ENDPOINT_URL_SAGEMAKER": aws, "LLMCTL_ASYNC_POLL_S": "0.2", "PATH": "/usr/bin:/bin"}
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, env=env, timeout=1800, check=False)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"batch failed: {done.stderr.decode()[-2000:]}")
    summary = json.loads(done.stdout)
    return {"wall_s": wall, "lines_per_s": summary["answered"] / wall, "tokens_per_s": summary["output_tokens"] / wall}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    moto_port, runtime_port = free_port(), free_port()
    aws, runtime = f"http://127.0.0.1:{moto_port}", f"http://127.0.0.1:{runtime_port}"
    moto = python_module("llmctl.local_aws.server", "--port", str(moto_port))
    wait_http(f"{aws}/moto-api/data.json")
    _endpoints(aws)
    rate_args = ["--tokens-per-s", str(RATE), "--first-token-ms", str(FIRST_TOKEN_MS), "--backlog-metrics-s", "5"]
    server = python_module("llmctl.local_aws.runtime", "--port", str(runtime_port), "--aws-url", aws, *rate_args)
    rows: list[dict[str, Any]] = []
    try:
        wait_http(f"{runtime}/ping")
        with tempfile.TemporaryDirectory() as tmp:
            source, out = Path(tmp) / "in.jsonl", Path(tmp) / "out.jsonl"
            source.write_text(
                "".join(
                    json.dumps({"inputs": f"line {i}", "parameters": {"max_new_tokens": TOKENS}}) + "\n"
                    for i in range(args.lines)
                )
            )
            for endpoint, concurrency in (("realtime", 1), ("realtime", 8), ("realtime", 32), ("queued", 32)):
                runs = [_run(endpoint, source, out, concurrency, aws, runtime) for _ in range(args.runs)]
                rate = [r["tokens_per_s"] for r in runs]
                row = {
                    "endpoint": "asynchronous" if endpoint == "queued" else "real-time",
                    "concurrency": concurrency,
                    "lines": args.lines,
                    "tokens_per_s_median": round(statistics.median(rate), 1),
                    "tokens_per_s_range": [round(min(rate), 1), round(max(rate), 1)],
                    "lines_per_s_median": round(statistics.median(r["lines_per_s"] for r in runs), 2),
                    "wall_s_median": round(statistics.median(r["wall_s"] for r in runs), 2),
                }
                rows.append(row)
                print(json.dumps(row), flush=True)
    finally:
        for process in (server, moto):
            process.terminate()
            process.wait(10)
    sequential = rows[0]["tokens_per_s_median"]
    for row in rows:
        row["ratio_to_sequential"] = round(row["tokens_per_s_median"] / sequential, 2)
    result = {
        "what": "llmctl batch through the local runtime; the emulated container streams "
        f"{TOKENS} tokens per line at {RATE} tokens/s after {FIRST_TOKEN_MS} ms; concurrency 1 is the one-at-a-time "
        "loop batch replaces",
        "ideal_tokens_per_s_per_stream": round(TOKENS / (TOKENS / RATE + FIRST_TOKEN_MS / 1000), 1),
        "rows": rows,
    }
    (ROOT / "bench-results" / "batch.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

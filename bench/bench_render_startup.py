"""Whole-process wall time of `llmctl render` (what a user waits for), repeated, medians with ranges.

Side by side: render resolving the image from the SDK's bundled JSON (the default), render given --image-uri (no
resolution at all: the floor), importing the sagemaker SDK's image_uris module (what the previous code paid), and,
with `--baseline DIR` (a checkout of an earlier commit, e.g. `git worktree add /tmp/baseline a73d8d3`), the same
render run from that tree. Writes bench-results/render-startup.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

RUNS = 15
BIN = Path(sys.executable).parent
RENDER = [str(BIN / "llmctl"), "render", "meta-llama/Llama-3.1-8B-Instruct", "-i", "ml.g5.2xlarge", "--format", "env"]
CASES = {
    "render": RENDER,
    "render --image-uri (floor)": [*RENDER, "--image-uri", "763104351884.dkr.ecr.us-east-1.amazonaws.com/x:1"],
    "render -b trtllm (Mistral-7B v0.2, TP 4)": [
        str(BIN / "llmctl"),
        "render",
        "mistralai/Mistral-7B-Instruct-v0.2",
        "-i",
        "ml.g5.12xlarge",
        "-b",
        "trtllm",
        "--format",
        "env",
    ],
    "import sagemaker.core.image_uris (the old path's extra cost)": [
        sys.executable,
        "-c",
        "import logging; from sagemaker.core import image_uris",
    ],
}


def wall(command: list[str], env: dict[str, str] | None) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, env=env)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--baseline", type=Path, help="an earlier checkout to time the same render from")
    args = parser.parse_args()
    cases: dict[str, tuple[list[str], dict[str, str] | None]] = {name: (cmd, None) for name, cmd in CASES.items()}
    if args.baseline:
        env = {**os.environ, "PYTHONPATH": f"{args.baseline}/scripts:{args.baseline}/service"}
        code = "import sys; from llmctl.cli import main; sys.argv[0] = 'llmctl'; main()"
        cases["render from the baseline tree"] = ([sys.executable, "-c", code, *RENDER[1:]], env)
    results = {}
    for name, (command, env) in cases.items():
        wall(command, env)  # warm the page cache
        samples = sorted(wall(command, env) for _ in range(RUNS))
        results[name] = {"median_s": statistics.median(samples), "min_s": samples[0], "max_s": samples[-1]}
        print(f"{name:62} median {results[name]['median_s']:.3f} s  range {samples[0]:.3f}–{samples[-1]:.3f} s")
    render = results["render"]["median_s"]
    if "render from the baseline tree" in results:
        before = results["render from the baseline tree"]["median_s"]
        results["ratio_baseline_over_render"] = before / render
        print(f"baseline render / render: {before / render:.1f}×")
    out = Path(__file__).resolve().parents[1] / "bench-results" / "render-startup.json"
    out.write_text(json.dumps({"runs": RUNS, "results": results}, indent=2) + "\n")


if __name__ == "__main__":
    main()

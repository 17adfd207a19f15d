"""Whole-process wall time of `llmctl render` (what a user waits for), repeated, medians with ranges.

Side by side: render resolving the image from the SDK's bundled JSON (the default), render given --image-uri (no
resolution at all: the floor), and the cost the previous code paid on top, importing the sagemaker SDK's
image_uris module. Writes bench-results/render-startup.json.
"""

from __future__ import annotations

import json
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
    "import sagemaker.core.image_uris (the old path's extra cost)": [
        sys.executable,
        "-c",
        "import logging; from sagemaker.core import image_uris",
    ],
}


def wall(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    results = {}
    for name, command in CASES.items():
        wall(command)  # warm the page cache
        samples = sorted(wall(command) for _ in range(RUNS))
        results[name] = {"median_s": statistics.median(samples), "min_s": samples[0], "max_s": samples[-1]}
        print(f"{name:62} median {results[name]['median_s']:.3f} s  range {samples[0]:.3f}–{samples[-1]:.3f} s")
    render, sdk = results["render"]["median_s"], results[next(iter(list(CASES)[2:]))]["median_s"]
    results["ratio_old_over_new"] = {"value": (render + sdk) / render, "note": "render + SDK import, over render"}
    print(f"render with the SDK import would take ~{render + sdk:.2f} s: {(render + sdk) / render:.1f}× the new render")
    out = Path(__file__).resolve().parents[1] / "bench-results" / "render-startup.json"
    out.write_text(json.dumps({"runs": RUNS, "results": results}, indent=2) + "\n")


if __name__ == "__main__":
    main()

"""How long `llmctl plan-review` takes on a synthetic plan of N resources (all replaced, worst case for the change
list), and how long its markdown is. Writes bench-results/plan-review.json.

    python bench/bench_plan_review.py [--resources 2000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

from llmctl.plan_review import markdown, review

ROOT = Path(__file__).resolve().parents[1]


def synthetic_plan(resources: int) -> dict[str, Any]:
    changes = [
        {
            "address": f"module.m{i // 100}.aws_s3_object.o[{i}]",
            "mode": "managed",
            "type": "aws_s3_object",
            "change": {
                "actions": ["delete", "create"],
                "before": {"key": f"k{i}"},
                "after": {"key": f"k{i}-v2"},
                "after_unknown": {},
                "before_sensitive": {},
                "after_sensitive": {},
                "replace_paths": [["key"]],
            },
        }
        for i in range(resources)
    ]
    return {"format_version": "1.2", "resource_changes": changes}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--resources", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "bench-results" / "plan-review.json")
    args = parser.parse_args()
    plan = synthetic_plan(args.resources)
    times, size = [], 0
    for _ in range(args.repeats):
        started = time.perf_counter()
        size = len(markdown.render(review(plan)))
        times.append(time.perf_counter() - started)
    result = {
        "resources": args.resources,
        "repeats": args.repeats,
        "seconds_median": round(statistics.median(times), 4),
        "seconds_max": round(max(times), 4),
        "markdown_chars": size,
        "comment_limit": markdown.COMMENT_LIMIT,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result))


if __name__ == "__main__":
    main()

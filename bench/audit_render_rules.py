"""Audit `llmctl render` against the independent container rules (tests/container_rules.py) on the property test's
generated cases, counting instead of stopping at the first failure. With PYTHONPATH pointing at an older checkout's
scripts/ and service/, it audits that code (e.g. before a rule was added). Prints and writes a JSON summary.

    python bench/audit_render_rules.py --examples 400 [--out bench-results/render-audit.json]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "unit")]

from click.testing import CliRunner  # noqa: E402
from container_rules import RULES, facts_of, image_problems  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from llmctl.cli import cli  # noqa: E402
from llmctl.instances import INSTANCE_TYPES  # noqa: E402
from llmctl.models import resolve_model  # noqa: E402
from test_render_properties import CONFIGS, render_args  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--examples", type=int, default=400)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    counts: Counter[str] = Counter()
    broken: Counter[str] = Counter()

    @settings(max_examples=args.examples, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
    @given(render_args())
    def audit(case: list[str]) -> None:
        result = CliRunner().invoke(cli, ["render", *case])
        lines = [line for line in result.output.splitlines() if line.strip()]
        if result.exit_code != 0:
            clean = result.exit_code == 2 and len(lines) == 1 and lines[0].startswith("error: ")
            counts["refused cleanly" if clean else "refused with a traceback or several lines"] += 1
            return
        rendered = json.loads(result.output)
        arch = resolve_model(case[0], CONFIGS.get(case[0]))
        gpu = INSTANCE_TYPES[rendered["instance_type"]].gpu
        facts = facts_of(arch, gpu)
        violations = RULES[case[case.index("-b") + 1]](rendered["env"], facts)
        violations += image_problems(rendered["image_uri"], facts)
        counts["rendered, breaks a container rule" if violations else "rendered, valid"] += 1
        broken.update(violations)

    audit()
    summary = {"examples": args.examples, "outcomes": dict(counts), "broken_rules": dict(broken)}
    print(json.dumps(summary, indent=2))
    if args.out:
        args.out.write_text(json.dumps(summary, indent=2) + "\n")


if __name__ == "__main__":
    main()

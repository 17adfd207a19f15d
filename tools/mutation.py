"""`make mutation`: mutation testing (cosmic-ray) over the code where a silent defect costs most — plan review's flags
and IAM diff, sizing, the client's retry policy and deadline, the service's limits and readiness. Each target is
mutated in a private copy of the repository (PYTHONPATH points there, so the project's .venv runs the copy) and its
own fast tests judge each mutant. Results: bench-results/mutation.json and the tables in docs/mutation.md.

    python tools/mutation.py                  # every target (~30 min on 2 cores)
    python tools/mutation.py --only sizing    # one target
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench-results" / "mutation.json"
COSMIC_RAY = ROOT / ".tools" / "mutation" / "bin"


@dataclass(frozen=True)
class Target:
    name: str
    module: str
    tests: tuple[str, ...]
    functions: tuple[str, ...] = ()  # empty: the whole module
    timeout_s: float = 60.0


TARGETS = (
    Target(
        "plan-review flags",
        "scripts/llmctl/plan_review/dangers.py",
        ("tests/unit/test_plan_review.py", "tests/unit/test_plan_review_dangers.py"),
    ),
    Target(
        "plan-review IAM diff",
        "scripts/llmctl/plan_review/iam.py",
        ("tests/unit/test_plan_review.py", "tests/unit/test_plan_review_iam.py"),
    ),
    Target(
        "sizing",
        "scripts/llmctl/sizing.py",
        ("tests/unit/test_sizing.py", "tests/unit/test_kv_head_sharding.py", "tests/unit/test_render_golden.py"),
    ),
    Target(
        "client retry policy and deadline",
        "service/llm_service/client/client.py",
        (
            "tests/unit/test_retry_policy.py",
            "tests/integration/test_client_runtime.py",
            "tests/unit/test_client_config.py",
        ),
        ("retryable", "retry_policy", "remaining", "check"),
        timeout_s=120.0,
    ),
    Target(
        "service limits",
        "service/llm_service/limits.py",
        (
            "tests/unit/test_limits.py",
            "tests/integration/test_service.py",
            "-k",
            "limit or 413 or 429 or body or released",
        ),
    ),
    Target(
        "service readiness and model routing",
        "service/llm_service/api/state.py",
        ("tests/unit/test_service_readiness.py", "tests/integration/test_service.py", "-k", "ready or model"),
    ),
)


def _copy_repository(into: Path) -> Path:
    listed = ["git", "ls-files", "--cached", "--others", "--exclude-standard"]  # new, uncommitted files too
    files = subprocess.run(listed, cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    for name in files:
        source = ROOT / name
        target = into / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            target.symlink_to(source.readlink())
        elif source.is_file():
            shutil.copy2(source, target)
    return into


def _run_target(target: Target, work: Path) -> dict[str, Any]:
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import TestOutcome, WorkerOutcome, WorkResult

    session = work / f"{target.module.replace('/', '_')}.sqlite"
    python = ROOT / ".venv" / "bin" / "python"
    config = work / "cosmic-ray.toml"
    tests = " ".join(shlex.quote(part) for part in target.tests)
    config.write_text(
        "[cosmic-ray]\n"
        f'module-path = "{target.module}"\n'
        f"timeout = {target.timeout_s}\n"
        "excluded-modules = []\n"
        f'test-command = "{python} -m pytest -x -q -p no:cacheprovider {tests}"\n'
        '[cosmic-ray.distributor]\nname = "local"\n'
    )
    # The copy's packages first on the path: the project's .venv (an editable install of ROOT) then runs the mutant.
    env = {**os.environ, "PYTHONPATH": f"{work / 'scripts'}:{work / 'service'}"}
    # Baseline: the tests must pass unmutated, or every mutant would count as killed.
    baseline = [str(python), "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *target.tests]
    if subprocess.run(baseline, cwd=work, env=env, capture_output=True).returncode != 0:
        raise SystemExit(f"the tests of {target.name} fail without any mutation; fix them first: {' '.join(baseline)}")
    subprocess.run([str(COSMIC_RAY / "cosmic-ray"), "init", str(config), str(session)], cwd=work, check=True)
    skipped = 0
    if target.functions:
        with use_db(str(session), WorkDB.Mode.open) as db:
            for item in list(db.pending_work_items):
                if not any((m.definition_name or "").split(".")[-1] in target.functions for m in item.mutations):
                    db.set_result(item.job_id, WorkResult(worker_outcome=WorkerOutcome.SKIPPED))
                    skipped += 1
    subprocess.run([str(COSMIC_RAY / "cosmic-ray"), "exec", str(config), str(session)], cwd=work, check=True, env=env)
    survivors, killed, incompetent = [], 0, 0
    with use_db(str(session), WorkDB.Mode.open) as db:
        for item, result in db.completed_work_items:
            if result.worker_outcome == WorkerOutcome.SKIPPED:
                continue
            if result.test_outcome == TestOutcome.KILLED:
                killed += 1
            elif result.test_outcome == TestOutcome.INCOMPETENT:
                incompetent += 1
            else:
                mutation = item.mutations[0]
                survivors.append(
                    {
                        "line": mutation.start_pos[0],
                        "function": mutation.definition_name,
                        "operator": mutation.operator_name,
                        "diff": "\n".join(
                            line
                            for line in (result.diff or "").splitlines()
                            if line.startswith(("+", "-")) and not line.startswith(("+++", "---"))
                        ),
                    }
                )
    total = killed + len(survivors)
    return {
        "target": target.name,
        "module": target.module,
        "functions": list(target.functions),
        "tests": list(target.tests),
        "mutants": total,
        "killed": killed,
        "survived": len(survivors),
        "incompetent": incompetent,
        "score": round(killed / total, 3) if total else None,
        "survivors": sorted(survivors, key=lambda s: s["line"]),
    }


def _write(results: dict[str, Any], path: Path) -> None:
    targets = [results[t.name] for t in TARGETS if t.name in results]
    path.write_text(json.dumps({"targets": targets}, indent=1) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", help="run the targets whose name contains this text")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where to keep the results (JSON)")
    args = parser.parse_args()
    if not (COSMIC_RAY / "cosmic-ray").exists():
        print("cosmic-ray is not installed; run `make mutation` (it installs it into .tools/mutation)", file=sys.stderr)
        return 2
    sys.path.insert(0, str(next((COSMIC_RAY.parent / "lib").glob("python3*/site-packages"))))
    targets = [t for t in TARGETS if not args.only or args.only in t.name]
    previous = json.loads(args.results.read_text()) if args.results.exists() else {"targets": []}
    results = {r["target"]: r for r in previous["targets"]}
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = _copy_repository(Path(tmp))
        for target in targets:
            print(f"mutating {target.module} ({target.name})", flush=True)
            result = _run_target(target, work)
            result["date"] = dt.date.today().isoformat()
            result["commit"] = commit.stdout.strip()
            results[target.name] = result
            print(f"  {result['killed']}/{result['mutants']} killed, {result['survived']} survived", flush=True)
            _write(results, args.results)  # after each target: a long run keeps what it finished
    print(f"wrote {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

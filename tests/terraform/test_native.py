"""Each module's native `terraform test` suite, and a check that every validation rule has a failing-input run."""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from support.terraform import MODULES, run_terraform


def _runs(module: Path) -> int:
    return sum(len(re.findall(r'^run "', f.read_text(), re.M)) for f in (module / "tests").glob("*.tftest.hcl"))


def conditions(condition: str) -> int:
    """The clauses a validation condition joins with &&: each can be broken alone, so each needs its own failing run
    (a rule that silently lost one clause would otherwise still pass)."""
    without_strings = re.sub(r'"(?:[^"\\]|\\.)*"', '""', condition)
    return 1 + without_strings.count("&&")


def _validation_conditions(module: Path) -> Counter[str]:
    counts: Counter[str] = Counter()
    for block in re.split(r'^variable "', (module / "variables.tf").read_text(), flags=re.M)[1:]:
        name = block.split('"', 1)[0]
        for validation in re.split(r"^\s+validation \{", block, flags=re.M)[1:]:
            counts[name] += conditions(validation.split("error_message", 1)[0])
    return counts


def _expected_failures(module: Path) -> Counter[str]:
    text = "".join(f.read_text() for f in (module / "tests").glob("*.tftest.hcl"))
    return Counter(re.findall(r"expect_failures = \[var\.(\w+)\]", text))


@pytest.fixture(scope="session")
def native_results(init_root: Callable[[Path], dict[str, str]]) -> dict[Path, subprocess.CompletedProcess[str]]:
    """Every module's `terraform test`, two at a time: each is one mostly single-threaded process per module (its
    own data dir, in-memory state), and the whole suite is ~3.5 minutes run one after another."""
    envs = {module: init_root(module) for module in MODULES}
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {
            module: pool.submit(run_terraform, ["test", "-no-color"], module, envs[module]) for module in MODULES
        }
    return {module: future.result() for module, future in futures.items()}


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.name)
def test_module_native_tests_pass(module: Path, native_results: dict[Path, subprocess.CompletedProcess[str]]) -> None:
    result = native_results[module]
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr
    passed = re.search(r"Success! (\d+) passed, 0 failed\.", result.stdout)
    assert passed, result.stdout[-2000:]
    assert int(passed.group(1)) == _runs(module), "every run block must run and pass (none skipped)"


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.name)
def test_every_validation_condition_has_a_failing_input(module: Path) -> None:
    rules, failures = _validation_conditions(module), _expected_failures(module)
    missing = {name: n - failures[name] for name, n in rules.items() if failures[name] < n}
    assert not missing, f"validation conditions without an expect_failures run (variable: how many): {missing}"


def test_conditions_are_counted_per_clause() -> None:
    assert conditions("var.x >= 1 && var.x <= 3 && floor(var.x) == var.x") == 3
    assert conditions('can(regex("a&&b", var.x))') == 1  # inside a string: not a clause
    assert conditions("var.x == null || var.x > 0") == 1

"""Each module's native `terraform test` suite, and a check that every validation rule has a failing-input run."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from support.terraform import MODULES, run_terraform


def _runs(module: Path) -> int:
    return sum(len(re.findall(r'^run "', f.read_text(), re.M)) for f in (module / "tests").glob("*.tftest.hcl"))


def _validation_blocks(module: Path) -> Counter[str]:
    counts: Counter[str] = Counter()
    for block in re.split(r'^variable "', (module / "variables.tf").read_text(), flags=re.M)[1:]:
        name = block.split('"', 1)[0]
        counts[name] = len(re.findall(r"^\s+validation \{", block, re.M))
    return counts


def _expected_failures(module: Path) -> Counter[str]:
    text = "".join(f.read_text() for f in (module / "tests").glob("*.tftest.hcl"))
    return Counter(re.findall(r"expect_failures = \[var\.(\w+)\]", text))


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.name)
def test_module_native_tests_pass(module: Path, init_root) -> None:  # type: ignore[no-untyped-def]
    result = run_terraform(["test", "-no-color"], module, init_root(module))
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr
    passed = re.search(r"Success! (\d+) passed, 0 failed\.", result.stdout)
    assert passed, result.stdout[-2000:]
    assert int(passed.group(1)) == _runs(module), "every run block must run and pass (none skipped)"


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.name)
def test_every_validation_rule_has_a_failing_input(module: Path) -> None:
    rules, failures = _validation_blocks(module), _expected_failures(module)
    missing = {name: n - failures[name] for name, n in rules.items() if failures[name] < n}
    assert not missing, f"validation rules without an expect_failures run (variable: how many): {missing}"

"""README and docs examples are real output: every ```console block whose first line is `$ llmctl …` is run and
compared (tests/unit/test_doc_examples.py), and `make docs-examples` rewrites them from a fresh run.

The commands run in-process from the repository root with COLUMNS=100, so tables have one width everywhere.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
EXAMPLE = re.compile(r"^```console\n\$ (llmctl [^\n]+)\n(.*?)^```$", re.S | re.M)
WIDTH = "100"


@dataclass(frozen=True)
class Example:
    path: Path
    command: str
    shown: str


def examples(paths: list[Path] | None = None) -> list[Example]:
    found = []
    for path in paths or DOCS:
        for match in EXAMPLE.finditer(path.read_text()):
            found.append(Example(path, match.group(1), match.group(2)))
    return found


def run(command: str) -> str:
    """What a person at a 100-column terminal sees (stdout and stderr together), trailing blanks trimmed."""
    from click.testing import CliRunner
    from llmctl.cli import cli

    cwd = Path.cwd()
    os.chdir(REPO)
    try:
        result = CliRunner().invoke(cli, shlex.split(command)[1:], env={"COLUMNS": WIDTH, "NO_COLOR": "1"})
    finally:
        os.chdir(cwd)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise RuntimeError(f"{command} raised {result.exception!r}")
    return "".join(line.rstrip() + "\n" for line in result.output.splitlines())


def rewrite(path: Path) -> bool:
    text = path.read_text()

    def fresh(match: re.Match[str]) -> str:
        return f"```console\n$ {match.group(1)}\n{run(match.group(1))}```"

    new = EXAMPLE.sub(fresh, text)
    if new != text:
        path.write_text(new)
    return new != text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 if any example is stale; write nothing")
    args = parser.parse_args()
    stale = [e for e in examples() if run(e.command) != e.shown]
    if args.check:
        for example in stale:
            print(f"stale: {example.path.relative_to(REPO)}: $ {example.command}")
        return 1 if stale else 0
    for path in DOCS:
        if rewrite(path):
            print(f"rewrote {path.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

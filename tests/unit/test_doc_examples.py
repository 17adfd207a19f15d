"""Every `$ llmctl …` example in the README and docs/ is the command's real output today (tools/doc_examples.py;
`make docs-examples` refreshes them)."""

from __future__ import annotations

import doc_examples
import pytest

EXAMPLES = doc_examples.examples()


def test_the_docs_carry_checked_examples() -> None:
    # The README's render, check and plan-review examples at least; a regex that stopped matching would pass vacuously.
    commands = " ".join(example.command for example in EXAMPLES)
    for needed in ("llmctl render", "llmctl check", "llmctl plan-review", "llmctl models", "llmctl instances"):
        assert needed in commands


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: f"{e.path.name}: {e.command[:60]}")
def test_example_output_is_current(example: doc_examples.Example) -> None:
    assert doc_examples.run(example.command) == example.shown, "run `make docs-examples` and review the diff"

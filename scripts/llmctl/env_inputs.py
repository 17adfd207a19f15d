"""An environment root's inputs: the variables its .tf files declare and the ones its tfvars files set.

Terraform only warns ("Value for undeclared variable") about a tfvars entry no variable declares, among a hundred
lines of plan, and then ignores it: a misspelt or misplaced setting would change nothing. `llmctl tf plan` refuses
that before Terraform runs.
"""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path
from typing import Any

from .errors import LlmctlError

# Files Terraform loads without -var-file: terraform.tfvars(.json) and *.auto.tfvars(.json).
_AUTOLOADED = ("terraform.tfvars", "terraform.tfvars.json", "*.auto.tfvars", "*.auto.tfvars.json")
_DECLARATION = re.compile(r'^\s*variable\s+"([^"]+)"', re.M)


def declared_variables(root: Path) -> set[str]:
    return {name for tf in sorted(root.glob("*.tf")) for name in _DECLARATION.findall(tf.read_text())}


def autoloaded_tfvars(root: Path) -> list[Path]:
    return sorted({path for pattern in _AUTOLOADED for path in root.glob(pattern) if path.is_file()})


def read_tfvars(path: Path) -> dict[str, Any]:
    """A tfvars file's top-level assignments (JSON or HCL); a file that does not parse is one sentence."""
    text = path.read_text()
    data: Any
    if path.name.endswith(".json"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise LlmctlError(f"{path} is not valid JSON ({exc}); fix it before planning.") from None
    else:
        import hcl2

        try:
            data = hcl2.loads(text)
        except Exception as exc:  # lark's parse errors have no common public base class
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise LlmctlError(f"{path} is not valid HCL ({first_line}); fix it before planning.") from None
    if not isinstance(data, dict):
        raise LlmctlError(f"{path} must set variables (name = value); it holds no assignments.")
    return {name: value for name, value in data.items() if not name.startswith("__")}  # hcl2's own: __comments__


def assigned_variables(path: Path) -> set[str]:
    """Top-level names a tfvars file sets (JSON or HCL)."""
    return set(read_tfvars(path))


def check_declared(root: Path) -> None:
    """Raise one sentence naming the first tfvars entry the root does not declare."""
    declared = declared_variables(root)
    for path in autoloaded_tfvars(root):
        unknown = sorted(assigned_variables(path) - declared)
        if not unknown:
            continue
        name = unknown[0]
        close = difflib.get_close_matches(name, sorted(declared), n=1, cutoff=0.6)
        hint = f" did you mean {close[0]}?" if close else f" the settings it declares: {', '.join(sorted(declared))}."
        raise LlmctlError(
            f"{path} sets {', '.join(unknown)}, which {root} does not declare, so Terraform would ignore it;"
            f"{hint} (docs/tfvars.md lists each file's variables)"
        )

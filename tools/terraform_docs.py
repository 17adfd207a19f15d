"""Write the inputs and outputs tables of each Terraform module's README (between the BEGIN/END_TF_DOCS markers).

`python tools/terraform_docs.py` rewrites them; `--check` exits 1 when a README is out of date (run by the tests).
terraform-docs is not reachable from this project's machines, so this reads variables.tf/outputs.tf with python-hcl2.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import hcl2

MODULES = Path(__file__).resolve().parents[1] / "terraform" / "modules"
BEGIN, END = "<!-- BEGIN_TF_DOCS -->", "<!-- END_TF_DOCS -->"


def _unquote(value: Any) -> Any:
    if isinstance(value, str):
        if value.startswith('"') and value.endswith('"'):
            return json.loads(value)
        if value.startswith("${") and value.endswith("}"):
            return value[2:-1]
    if isinstance(value, dict):
        return {_unquote(k): _unquote(v) for k, v in value.items() if k != "__is_block__"}
    if isinstance(value, list):
        return [_unquote(v) for v in value]
    return value


def _blocks(path: Path, kind: str) -> list[tuple[str, dict[str, Any]]]:
    with path.open() as handle:
        parsed = hcl2.load(handle)
    return [(_unquote(name), _unquote(body)) for block in parsed.get(kind, []) for name, body in block.items()]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _default(body: dict[str, Any]) -> str:
    if "default" not in body:
        return "required"
    return f"`{_cell(json.dumps(body['default']))}`"


def tables(module: Path) -> str:
    rows = ["## Inputs", "", "| name | description | type | default |", "| --- | --- | --- | --- |"]
    for name, body in _blocks(module / "variables.tf", "variable"):
        type_ = " ".join(str(body.get("type", "any")).split())
        rows.append(f"| `{name}` | {_cell(body.get('description', ''))} | `{_cell(type_)}` | {_default(body)} |")
    rows += ["", "## Outputs", "", "| name | description |", "| --- | --- |"]
    for name, body in _blocks(module / "outputs.tf", "output"):
        rows.append(f"| `{name}` | {_cell(body.get('description', ''))} |")
    return "\n".join(rows)


def rendered(readme: str, module: Path) -> str:
    head, rest = readme.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{tables(module)}\n{END}{tail}"


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for module in sorted(p for p in MODULES.iterdir() if (p / "variables.tf").is_file()):
        readme = module / "README.md"
        current = readme.read_text()
        wanted = rendered(current, module)
        if current != wanted:
            stale.append(str(readme))
            if not check:
                readme.write_text(wanted)
    if check and stale:
        print(f"out of date (run `make tf-docs`): {', '.join(stale)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""`llmctl instances`: the GPU instance catalog render sizes against."""

from __future__ import annotations

import json

import click
from rich.table import Table

from ..consoles import console
from ..instances import by_size


@click.command("instances")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
def instances_cmd(as_json: bool) -> None:
    """List the SageMaker GPU instance types llmctl knows, smallest first.

    \b
    Example:
      llmctl instances --json | jq '.[] | select(.gpu_count == 8)'
    """
    rows = [
        {
            "instance_type": t.name,
            "gpu": t.gpu.model,
            "gpu_count": t.gpu_count,
            "gpu_memory_mib": t.gpu.memory_mib,
            "vcpus": t.vcpus,
            "memory_gib": t.memory_gib,
            "instance_store_gb": t.instance_store_gb,  # 0: an ML storage volume instead (p3)
        }
        for t in by_size()
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    table = Table(title="SageMaker GPU instance types")
    for column in rows[0]:
        table.add_column(column)
    for row in rows:
        table.add_row(*(str(v) for v in row.values()))
    console().print(table)

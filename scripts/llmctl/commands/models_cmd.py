"""`llmctl models`."""

from __future__ import annotations

import json

import click
from rich.table import Table

from ..consoles import console
from ..models import arch_from_config, catalog


@click.command("models")
@click.option("--json", "as_json", is_flag=True, help="Print the catalog as JSON.")
def models_cmd(as_json: bool) -> None:
    """List the models render knows offline (the bundled catalog of config.json facts).

    Any other model renders with --model-config config.json, or from the Hub when it is reachable. Gated models need
    a Hub token to download, which the stack never puts in the container: stage their weights in S3.

    \b
    Examples:
      llmctl models
      llmctl models --json | jq -r '.[] | select(.gated | not) | .hub_id'
    """
    rows = []
    for entry in sorted(catalog().values(), key=lambda e: e["hub_id"].lower()):
        arch = arch_from_config(entry["config"], entry["hub_id"])
        rows.append(
            {
                "hub_id": entry["hub_id"],
                "parameters_b": round(arch.parameter_count() / 1e9, 2),
                "context": arch.max_context,
                "attention_heads": arch.num_attention_heads,
                "kv_heads": arch.num_kv_heads,
                "sliding_window": arch.sliding_window,
                "gated": entry["gated"],
            }
        )
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    table = Table(
        title=f"{len(rows)} models in the catalog",
        caption="gated: the Hub needs a token to download it; stage its weights in S3 (docs/deploy.md)",
    )
    table.add_column("model", no_wrap=True)
    for column in ("parameters", "context", "heads / KV heads", "gated"):
        table.add_column(column, justify="right" if column in ("parameters", "context") else "left")
    for row in rows:
        table.add_row(
            row["hub_id"],
            f"{row['parameters_b']:.2f} B",
            f"{row['context']:,}",
            f"{row['attention_heads']} / {row['kv_heads']}",
            "yes" if row["gated"] else "no",
        )
    console().print(table)

"""`llmctl plan-review PLAN`: a reviewer's summary of a Terraform plan of this stack."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ..consoles import console
from ..errors import LlmctlError
from ..plan_review import markdown, plan, review, terminal
from ..plan_review.findings import FLAGS
from ..quotas import EndpointQuota


def _flag_ids(value: str | None) -> set[str]:
    if not value:
        return set()
    ids = {part.strip() for part in value.split(",") if part.strip()}
    unknown = sorted(ids - set(FLAGS))
    if unknown:
        raise LlmctlError(f"--fail-on {', '.join(unknown)}: unknown flag; use any of {', '.join(FLAGS)}.")
    return ids


def _prices(path: Path | None) -> dict[str, Any] | None:
    if path is None:
        return None
    try:
        table = json.loads(path.read_text())
        ok = isinstance(table, dict) and all(
            isinstance(entry, list) and isinstance(entry[0], int | float)
            for types in table["regions"].values()
            for entry in types.values()
        )
    except (ValueError, KeyError, TypeError, AttributeError, IndexError):
        ok = False
    if not ok:
        raise LlmctlError(
            f"--prices {path} is not a price table; give JSON like "
            '{"regions": {"eu-west-1": {"ml.g5.2xlarge": [1.5, "ours"]}}, "sources": {"ours": "where from"}}.'
        )
    return dict(table)


def _quotas(path: Path | None) -> list[EndpointQuota] | None:
    if path is None:
        return None
    try:
        return [
            EndpointQuota(str(q["instance_type"]), q["quota"], int(q["in_use"])) for q in json.loads(path.read_text())
        ]
    except (ValueError, KeyError, TypeError):
        raise LlmctlError(
            f"--quotas {path} is not a quota file; give the llm.quotas.json `llmctl tf plan` writes beside the plan."
        ) from None


@click.command("plan-review")
@click.argument("plan_file", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["terminal", "markdown", "json"]),
    default="terminal",
    show_default=True,
    help="terminal (rich), markdown (a PR comment), json (scripts).",
)
@click.option("--fail-on", help=f"Exit 1 when any of these flags is raised (comma-separated): {', '.join(FLAGS)}.")
@click.option("--title", default="Terraform plan", show_default=True, help="Heading of the summary.")
@click.option("--region", help="Region for prices, when the plan has no `region` output.")
@click.option(
    "--prices",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Your own price table (JSON, the shape of llmctl's catalog/prices.json) over the bundled one: other regions.",
)
@click.option(
    "--quotas",
    "quotas_file",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="The endpoint quotas `llmctl tf plan` read beside the plan (llm.quotas.json): raises the `quota` flag.",
)
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help="Write the summary here (else stdout).")
def plan_review_cmd(
    plan_file: Path,
    fmt: str,
    fail_on: str | None,
    title: str,
    region: str | None,
    prices: Path | None,
    quotas_file: Path | None,
    out: Path | None,
) -> None:
    """Summarise a plan for review: resources by action (with the attributes that force each replacement), endpoint
    rolls versus replacements, model replacements and why (image, env diff, weights), instance type and autoscaling
    before/after, IAM statements added and removed (wildcards flagged), $/hour and $/month before and after, and
    danger flags (data deletion, encryption, public access).

    PLAN_FILE is the JSON `make plan` writes (llm.tfplan.json), or a binary plan (run through `terraform show -json`).

    \b
    Examples:
      llmctl plan-review terraform/envs/dev/llm.tfplan.json
      llmctl plan-review llm.tfplan.json --format markdown --out comment.md --fail-on replace-endpoint,delete-data
      llmctl plan-review llm.tfplan.json --prices our-eu-prices.json   # regions the bundled table lacks
      llmctl plan-review llm.tfplan.json --quotas llm.quotas.json --fail-on quota
    """
    gate = _flag_ids(fail_on)
    result = review(
        plan.load(plan_file), title=title, region=region, prices=_prices(prices), quotas=_quotas(quotas_file)
    )
    if fmt == "json":
        text = json.dumps(result.to_json(), indent=2) + "\n"
    elif fmt == "markdown":
        text = markdown.render(result)
    else:
        text = ""
    if out is not None:
        out.write_text(text if fmt != "terminal" else markdown.render(result))
    elif fmt == "terminal":
        terminal.show(result, console())
    else:
        click.echo(text, nl=False)
    raised = result.raised(gate)
    if raised:
        click.echo(f"plan-review: {len(raised)} gated flag(s): " + "; ".join(f.id for f in raised), err=True)
        raise SystemExit(1)

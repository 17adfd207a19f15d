"""`llmctl check`."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..check import CheckResult, check_tfvars, problems_sentence
from ..errors import LlmctlError


@click.command("check")
@click.argument("tfvars", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--model-config", type=click.Path(path_type=Path), help="config.json of a model not in the catalog.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON (exit code unchanged).")
def check_cmd(tfvars: Path, model_config: Path | None, as_json: bool) -> None:
    """Re-check a tfvars file (hand edits included) with the container rules render applies.

    Exit 0 when it passes, 2 with one line per problem otherwise. `llmctl tf plan` runs it before Terraform.

    \b
    Examples:
      llmctl check terraform/envs/dev/llm.auto.tfvars.json
      llmctl check terraform/envs/dev/llm.auto.tfvars.json --model-config ./my-finetune/config.json --json
    """
    result = check_tfvars(tfvars, model_config)
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2))
    report(result, quiet=as_json)
    if not as_json:
        click.echo(
            f"{tfvars}: passes the {result.backend} container rules" + (f" for {result.model}" if result.model else "")
        )


def report(result: CheckResult, quiet: bool = False) -> None:
    """A note or error line per finding on stderr (none when quiet), then one sentence and exit 2 on any problem; used
    by `llmctl check` and by `llmctl tf plan` before Terraform runs."""
    if not quiet:
        for note in result.notes:
            click.echo(f"note: {note}", err=True)
        for problem in result.problems:
            click.echo(f"error: {problem}", err=True)
    if result.problems:
        raise LlmctlError(problems_sentence(result.path, len(result.problems)))

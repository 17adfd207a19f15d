"""The `llmctl` click group. Errors print one sentence and exit non-zero; never a traceback.

Subcommands are imported when they run (click's lazy-loading pattern): `render` does not pay for boto3, which the
endpoint commands import.
"""

from __future__ import annotations

import importlib
import sys

import click

from . import __version__
from .errors import LlmctlError

_COMMANDS = {
    "render": "render_cmd:render_cmd",
    "check": "check_cmd:check_cmd",
    "models": "models_cmd:models_cmd",
    "image-uri": "image_uri_cmd:image_uri_cmd",
    "instances": "instances_cmd:instances_cmd",
    "invoke": "invoke_cmd:invoke_cmd",
    "batch": "batch_cmd:batch_cmd",
    "ingest": "ingest_cmd:ingest_cmd",
    "ask": "ask_cmd:ask_cmd",
    "load": "load_cmd:load_cmd",
    "status": "status_cmd:status_cmd",
    "tf": "tf_cmd:tf_group",
    "local": "local_cmd:local_group",
    "plan-review": "plan_review_cmd:plan_review_cmd",
    "stage": "stage_cmd:stage_cmd",
    "bootstrap": "bootstrap_cmd:bootstrap_cmd",
}


class _Group(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in _COMMANDS:
            return None
        module, attribute = _COMMANDS[cmd_name].split(":")
        command: click.Command = getattr(importlib.import_module(f".commands.{module}", __package__), attribute)
        return command

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except LlmctlError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="llmctl")
def cli() -> None:
    """Operate SageMaker LLM endpoints: render → tfvars → Terraform → endpoint → invoke.

    \b
    Example:
      llmctl render meta-llama/Llama-3.1-8B-Instruct --instance-type ml.g5.2xlarge
    """


def main() -> None:
    cli()

"""The `llmctl` click group. Errors print one sentence and exit non-zero; never a traceback."""

from __future__ import annotations

import sys

import click

from . import __version__
from .commands.image_uri_cmd import image_uri_cmd
from .commands.instances_cmd import instances_cmd
from .commands.invoke_cmd import invoke_cmd
from .commands.load_cmd import load_cmd
from .commands.local_cmd import local_group
from .commands.render_cmd import render_cmd
from .commands.status_cmd import status_cmd
from .commands.tf_cmd import tf_group
from .errors import LlmctlError


class _Group(click.Group):
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


cli.add_command(render_cmd)
cli.add_command(image_uri_cmd)
cli.add_command(instances_cmd)
cli.add_command(invoke_cmd)
cli.add_command(load_cmd)
cli.add_command(status_cmd)
cli.add_command(tf_group)
cli.add_command(local_group)


def main() -> None:
    cli()

"""`llmctl image-uri`."""

from __future__ import annotations

import json

import click

from ..backends import BACKENDS
from ..images import available_versions, resolve_image_uri


@click.command("image-uri")
@click.option("--backend", "-b", type=click.Choice(sorted(BACKENDS)), default="tgi", show_default=True)
@click.option("--region", default="us-east-1", show_default=True, envvar="AWS_REGION")
@click.option("--version", "version", help="Container version (default: newest the sagemaker SDK knows).")
@click.option("--list", "list_versions", is_flag=True, help="List the versions known for the backend.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object.")
def image_uri_cmd(backend: str, region: str, version: str | None, list_versions: bool, as_json: bool) -> None:
    """Resolve the serving container's image URI offline from the sagemaker SDK's config.

    \b
    Examples:
      llmctl image-uri --backend tgi --region eu-west-1
      llmctl image-uri --backend lmi --version 0.36.0 --json
      llmctl image-uri --backend vllm --list
    """
    if list_versions:
        versions = available_versions(backend)
        click.echo(json.dumps(versions) if as_json else "\n".join(versions))
        return
    uri = resolve_image_uri(backend, region, version)
    if as_json:
        click.echo(json.dumps({"backend": backend, "region": region, "version": version, "image_uri": uri}))
    else:
        click.echo(uri)

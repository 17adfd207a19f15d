"""`llmctl stage MODEL`: put a model's weights in the artifacts bucket and print the --model-s3-uri to render with."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click
from llm_service.client import AwsSettings, make_client
from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn

from .. import staging
from ..aws_options import aws_options, settings_from
from ..consoles import console
from ..errors import LlmctlError


def _token(secret: str | None, settings: AwsSettings) -> str | None:
    """The Hub token: a Secrets Manager secret read now, else HF_TOKEN; never written anywhere."""
    if secret is None:
        return os.environ.get("HF_TOKEN") or None
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        value = make_client("secretsmanager", settings, settings.endpoint_url).get_secret_value(SecretId=secret)
    except (BotoCoreError, ClientError) as exc:
        raise LlmctlError(
            f"--token-secret {secret} could not be read ({type(exc).__name__}); check its name and your rights."
        ) from None
    return str(value.get("SecretString") or "") or None


def _bucket(bucket: str | None, tf_dir: Path | None) -> str:
    if bucket:
        return bucket
    if tf_dir is not None:
        from ..terraform_cli import TerraformRoot

        outputs = TerraformRoot(tf_dir, Path(".local")).outputs()
        if outputs.get("artifacts_bucket"):
            return str(outputs["artifacts_bucket"])
        raise LlmctlError(f"{tf_dir} has no artifacts_bucket output yet; `make apply` there first, or pass --bucket.")
    raise LlmctlError("no bucket given; pass --bucket NAME or --tf-dir terraform/envs/<env> (its artifacts bucket).")


@click.command("stage")
@click.argument("model_id")
@click.option("--from-dir", type=click.Path(path_type=Path), help="A checkpoint already on disk, instead of the Hub.")
@click.option("--revision", help="Hub revision (branch, tag or commit).")
@click.option("--bucket", help="Destination bucket (default: --tf-dir's artifacts bucket).")
@click.option("--tf-dir", type=click.Path(path_type=Path), help="Environment whose artifacts bucket receives them.")
@click.option("--prefix", help="Key prefix (default: models/<model name>/).")
@click.option("--token-secret", help="Secrets Manager secret holding a Hub token (default: HF_TOKEN).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (files, bytes, the S3 URI).")
@aws_options
def stage_cmd(
    model_id: str,
    from_dir: Path | None,
    revision: str | None,
    bucket: str | None,
    tf_dir: Path | None,
    prefix: str | None,
    token_secret: str | None,
    as_json: bool,
    region: str | None,
    profile: str | None,
    endpoint_url: str | None,
    timeout: float | None,
) -> None:
    """Upload a model's serving files (config, tokenizer, safetensors) to s3://BUCKET/models/<name>/, multipart with
    SHA-256 checksums; files already there with the same bytes are skipped, so a rerun resumes. Prints the
    --model-s3-uri to render with. Gated models download with your token into the Hugging Face cache only.

    \b
    Examples:
      HF_TOKEN=hf_… llmctl stage meta-llama/Llama-3.1-8B-Instruct --tf-dir terraform/envs/dev
      llmctl stage my-org/twin --from-dir ./twin-merged --bucket team-models
    """
    target = _bucket(bucket, tf_dir)
    key_prefix = prefix or f"models/{staging.slug(model_id)}/"
    if not key_prefix.endswith("/"):
        key_prefix += "/"
    settings = settings_from(region, profile, endpoint_url, timeout)
    directory = from_dir or staging.hub_download(model_id, revision, _token(token_secret, settings))
    files = staging.serve_files(directory)
    total = sum(f.stat().st_size for f in files)
    s3 = make_client("s3", settings, endpoint_url)
    from botocore.exceptions import BotoCoreError, ClientError

    columns = ("[progress.description]{task.description}", BarColumn(), DownloadColumn(), TransferSpeedColumn())
    with Progress(*columns, console=console(stderr=True), disable=as_json) as progress:
        task = progress.add_task(f"s3://{target}/{key_prefix}", total=total)
        try:
            staged = list(staging.upload(s3, directory, target, key_prefix, lambda n: progress.advance(task, n)))
        except (BotoCoreError, ClientError) as exc:
            raise LlmctlError(f"uploading to s3://{target}/{key_prefix} failed: {exc}; rerun to resume.") from None
    uri = f"s3://{target}/{key_prefix}"
    uploaded = [f for f in staged if f.uploaded]
    if as_json:
        click.echo(
            json.dumps(
                {
                    "model_s3_uri": uri,
                    "files": len(staged),
                    "uploaded": len(uploaded),
                    "bytes": total,
                    "keys": [f.key for f in staged],
                }
            )
        )
        return
    click.echo(f"staged {len(staged)} files ({len(uploaded)} uploaded, {len(staged) - len(uploaded)} already there)")
    click.echo(f"render with: --model-s3-uri {uri}")

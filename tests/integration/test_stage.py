"""`llmctl stage` (issue 17): a checkpoint's serving files go to s3://bucket/models/<name>/ with their SHA-256, a rerun
uploads nothing, a changed file is uploaded again, and what is not a serving file stays behind; a Hub token is read
from Secrets Manager at run time."""

from __future__ import annotations

import json
import os
from pathlib import Path

import boto3
import pytest
from click.testing import CliRunner
from llmctl.cli import cli

pytestmark = pytest.mark.integration
KW = {"region_name": "us-east-1", "aws_access_key_id": "x", "aws_secret_access_key": "x"}


def _checkpoint(directory: Path) -> Path:
    directory.mkdir()
    (directory / "config.json").write_text(json.dumps({"model_type": "llama"}))
    (directory / "tokenizer.json").write_text("{}")
    (directory / "model.safetensors").write_bytes(os.urandom(3 * 1024 * 1024))
    (directory / "optimizer.pt").write_bytes(b"training state")  # not served: stays behind
    return directory


def _stage(moto: str, directory: Path, *extra: str) -> dict[str, object]:
    args = ["stage", "my-org/Twin-8B", "--from-dir", str(directory), "--bucket", "team-models", "--json"]
    result = CliRunner().invoke(cli, [*args, "--endpoint-url", moto, "--region", "us-east-1", *extra])
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.stdout))


def test_stage_uploads_once_and_resumes(moto_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")
    s3 = boto3.client("s3", endpoint_url=moto_url, **KW)
    s3.create_bucket(Bucket="team-models")
    checkpoint = _checkpoint(tmp_path / "twin")

    first = _stage(moto_url, checkpoint)
    assert first["model_s3_uri"] == "s3://team-models/models/twin-8b/"
    assert sorted(first["keys"]) == [  # type: ignore[call-overload]
        "models/twin-8b/config.json",
        "models/twin-8b/model.safetensors",
        "models/twin-8b/tokenizer.json",
    ]
    assert first["uploaded"] == 3
    head = s3.head_object(Bucket="team-models", Key="models/twin-8b/model.safetensors")
    import hashlib

    assert head["Metadata"]["sha256"] == hashlib.sha256((checkpoint / "model.safetensors").read_bytes()).hexdigest()

    assert _stage(moto_url, checkpoint)["uploaded"] == 0, "a rerun uploads nothing"
    (checkpoint / "tokenizer.json").write_text('{"changed": true}')
    assert _stage(moto_url, checkpoint)["uploaded"] == 1, "only the changed file"


def test_a_directory_that_is_not_a_checkpoint_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = CliRunner().invoke(cli, ["stage", "x/y", "--from-dir", str(empty), "--bucket", "b-b-b"])
    assert result.exit_code == 2 and "has no config.json" in result.output
    (empty / "config.json").write_text("{}")
    (empty / "pytorch_model.bin").write_bytes(b"x")
    result = CliRunner().invoke(cli, ["stage", "x/y", "--from-dir", str(empty), "--bucket", "b-b-b"])
    assert result.exit_code == 2 and "has no *.safetensors weights" in result.output


def test_the_hub_token_comes_from_secrets_manager_at_run_time(moto_url: str) -> None:
    from llmctl.aws_options import settings_from
    from llmctl.commands.stage_cmd import _token

    boto3.client("secretsmanager", endpoint_url=moto_url, **KW).create_secret(Name="hub", SecretString="hf_x")
    settings = settings_from("us-east-1", None, moto_url, None)
    assert _token("hub", settings) == "hf_x"

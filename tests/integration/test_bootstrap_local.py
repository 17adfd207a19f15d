"""Issue 17: the day-zero bootstrap, applied for real on the local control plane (`llmctl bootstrap --local`, what
`make bootstrap ENV=local` runs): the state bucket and its protections as S3 reports them, the OIDC provider, two roles
trusted by one repository each carrying its policy; Terraform refuses to destroy the bucket; the bootstrap's own
state moves into the bucket with the two commands of docs/bootstrap.md."""

from __future__ import annotations

import json
import shutil
import urllib.request
from pathlib import Path
from typing import Any

import boto3
import pytest
from support.terraform import copy_terraform, llmctl, run_terraform

pytestmark = pytest.mark.integration

REPOSITORY = "acme/llm-platform"
BUCKET = "sagemaker-llm-stack-tfstate-123456789012"  # moto's account


@pytest.fixture(scope="module")
def bootstrapped(tmp_path_factory: pytest.TempPathFactory, tf_env: dict[str, str], moto_server: str) -> dict[str, Any]:
    urllib.request.urlopen(urllib.request.Request(f"{moto_server}/moto-api/reset", method="POST"))
    tmp = tmp_path_factory.mktemp("bootstrap")
    copy_terraform(tmp)
    args = ["bootstrap", "--github-repository", REPOSITORY, "--local", "--aws-endpoint-url", moto_server, "--json"]
    result = llmctl(args, tmp, tf_env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return {"cwd": tmp, "outputs": json.loads(result.stdout), "url": moto_server}


def _client(service: str, url: str) -> Any:
    return boto3.client(
        service, endpoint_url=url, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )


def test_the_state_bucket_is_versioned_encrypted_private_and_tls_only(bootstrapped: dict[str, Any]) -> None:
    s3 = _client("s3", bootstrapped["url"])
    assert bootstrapped["outputs"]["state_bucket"] == BUCKET
    assert s3.get_bucket_versioning(Bucket=BUCKET)["Status"] == "Enabled"
    sse = s3.get_bucket_encryption(Bucket=BUCKET)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert sse["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert sse["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"] in bootstrapped["outputs"]["backend_hcl"]
    block = s3.get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"]
    assert all(block.values()) and len(block) == 4
    policy = json.loads(s3.get_bucket_policy(Bucket=BUCKET)["Policy"])
    assert policy["Statement"][0]["Effect"] == "Deny"
    assert policy["Statement"][0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    rule = s3.get_bucket_lifecycle_configuration(Bucket=BUCKET)["Rules"][0]
    assert rule["NoncurrentVersionExpiration"]["NoncurrentDays"] == 90


def test_two_roles_each_trusted_by_one_repository_subject_and_carrying_its_policy(
    bootstrapped: dict[str, Any],
) -> None:
    iam = _client("iam", bootstrapped["url"])
    providers = [p["Arn"] for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]]
    assert [p for p in providers if p.endswith("oidc-provider/token.actions.githubusercontent.com")] == providers
    assert len(providers) == 1
    subjects = {"plan": f"repo:{REPOSITORY}:pull_request", "apply": f"repo:{REPOSITORY}:environment:production"}
    for role, subject in subjects.items():
        arn = bootstrapped["outputs"][f"{role}_role_arn"]
        name = arn.rsplit("/", 1)[1]
        trust = iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"]
        trust = json.loads(trust) if isinstance(trust, str) else trust
        condition = trust["Statement"][0]["Condition"]["StringEquals"]
        assert condition["token.actions.githubusercontent.com:sub"] == subject
        assert condition["token.actions.githubusercontent.com:aud"] == "sts.amazonaws.com"
        inline = iam.get_role_policy(RoleName=name, PolicyName=f"deployer-{role}")["PolicyDocument"]
        inline = json.loads(inline) if isinstance(inline, str) else inline
        sids = {statement["Sid"] for statement in inline["Statement"]}
        assert ("StateLock" in sids) == (role == "plan") and ("SageMakerStack" in sids) == (role == "apply")
        resources = json.dumps(inline)
        assert "llm-local" in resources and "llm-dev" not in resources, "scoped to the rehearsal's stack"


def test_terraform_refuses_to_destroy_the_state_bucket(bootstrapped: dict[str, Any], tf_env: dict[str, str]) -> None:
    root = bootstrapped["cwd"] / "terraform" / "envs" / "bootstrap"
    state = bootstrapped["cwd"] / ".local" / "bootstrap-rehearsal.tfstate"
    variables = ["-var", f"github_repository={REPOSITORY}", "-var", f"aws_endpoint_url={bootstrapped['url']}"]
    result = run_terraform(["destroy", "-auto-approve", "-input=false", f"-state={state}", *variables], root, tf_env)
    assert result.returncode != 0
    assert "aws_s3_bucket.state has lifecycle.prevent_destroy set" in " ".join((result.stdout + result.stderr).split())
    assert BUCKET in [b["Name"] for b in _client("s3", bootstrapped["url"]).list_buckets()["Buckets"]]


def test_the_bootstrap_state_moves_into_its_own_bucket(
    bootstrapped: dict[str, Any], tf_env: dict[str, str], tmp_path: Path
) -> None:
    """docs/bootstrap.md's migration, with the backend pointed at the local control plane."""
    root = tmp_path / "terraform" / "envs" / "bootstrap"
    shutil.copytree(bootstrapped["cwd"] / "terraform", tmp_path / "terraform", symlinks=True)
    shutil.copy(bootstrapped["cwd"] / ".local" / "bootstrap-rehearsal.tfstate", root / "terraform.tfstate")
    (root / "backend_override.tf").write_text('terraform {\n  backend "s3" {}\n}\n')
    local_only = [
        f'-backend-config=endpoints={{s3="{bootstrapped["url"]}"}}',
        "-backend-config=use_path_style=true",
        "-backend-config=skip_credentials_validation=true",
        "-backend-config=skip_requesting_account_id=true",
    ]
    migrate = [
        "init",
        "-migrate-state",
        "-force-copy",
        "-input=false",
        f"-backend-config=bucket={BUCKET}",
        "-backend-config=key=bootstrap/terraform.tfstate",
        "-backend-config=region=us-east-1",
        "-backend-config=use_lockfile=true",
        *local_only,
    ]
    env = {**tf_env, "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}
    refused = run_terraform(migrate, root, env)
    assert refused.returncode != 0 and "StatusCode: 403" in refused.stdout + refused.stderr, "TLS only"
    # The local control plane speaks only HTTP, which the bucket's TLS-only policy denies, as AWS would; without
    # the policy, the documented commands themselves.
    _client("s3", bootstrapped["url"]).delete_bucket_policy(Bucket=BUCKET)
    result = run_terraform(migrate, root, env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    body = _client("s3", bootstrapped["url"]).get_object(Bucket=BUCKET, Key="bootstrap/terraform.tfstate")["Body"]
    moved = json.loads(body.read())
    assert any(r["type"] == "aws_s3_bucket" and r["name"] == "state" for r in moved["resources"])
    (root / "terraform.tfstate").unlink(missing_ok=True)  # what is left is the bucket's copy
    planned = run_terraform(
        [
            "plan",
            "-input=false",
            "-detailed-exitcode",
            "-var",
            f"github_repository={REPOSITORY}",
            "-var",
            'stack_names=["llm-local"]',
            "-var",
            f"aws_endpoint_url={bootstrapped['url']}",
        ],
        root,
        env,
    )
    # 2: the only change is the bucket policy deleted above; the state came across whole.
    assert planned.returncode == 2, planned.stdout[-3000:] + planned.stderr
    assert "1 to add, 0 to change, 0 to destroy" in planned.stdout, planned.stdout[-3000:]

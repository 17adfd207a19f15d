"""terraform/envs/bootstrap planned offline (fake keys, a fixed account, no refresh): the state bucket's protections,
roles trusted by exactly one repository's pull requests and protected environment, and refusals of subjects that
would let any branch or fork assume them."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from llmctl import terraform_cli
from support.terraform import copy_terraform, run_terraform

ACCOUNT = "111122223333"
OIDC = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"


@pytest.fixture(scope="module")
def bootstrap(tmp_path_factory: pytest.TempPathFactory, tf_env: dict[str, str]) -> Path:
    root = copy_terraform(tmp_path_factory.mktemp("bootstrap")) / "envs" / "bootstrap"
    (root / "offline_override.tf").write_text(terraform_cli.offline_override(ACCOUNT))
    result = run_terraform(["init", "-input=false"], root, tf_env)
    assert result.returncode == 0, result.stderr
    return root


def _plan(root: Path, env: dict[str, str], *variables: str) -> subprocess.CompletedProcess[str]:
    args = ["plan", "-input=false", "-refresh=false", "-out=plan.bin"]
    for variable in variables:
        args += ["-var", variable]
    return run_terraform(args, root, env)


def _resources(root: Path, env: dict[str, str]) -> dict[str, dict[str, Any]]:
    shown = json.loads(run_terraform(["show", "-json", "plan.bin"], root, env).stdout)
    return {c["address"]: c["change"]["after"] for c in shown["resource_changes"]}


def test_the_bootstrap_plans_a_protected_state_bucket_and_two_roles_of_one_repository(
    bootstrap: Path, tf_env: dict[str, str]
) -> None:
    planned = _plan(bootstrap, tf_env, "github_repository=acme/llm-platform", f"existing_oidc_provider_arn={OIDC}")
    assert planned.returncode == 0, planned.stdout[-3000:] + planned.stderr
    resources = _resources(bootstrap, tf_env)
    assert "aws_iam_openid_connect_provider.github[0]" not in resources, "the account's provider is reused"
    assert resources["aws_s3_bucket.state"]["bucket"] == f"sagemaker-llm-stack-tfstate-{ACCOUNT}"
    assert resources["aws_s3_bucket_versioning.state"]["versioning_configuration"][0]["status"] == "Enabled"
    sse = resources["aws_s3_bucket_server_side_encryption_configuration.state"]["rule"][0]
    assert sse["apply_server_side_encryption_by_default"][0]["sse_algorithm"] == "aws:kms"
    block = resources["aws_s3_bucket_public_access_block.state"]
    assert all(
        block[k] for k in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
    )
    policy = json.loads(resources["aws_s3_bucket_policy.state"]["policy"])
    assert policy["Statement"][0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    subjects = {
        role: json.loads(resources[f'aws_iam_role.deployer["{role}"]']["assume_role_policy"])["Statement"][0]
        for role in ("plan", "apply")
    }
    assert subjects["plan"]["Condition"]["StringEquals"]["token.actions.githubusercontent.com:sub"] == (
        "repo:acme/llm-platform:pull_request"
    )
    assert subjects["apply"]["Condition"]["StringEquals"]["token.actions.githubusercontent.com:sub"] == (
        "repo:acme/llm-platform:environment:production"
    )
    assert all(s["Principal"]["Federated"] == OIDC for s in subjects.values())


@pytest.mark.parametrize(
    ("variable", "message"),
    [
        ("github_repository=acme/*", "a wildcard would let another repository or a fork"),
        ("github_repository=*", "a wildcard would let another repository or a fork"),
        ("apply_environment=prod*", "one environment name"),
    ],
)
def test_a_subject_any_branch_or_fork_could_match_is_refused(
    bootstrap: Path, tf_env: dict[str, str], variable: str, message: str
) -> None:
    extra = [] if variable.startswith("github_repository") else ["github_repository=acme/llm-platform"]
    refused = _plan(bootstrap, tf_env, variable, *extra)
    assert refused.returncode != 0 and message in " ".join(refused.stderr.split())


def test_the_rehearsal_endpoint_can_only_be_loopback(bootstrap: Path, tf_env: dict[str, str]) -> None:
    """aws_endpoint_url turns off credential checks for the local rehearsal: it must never point at a real host."""
    refused = _plan(
        bootstrap, tf_env, "github_repository=acme/llm-platform", "aws_endpoint_url=https://iam.amazonaws.com"
    )
    assert refused.returncode != 0 and "must be a loopback URL" in " ".join(refused.stderr.split())


def test_a_bootstrap_outside_the_stacks_region_warns(bootstrap: Path, tf_env: dict[str, str]) -> None:
    planned = _plan(bootstrap, tf_env, "github_repository=acme/llm-platform", "stack_region=eu-west-1")
    assert planned.returncode == 0
    assert "the stacks deploy to eu-west-1" in " ".join((planned.stdout + planned.stderr).split())


def test_the_state_bucket_cannot_be_destroyed_by_terraform() -> None:
    from support.terraform import TERRAFORM

    text = (TERRAFORM / "envs" / "bootstrap" / "main.tf").read_text()
    bucket = text.split('resource "aws_s3_bucket" "state"', 1)[1].split("\n}\n", 1)[0]
    assert "prevent_destroy = true" in bucket

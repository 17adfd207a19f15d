"""Issue 17: the deployer policies are proven by applying as them. The local control plane enforces IAM (moto with
INITIAL_NO_AUTH_ACTION_COUNT, llmctl.local_aws.iam_mode): a user carrying the apply policy runs the real `terraform
apply`, an update and `destroy` of envs/local; with each statement removed in turn the apply fails; a user carrying
the plan policy can plan but not apply.

What moto evaluates, and so what this proves (docs/bootstrap.md, "What the local proof covers"):
- actions, for every service the stack uses; resources only for S3 (moto authorizes other calls against "*"), so the
  other statements run here with Resource "*"; no Condition (moto gets no request context: tags, PassedToService);
- CloudWatch is signed as `monitoring`, so `cloudwatch:` actions are checked as `monitoring:`; S3 HeadBucket is
  checked as its own action (s3:ListBucket on AWS);
- the state: envs/local runs here with an S3 backend in the control plane's state bucket (`use_lockfile = true`), so
  the state statements are exercised like the others (and the plan user takes and releases the lock, but cannot
  write the state itself);
- not at all: iam:PassRole, iam:CreateServiceLinkedRole, the SageMaker runtime (the smoke check). Those statements
  are listed in NOT_ENFORCED_LOCALLY with the reason.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from support.servers import free_port, wait_http
from support.terraform import REPO, copy_terraform, rendered_tfvars, run_terraform

pytestmark = pytest.mark.integration

ACCOUNT = "123456789012"  # moto's
NOT_ENFORCED_LOCALLY = {
    "PassExecutionRoleToSageMaker": "moto does not check iam:PassRole on CreateModel",
    "AutoscalingServiceRole": "moto needs no service-linked role to register a scalable target",
    "EmptyArtifactsOnDestroy": "moto deletes a non-empty bucket's objects without authorizing each delete",
    "StackKeyAlias": "moto authorizes against '*', where ManageStackKey's CreateAlias/DeleteAlias already apply",
    "InferenceComponents": "moto's CloudFormation creates components itself without authorizing the caller (AWS calls "
    "SageMaker with the caller's credentials); the smoke check's runtime is not enforced",
}
# Statements only component mode uses: the removal run applies that mode for them.
COMPONENT_MODE = {"ComponentStack"}
STATE_BUCKET = "llm-state-123456789012"  # tests/fixtures/deployer's state_bucket_name
STATE_KEY = "sagemaker-llm-stack/local/terraform.tfstate"
MOTO_SERVICE = {"cloudwatch": "monitoring"}
MOTO_ALIASES = {"s3:ListBucket": ["s3:HeadBucket"]}


def for_moto(policy: dict[str, Any], without: str | None = None) -> dict[str, Any]:
    """The policy as moto can evaluate it (module docstring), optionally without one statement."""
    statements = []
    for statement in policy["Statement"]:
        if statement["Sid"] == without:
            continue
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        mapped = []
        for action in actions:
            service, name = action.split(":", 1)
            mapped += [f"{MOTO_SERVICE.get(service, service)}:{name}", *MOTO_ALIASES.get(action, [])]
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        if not all(r.startswith("arn:aws:s3:::") for r in resources):
            resources = ["*"]
        statements.append({"Sid": statement["Sid"], "Effect": "Allow", "Action": mapped, "Resource": resources})
    return {"Version": "2012-10-17", "Statement": statements}


@pytest.fixture(scope="module")
def policies(tmp_path_factory: pytest.TempPathFactory, tf_env: dict[str, str]) -> dict[str, Any]:
    """The two policies as deployer-policies builds them for envs/local (no AWS call)."""
    tmp = tmp_path_factory.mktemp("policies")
    copy_terraform(tmp)
    root = tmp / "tests" / "fixtures" / "deployer"
    shutil.copytree(REPO / "tests" / "fixtures" / "deployer", root)
    for args in (["init", "-input=false"], ["apply", "-auto-approve", "-input=false"]):
        result = run_terraform(args, root, tf_env)
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr
    outputs = json.loads(run_terraform(["output", "-json"], root, tf_env).stdout)
    return {"apply": outputs["apply_policy"]["value"], "plan": outputs["plan_policy"]["value"]}


class Account:
    """A fresh local control plane that enforces IAM, with an `apply` and a `plan` user carrying the given policies.
    Its clients come from a session of their own: removal runs open accounts from two threads."""

    def __init__(self, apply_policy: dict[str, Any], plan_policy: dict[str, Any]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "INITIAL_NO_AUTH_ACTION_COUNT": "7"}
        self.server = subprocess.Popen(
            [sys.executable, "-m", "llmctl.local_aws.server", "--port", str(self.port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_http(f"{self.url}/moto-api/data.json")  # moto's own API: not an AWS action, not counted
        admin = {"endpoint_url": self.url, "region_name": "us-east-1", "aws_access_key_id": "x"}
        boto3.session.Session().client("s3", aws_secret_access_key="x", **admin).create_bucket(
            Bucket=STATE_BUCKET
        )  # as the bootstrap
        iam = boto3.session.Session().client("iam", aws_secret_access_key="x", **admin)
        self.keys: dict[str, tuple[str, str]] = {}
        for user, policy in (("apply", apply_policy), ("plan", plan_policy)):  # with the bucket, 7 unauthenticated
            iam.create_user(UserName=user)
            iam.put_user_policy(UserName=user, PolicyName=user, PolicyDocument=json.dumps(policy))
            key = iam.create_access_key(UserName=user)["AccessKey"]
            self.keys[user] = (key["AccessKeyId"], key["SecretAccessKey"])

    def s3(self, user: str) -> Any:
        key, secret = self.keys[user]
        return boto3.session.Session().client(
            "s3", endpoint_url=self.url, region_name="us-east-1", aws_access_key_id=key, aws_secret_access_key=secret
        )

    def state_keys(self) -> list[str]:
        listed = self.s3("apply").list_objects_v2(Bucket=STATE_BUCKET, Prefix="sagemaker-llm-stack/")
        return [item["Key"] for item in listed.get("Contents", [])]

    def close(self) -> None:
        self.server.terminate()
        self.server.wait(10)


class LocalEnv:
    """terraform/envs/local with its state in the account's state bucket (an S3 backend, as envs/dev's), run with
    one user's credentials: the backend's from the environment, the provider's from an override file."""

    def __init__(self, tmp: Path, tf_env: dict[str, str]) -> None:
        copy_terraform(tmp)
        self.root = tmp / "terraform" / "envs" / "local"
        self.tfvars = rendered_tfvars(self.root, "meta-llama/Llama-3.1-8B-Instruct", "-i", "ml.g5.2xlarge")
        self.realtime = self.tfvars.read_text()
        for model, name in (
            ("meta-llama/Llama-3.1-8B-Instruct", "chat"),
            ("meta-llama/Llama-3.2-1B-Instruct", "small"),
        ):
            rendered_tfvars(self.root, model, "-i", "ml.g5.12xlarge", "--gpus-per-copy", "1", "--component", name)
        self.components = self.tfvars.read_text()
        self.tfvars.write_text(self.realtime)
        (self.root / "backend_override.tf").write_text('terraform {\n  backend "s3" {}\n}\n')
        self.env = {**tf_env, "AWS_REGION": "us-east-1"}
        self.initialized_for: Account | None = None

    def run(self, account: Account, user: str, *args: str) -> subprocess.CompletedProcess[str]:
        key, secret = account.keys[user]
        (self.root / "credentials_override.tf").write_text(
            f'provider "aws" {{\n  access_key = "{key}"\n  secret_key = "{secret}"\n}}\n'
        )
        env = {**self.env, "AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret}
        if self.initialized_for is not account:  # a new account is a new backend endpoint
            backend = {
                "bucket": STATE_BUCKET,
                "key": STATE_KEY,
                "region": "us-east-1",
                "use_lockfile": "true",
                "endpoints": f'{{s3="{account.url}"}}',
                "use_path_style": "true",
                "skip_credentials_validation": "true",
                "skip_requesting_account_id": "true",
                "skip_metadata_api_check": "true",
            }
            options = [f"-backend-config={name}={value}" for name, value in backend.items()]
            init = run_terraform(["init", "-input=false", "-reconfigure", *options], self.root, env)
            if init.returncode != 0:
                return init
            self.initialized_for = account
        return run_terraform([*args, "-input=false", "-var", f"aws_endpoint_url={account.url}"], self.root, env)


@pytest.fixture(scope="module")
def local_env(tmp_path_factory: pytest.TempPathFactory, tf_env: dict[str, str]) -> LocalEnv:
    return LocalEnv(tmp_path_factory.mktemp("deployer-env"), tf_env)


@pytest.fixture
def account_with(policies: dict[str, Any]) -> Iterator[Any]:
    opened: list[Account] = []

    def open_account(apply_policy: dict[str, Any]) -> Account:
        account = Account(apply_policy, for_moto(policies["plan"]))
        opened.append(account)
        return account

    yield open_account
    for account in opened:
        account.close()


def _denied(result: subprocess.CompletedProcess[str]) -> bool:
    text = result.stdout + result.stderr
    return result.returncode != 0 and ("AccessDenied" in text or "not authorized" in text or "403" in text)


def test_the_apply_policy_applies_updates_and_destroys_and_the_plan_policy_only_plans(
    policies: dict[str, Any], local_env: LocalEnv, account_with: Any
) -> None:
    account = account_with(for_moto(policies["apply"]))
    applied = local_env.run(account, "apply", "apply", "-auto-approve")
    assert applied.returncode == 0, applied.stdout[-3000:] + applied.stderr[-3000:]
    keys = account.state_keys()
    assert STATE_KEY in keys and f"{STATE_KEY}.tflock" not in keys, f"state written, lock released: {keys}"

    data = json.loads(local_env.tfvars.read_text())
    data["container_env"]["MAX_CONCURRENT_REQUESTS"] = "64"
    local_env.tfvars.write_text(json.dumps(data))
    planned = local_env.run(account, "plan", "plan", "-detailed-exitcode")
    assert planned.returncode == 2, planned.stdout[-3000:] + planned.stderr[-3000:]  # 2: a plan with changes
    assert f"{STATE_KEY}.tflock" not in account.state_keys(), "the plan user released its lock"
    refused = local_env.run(account, "plan", "apply", "-auto-approve")
    assert _denied(refused), refused.stdout[-2000:] + refused.stderr[-2000:]
    with pytest.raises(ClientError, match="AccessDenied"):
        account.s3("plan").put_object(Bucket=STATE_BUCKET, Key=STATE_KEY, Body=b"{}")  # the state is not the lock

    updated = local_env.run(account, "apply", "apply", "-auto-approve")
    assert updated.returncode == 0, updated.stdout[-3000:] + updated.stderr[-3000:]
    destroyed = local_env.run(account, "apply", "destroy", "-auto-approve")
    assert destroyed.returncode == 0, destroyed.stdout[-3000:] + destroyed.stderr[-3000:]

    # Component mode: the CloudFormation stack, its components and their copy scaling, as the same user.
    local_env.tfvars.write_text(local_env.components)
    try:
        for user, command in (("apply", "apply"), ("plan", "plan"), ("apply", "destroy")):
            result = local_env.run(account, user, command, *(["-auto-approve"] if user == "apply" else []))
            assert result.returncode == 0, f"{user} {command}: " + result.stdout[-3000:] + result.stderr[-3000:]
    finally:
        local_env.tfvars.write_text(local_env.realtime)


def test_every_apply_statement_is_needed(
    policies: dict[str, Any], local_env: LocalEnv, account_with: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Each statement removed in turn breaks the apply. Two workers, each with its own copy of envs/local (and its
    own control plane per run), halve the wait on a two-core machine."""
    sids = [s["Sid"] for s in policies["apply"]["Statement"]]
    assert set(NOT_ENFORCED_LOCALLY) <= set(sids), "every exemption names a statement that exists"
    second = LocalEnv(tmp_path_factory.mktemp("deployer-env-2"), local_env.env)
    workers: dict[LocalEnv, list[str]] = {local_env: [], second: []}
    for index, sid in enumerate(s for s in sids if s not in NOT_ENFORCED_LOCALLY):
        workers[(local_env, second)[index % 2]].append(sid)

    def unneeded_in(env: LocalEnv, batch: list[str]) -> list[str]:
        found = []
        for sid in batch:
            account = account_with(for_moto(policies["apply"], without=sid))
            env.tfvars.write_text(env.components if sid in COMPONENT_MODE else env.realtime)
            result = env.run(account, "apply", "apply", "-auto-approve")
            if not _denied(result):
                found.append(sid)
            account.close()
        env.tfvars.write_text(env.realtime)
        return found

    with ThreadPoolExecutor(max_workers=2) as pool:
        unneeded = [sid for found in pool.map(unneeded_in, workers, workers.values()) for sid in found]
    assert unneeded == [], f"the apply succeeds without these statements: {unneeded}"


WILDCARD_RESOURCES = {
    # statement: why Resource "*" (Service Authorization Reference: these actions take no resource ARN)
    "CreateStackKey": "kms:CreateKey creates the key: there is no ARN yet (the request must carry the stack tag)",
    "ListKeyAliases": "kms:ListAliases",
    "Autoscaling": "scalable targets have generated ids, and the Describe* calls take no resource",
    "ReadAutoscaling": "as Autoscaling",
    "ListEndpointsAndQuotas": "sagemaker:ListEndpoints and servicequotas:ListServiceQuotas",
}
READ = ("Describe", "Get", "List")


def test_the_plan_policy_writes_nothing_but_the_state_lock(policies: dict[str, Any]) -> None:
    for statement in policies["plan"]["Statement"]:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        writes = [a for a in actions if not a.split(":", 1)[1].startswith(READ)]
        if statement["Sid"] == "StateLock":
            assert sorted(writes) == ["s3:DeleteObject", "s3:PutObject"]
            assert statement["Resource"].endswith("/terraform.tfstate.tflock"), "only the lock object"
        elif statement["Sid"] == "StateKey":
            continue  # decrypting and encrypting the state object is reading and writing the lock
        else:
            assert writes == [], f"{statement['Sid']} writes: {writes}"


def test_every_wildcard_resource_is_one_aws_gives_no_arn_for(policies: dict[str, Any]) -> None:
    wildcards = {
        s["Sid"]
        for policy in policies.values()
        for s in policy["Statement"]
        if "*" in (s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]])
    }
    assert wildcards == set(WILDCARD_RESOURCES)

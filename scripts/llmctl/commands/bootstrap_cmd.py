"""`llmctl bootstrap`: apply terraform/envs/bootstrap once per account (the state bucket, GitHub OIDC, the plan and
apply roles), then say what to wire into the repository. `--local` rehearses it on the local control plane."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from .. import terraform_cli as tfc
from ..errors import LlmctlError
from ..net import unreachable

BOOTSTRAP_DIR = Path("terraform/envs/bootstrap")
STATE_DIR = Path(".local")
# The rehearsal keeps its state apart from a real bootstrap's terraform.tfstate in the same checkout.
REHEARSAL_STATE = STATE_DIR / "bootstrap-rehearsal.tfstate"
PLAN_FILE = "bootstrap.tfplan"
DEFAULT_LOCAL_AWS_URL = "http://127.0.0.1:5055"


def _variables(
    github_repository: str,
    stacks: tuple[str, ...],
    region: str,
    apply_environment: str,
    existing_oidc_provider_arn: str | None,
    aws_endpoint_url: str | None,
) -> dict[str, Any]:
    variables: dict[str, Any] = {
        "github_repository": github_repository,
        "stack_names": list(stacks),
        "region": region,
        "apply_environment": apply_environment,
    }
    if existing_oidc_provider_arn:
        variables["existing_oidc_provider_arn"] = existing_oidc_provider_arn
    if aws_endpoint_url:
        variables["aws_endpoint_url"] = aws_endpoint_url
    return variables


def _next_steps(outputs: dict[str, Any], region: str, apply_environment: str, backend_file: Path | None) -> str:
    backend = f"< {backend_file}" if backend_file else '--body "$(terraform output -raw backend_hcl)"'
    return "\n".join(
        [
            "Next, in the repository (GitHub CLI, or Settings → Secrets and variables → Actions → Variables):",
            f"  gh variable set AWS_PLAN_ROLE_ARN --body {outputs['plan_role_arn']}",
            f"  gh variable set AWS_APPLY_ROLE_ARN --body {outputs['apply_role_arn']}",
            f"  gh variable set AWS_REGION --body {region}",
            f"  gh variable set TF_BACKEND_HCL {backend}",
            f"and create the `{apply_environment}` environment with required reviewers (Settings → Environments):",
            "the apply role trusts only its jobs.",
        ]
    )


@click.command("bootstrap")
@click.option(
    "--github-repository",
    required=True,
    metavar="OWNER/NAME",
    help="The repository whose workflow may assume the roles (exactly; no wildcards).",
)
@click.option(
    "--stack",
    "stacks",
    multiple=True,
    metavar="NAME",
    help="A stack (llm-<env>) the roles may plan and apply; repeatable. Default: llm-dev (--local: llm-local).",
)
@click.option("--region", default="us-east-1", show_default=True, help="Region of the state bucket and the stacks.")
@click.option(
    "--apply-environment",
    default="production",
    show_default=True,
    help="The protected GitHub environment whose jobs may assume the apply role.",
)
@click.option("--existing-oidc-provider-arn", help="The account's GitHub OIDC provider, if it has one already.")
@click.option(
    "--local",
    "rehearsal",
    is_flag=True,
    help="Rehearse on the local control plane of `make up` (no AWS account; state in .local/).",
)
@click.option(
    "--aws-endpoint-url",
    envvar="LLM_LOCAL_AWS_URL",
    help="--local only: the moto server (default http://127.0.0.1:5055).",
)
@click.option("--yes", is_flag=True, help="Apply without asking (the plan is still printed).")
@click.option("--json", "as_json", is_flag=True, help="Print the outputs as JSON instead of the next steps.")
def bootstrap_cmd(
    github_repository: str,
    stacks: tuple[str, ...],
    region: str,
    apply_environment: str,
    existing_oidc_provider_arn: str | None,
    rehearsal: bool,
    aws_endpoint_url: str | None,
    yes: bool,
    as_json: bool,
) -> None:
    """Create the account's day-zero resources: the Terraform state bucket, GitHub's OIDC provider and the plan and
    apply roles of .github/workflows/terraform.yml (docs/bootstrap.md). Run once per account with IAM rights.

    \b
    Examples:
      llmctl bootstrap --github-repository acme/llm-platform
      llmctl bootstrap --github-repository acme/llm-platform --stack llm-dev --stack llm-prod
      llmctl bootstrap --github-repository acme/llm-platform --local     # rehearsal, after `make up`
    """
    if aws_endpoint_url and not rehearsal:
        aws_endpoint_url = None  # LLM_LOCAL_AWS_URL from the Makefile means nothing without --local
    if rehearsal:
        aws_endpoint_url = aws_endpoint_url or DEFAULT_LOCAL_AWS_URL
        if unreachable(aws_endpoint_url, timeout_s=2) is not None:
            raise LlmctlError(
                f"the local AWS control plane at {aws_endpoint_url} is not running; start it with `make up`."
            )
    stacks = stacks or (("llm-local",) if rehearsal else ("llm-dev",))
    variables = _variables(
        github_repository, stacks, region, apply_environment, existing_oidc_provider_arn, aws_endpoint_url
    )
    root = tfc.TerraformRoot(BOOTSTRAP_DIR, STATE_DIR)
    state = {"state": str(REHEARSAL_STATE.resolve())} if rehearsal else {}

    def run(command: str, *args: str, **options: Any) -> None:
        # --json: Terraform's own output goes to stderr, so stdout is the one JSON object scripts parse.
        if as_json:
            click.echo(root.run(command, *args, capture=True, **options), err=True, nl=False)
        else:
            root.run(command, *args, **options)

    run("init", input=False)
    run("plan", input=False, var=variables, out=PLAN_FILE, **state)
    if not (yes or rehearsal):
        click.confirm("Apply this plan to the account?", abort=True, err=as_json)
    run("apply", PLAN_FILE, input=False, **state)
    (root.directory / PLAN_FILE).unlink(missing_ok=True)
    outputs = root.outputs() if not rehearsal else _outputs(root, REHEARSAL_STATE)
    if as_json:
        click.echo(json.dumps(outputs, indent=2))
        return
    backend_file = None if rehearsal else _write_backend(outputs["backend_hcl"])
    click.echo(f"state bucket  {outputs['state_bucket']}")
    click.echo(f"plan role     {outputs['plan_role_arn']}")
    click.echo(f"apply role    {outputs['apply_role_arn']}")
    if backend_file:
        click.echo(f"wrote {backend_file} (for `make plan ENV=dev` from a laptop)")
    click.echo(_next_steps(outputs, region, apply_environment, backend_file))


def _outputs(root: tfc.TerraformRoot, state: Path) -> dict[str, Any]:
    text = root.run("output", capture=True, json=tfc.flag(), state=str(state.resolve()))
    return {key: value["value"] for key, value in json.loads(text or "{}").items()}


def _write_backend(text: str) -> Path | None:
    """terraform/envs/dev/backend.hcl, unless the operator already has one (it is theirs; never overwritten)."""
    path = Path("terraform/envs/dev/backend.hcl")
    if path.exists() or not path.parent.is_dir():
        return None
    path.write_text(text)
    return path

"""`llmctl tf plan|apply|destroy`: run Terraform for an environment, then wait for the endpoint and smoke-check it."""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from llm_service.client import AwsSettings, make_client

from .. import endpoint_ref, instance_count, quotas, rollback
from .. import terraform_cli as tfc
from ..aws_options import settings_from
from ..check import check_tfvars
from ..consoles import console
from ..endpoint_status import watch as watch_endpoint
from ..env_inputs import check_declared
from ..errors import LlmctlError
from ..net import unreachable
from ..plan_review.components import mode_switch
from ..plan_review.plan import changes as plan_changes
from .check_cmd import report
from .invoke_cmd import invoke_cmd

ENVS_DIR = Path("terraform/envs")
DEFAULT_LOCAL_AWS_URL = "http://127.0.0.1:5055"
STATE_DIR = Path(".local")
SMOKE_PROMPT = "Reply with one short sentence: what is the capital of France?"


def _root(env: str, directory: Path | None, extra_env: dict[str, str] | None = None) -> tfc.TerraformRoot:
    return tfc.TerraformRoot(directory or ENVS_DIR / env, STATE_DIR, extra_env)


def _local_vars(env: str, aws_endpoint_url: str | None) -> dict[str, str]:
    """The local environment's loopback URLs: the control plane (--aws-endpoint-url) and, when `make up` put it on
    another port, the runtime (LLM_LOCAL_RUNTIME_URL)."""
    if env != "local":
        return {}
    urls = {"aws_endpoint_url": aws_endpoint_url, "runtime_endpoint_url": os.environ.get("LLM_LOCAL_RUNTIME_URL")}
    return {name: url for name, url in urls.items() if url}


def _require_local_aws(env: str, aws_endpoint_url: str | None) -> None:
    """The local env's control plane must be up before Terraform spends half a minute retrying it."""
    if env != "local":
        return
    url = aws_endpoint_url or DEFAULT_LOCAL_AWS_URL
    if unreachable(url, timeout_s=2) is not None:
        raise LlmctlError(
            f"the local AWS control plane at {url} is not running; start it with `make up` (and stop it "
            "with `make down` when done)."
        )


def _planned_variable(root: tfc.TerraformRoot, name: str) -> str | None:
    """A variable's value in the reviewed plan (llm.tfplan.json): where the plan will apply, for the local env."""
    try:
        plan = json.loads((root.directory / tfc.PLAN_JSON).read_text())
        return str(plan["variables"][name]["value"])
    except (OSError, ValueError, KeyError):
        return None


def _keep_running_capacity(root: tfc.TerraformRoot, aws_endpoint_url: str | None) -> dict[str, str]:
    """`-var instance_count=N` when the endpoint runs more instances than configured (docs/updates.md)."""
    from botocore.exceptions import BotoCoreError, ClientError

    counts = instance_count.configured_counts(root.directory)
    outputs = root.outputs()
    name = outputs.get("endpoint_name")
    if not name:
        return {}  # nothing deployed yet
    settings, endpoint_url = _aws(outputs, aws_endpoint_url, 30.0)
    try:
        sagemaker = make_client("sagemaker", settings, endpoint_url)
        running = instance_count.running_count(sagemaker, str(name))
    except (BotoCoreError, ClientError) as exc:
        click.echo(
            f"note: could not read {name}'s current instance count ({type(exc).__name__}); an update restarts it at "
            f"{counts.configured}.",
            err=True,
        )
        return {}
    planned = instance_count.planned_count(counts, running)
    if planned == counts.configured:
        return {}
    click.echo(
        f"instance count: {name} runs {running} instance(s) now; the plan starts a new configuration at {planned} "
        f"(not {counts.configured}) so an update does not drop capacity.",
        err=True,
    )
    return {"instance_count": str(planned)}


def _aws(outputs: dict[str, Any], aws_endpoint_url: str | None, timeout: float) -> tuple[AwsSettings, str | None]:
    """AWS settings and control-plane URL for an applied environment: its region, and its local moto URL if any."""
    endpoint_url = aws_endpoint_url or outputs.get("aws_endpoint_url")
    return settings_from(outputs.get("region"), None, endpoint_url, timeout), endpoint_url


def _read_quotas(
    root: tfc.TerraformRoot, plan: dict[str, Any], aws_endpoint_url: str | None
) -> list[quotas.EndpointQuota] | None:
    """The account's endpoint quotas and usage for the instance types the plan starts (None: not readable)."""
    from botocore.exceptions import BotoCoreError, ClientError

    from ..plan_review.quota import needs
    from ..plan_review.review import plan_region

    types = set(needs(plan_changes(plan)))
    if not types:
        return None
    endpoint_url = aws_endpoint_url or _planned_variable(root, "aws_endpoint_url")
    settings = settings_from(plan_region(plan), None, endpoint_url, 30.0)
    try:
        return quotas.read(
            make_client("service-quotas", settings, endpoint_url),
            make_client("sagemaker", settings, endpoint_url),
            types,
        )
    except (BotoCoreError, ClientError) as exc:
        click.echo(
            f"note: could not read the endpoint quotas ({type(exc).__name__}: {str(exc)[:160]}); the plan role needs "
            "servicequotas:ListServiceQuotas, sagemaker:ListEndpoints, DescribeEndpoint and DescribeEndpointConfig.",
            err=True,
        )
        return None


def _check_inputs(root: tfc.TerraformRoot) -> None:
    """Before Terraform runs: no tfvars entry it would ignore, and the rendered tfvars still pass render's rules."""
    check_declared(root.directory)
    report(check_tfvars(root.directory / tfc.TFVARS))


def _require_tfvars(root: tfc.TerraformRoot, env: str) -> None:
    if not (root.directory / tfc.TFVARS).is_file():
        raise LlmctlError(
            f"{root.directory / tfc.TFVARS} is missing; write it with `llmctl render MODEL -i INSTANCE "
            f"--format tfvars --out {root.directory / tfc.TFVARS}` (or `make tfvars ENV={env}`)."
        )


def _init(root: tfc.TerraformRoot, offline: bool) -> None:
    if offline:
        root.run("init", input=False, reconfigure=tfc.flag())
        return
    backend_config = root.directory / "backend.hcl"
    if root.has_backend_block():
        if not backend_config.is_file():
            raise LlmctlError(
                f"{backend_config} is missing: copy backend.hcl.example next to it and name your state bucket, "
                "or review without AWS with `llmctl tf plan --offline`."
            )
        root.run("init", input=False, backend_config="backend.hcl")
    else:
        root.run("init", input=False)


def _summary(plan: dict[str, Any]) -> str:
    counts = Counter(change.action for change in plan_changes(plan))
    return ", ".join(f"{counts[action]} to {action}" for action in ("create", "update", "delete", "replace"))


@click.group("tf")
def tf_group() -> None:
    """Plan, apply and destroy an environment's Terraform (terraform/envs/<env>).

    \b
    Examples:
      llmctl tf plan --env dev
      llmctl tf plan --env dev --offline        # review without AWS credentials
      llmctl tf apply --env dev
      llmctl tf destroy --env local --yes
    """


def _env_options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option(
        "--aws-endpoint-url",
        envvar="LLM_LOCAL_AWS_URL",
        help="local env only: the moto server (default: the env's http://127.0.0.1:5055).",
    )(func)
    func = click.option(
        "--dir",
        "directory",
        type=click.Path(path_type=Path, file_okay=False),
        help="A Terraform root other than terraform/envs/<env>.",
    )(func)
    return click.option("--env", default="dev", show_default=True, help="Environment under terraform/envs/.")(func)


@tf_group.command("plan")
@_env_options
@click.option("--offline", is_flag=True, help="No AWS call: local state, fake keys, no refresh (for review).")
@click.option(
    "--account-id",
    default=tfc.OFFLINE_ACCOUNT_ID,
    show_default=True,
    help="With --offline: the account ID the plan's ARNs show.",
)
@click.option("--destroy", is_flag=True, help="Plan the teardown instead (review it like any other plan).")
@click.option("--review/--no-review", default=True, show_default=True, help="Print `llmctl plan-review`'s summary.")
def plan_cmd(
    env: str,
    directory: Path | None,
    aws_endpoint_url: str | None,
    offline: bool,
    account_id: str,
    destroy: bool,
    review: bool,
) -> None:
    """Init, plan to llm.tfplan, write the plan as JSON (llm.tfplan.json) beside it, and print the review summary
    (replacements and why, IAM changes, $/hour before and after, danger flags: `llmctl plan-review`).

    \b
    Examples:
      llmctl tf plan --env dev
      llmctl tf plan --env dev --offline --account-id 111122223333
      llmctl tf plan --env dev --destroy
    """
    if offline and not (len(account_id) == 12 and account_id.isdigit()):
        raise LlmctlError(f"--account-id {account_id} must be a 12-digit AWS account ID.")
    extra = {"TF_DATA_DIR": tfc.OFFLINE_DATA_DIR} if offline else None
    root = _root(env, directory, extra)
    _require_tfvars(root, env)
    _check_inputs(root)
    if not offline:
        _require_local_aws(env, aws_endpoint_url)
    override = root.directory / tfc.OFFLINE_OVERRIDE
    offline_marker = root.directory / tfc.OFFLINE_PLAN_MARKER
    offline_marker.unlink(missing_ok=True)
    try:
        if offline:
            override.write_text(tfc.offline_override(account_id))
        _init(root, offline)
        variables = _local_vars(env, aws_endpoint_url)
        if offline and not destroy:
            click.echo(
                "note: --offline cannot read the endpoint's current instance count; an update would restart it at the "
                "configured count.",
                err=True,
            )
        elif not destroy:
            variables.update(_keep_running_capacity(root, aws_endpoint_url))
        root.run(
            "plan",
            input=False,
            out=tfc.PLAN_FILE,
            refresh=False if offline else None,
            destroy=tfc.flag() if destroy else None,
            var=variables or None,
        )
        plan_json = root.run("show", tfc.PLAN_FILE, capture=True, json=tfc.flag())
    finally:
        override.unlink(missing_ok=True)
    (root.directory / tfc.PLAN_JSON).write_text(plan_json)
    if offline:
        offline_marker.write_text("llm.tfplan was planned with --offline: for review only, never applied\n")
    plan = json.loads(plan_json)
    switch = mode_switch(plan_changes(plan))
    if switch:
        (root.directory / tfc.PLAN_FILE).unlink(missing_ok=True)
        raise LlmctlError(
            f"the plan switches {root.directory} {switch}, and both would need the endpoint's name at once; run "
            f"`make destroy ENV={env}` (or `llmctl tf destroy --env {env}`) first, then plan and apply again."
        )
    click.echo(f"plan: {_summary(plan)}; wrote {root.directory / tfc.PLAN_FILE} and {root.directory / tfc.PLAN_JSON}")
    facts = None if offline or destroy else _read_quotas(root, plan, aws_endpoint_url)
    quotas_file = root.directory / tfc.QUOTAS_JSON
    quotas_file.unlink(missing_ok=True)
    if facts is not None:
        quotas_file.write_text(json.dumps([fact.__dict__ for fact in facts], indent=2) + "\n")
    if review:
        from ..plan_review import review as review_plan
        from ..plan_review import terminal

        terminal.show(review_plan(plan, title=f"plan review: {env}", quotas=facts), console())


def _refuse_endpoint_replacement(root: tfc.TerraformRoot, env: str) -> None:
    """A plan that replaces the endpoint applies only when asked for by name (docs/updates.md)."""
    try:
        plan = json.loads((root.directory / tfc.PLAN_JSON).read_text())
    except (OSError, ValueError):
        return  # no JSON beside the plan: Terraform's own plan output was the review
    replaced = rollback.replaced_endpoints(plan)
    if replaced:
        raise LlmctlError(
            f"the plan replaces endpoint {', '.join(replaced)} (deleted, then created again: no traffic is served "
            "until the new one is InService, and its scaling is registered again); if that outage is intended, apply "
            f"with --allow-endpoint-replacement (make apply ENV={env} APPLY_ARGS=--allow-endpoint-replacement), "
            "otherwise revert the change that forces it (plan review's replace-endpoint flag names it)."
        )


def _explain_failed_update(root: tfc.TerraformRoot, sagemaker: Any, name: str, env: str) -> None:
    """Raise one sentence when SageMaker rolled the update back or the endpoint failed; return if neither."""
    from botocore.exceptions import BotoCoreError, ClientError

    applied = rollback.applied_config_name(json.loads(root.run("show", capture=True, json=tfc.flag()) or "{}"))
    try:
        described = sagemaker.describe_endpoint(EndpointName=name)
    except (BotoCoreError, ClientError):
        return  # Terraform's own error stands
    message = rollback.rollback_message(described, applied, env) if applied else None
    if message:
        raise LlmctlError(message, 3)
    if described.get("EndpointStatus") == "Failed":
        raise LlmctlError(f"{name} is Failed: {described.get('FailureReason') or 'see `llmctl status`'}", 3)


@tf_group.command("apply")
@_env_options
@click.option("--smoke/--no-smoke", default=True, show_default=True, help="Invoke the endpoint after the apply.")
@click.option(
    "--max-wait", type=click.FloatRange(min=0), default=3600, show_default=True, help="Seconds to wait for InService."
)
@click.option(
    "--allow-endpoint-replacement",
    is_flag=True,
    help="Apply a plan that deletes and re-creates the endpoint (an outage; refused without this flag).",
)
@click.pass_context
def apply_cmd(
    ctx: click.Context,
    env: str,
    directory: Path | None,
    aws_endpoint_url: str | None,
    smoke: bool,
    max_wait: float,
    allow_endpoint_replacement: bool,
) -> None:
    """Apply the reviewed plan (llm.tfplan), wait for the endpoint to be InService, then smoke-check it.

    The smoke check is `make invoke`'s: one short generation that must return text. A plan that replaces the
    endpoint is refused unless --allow-endpoint-replacement; an update that SageMaker rolled back fails with its cause.

    \b
    Examples:
      llmctl tf plan --env dev && llmctl tf apply --env dev
      llmctl tf apply --env local          # smoke-checks through the local runtime of `make up`
      llmctl tf apply --env dev --allow-endpoint-replacement
    """
    root = _root(env, directory)
    plan = root.directory / tfc.PLAN_FILE
    if not plan.is_file():
        raise LlmctlError(f"{plan} is missing; run `make plan ENV={env}` and review it first.")
    if (root.directory / tfc.OFFLINE_PLAN_MARKER).is_file():
        raise LlmctlError(
            f"{plan} was made by `llmctl tf plan --offline` (fake keys, throwaway state: for review only); run "
            f"`make plan ENV={env}` with AWS credentials, review it, then apply."
        )
    if not allow_endpoint_replacement:
        _refuse_endpoint_replacement(root, env)
    _require_local_aws(env, aws_endpoint_url or _planned_variable(root, "aws_endpoint_url"))
    try:
        root.run("apply", tfc.PLAN_FILE, input=False)
    except LlmctlError:
        outputs = root.outputs()
        if "endpoint_name" in outputs:
            settings, endpoint_url = _aws(outputs, aws_endpoint_url, 70.0)
            sagemaker = make_client("sagemaker", settings, endpoint_url)
            _explain_failed_update(root, sagemaker, str(outputs["endpoint_name"]), env)
        raise
    finally:
        plan.unlink(missing_ok=True)  # a plan applies once; a stale one must not be applied again
    outputs = root.outputs()
    name = str(outputs["endpoint_name"])
    settings, endpoint_url = _aws(outputs, aws_endpoint_url, 70.0)
    sagemaker = make_client("sagemaker", settings, endpoint_url)
    _explain_failed_update(root, sagemaker, name, env)  # a root without the stack's postcondition
    status = watch_endpoint(
        sagemaker,
        make_client("application-autoscaling", settings, endpoint_url),
        name,
        interval=15.0,
        max_wait=max_wait,
        console=console(stderr=True),
    )
    if status.status != "InService":
        raise LlmctlError(f"{name} is {status.status}: {status.failure_reason or 'see `llmctl status`'}", 3)
    click.echo(f"{name}: InService")
    if smoke:
        ctx.invoke(
            invoke_cmd,
            prompt=SMOKE_PROMPT,
            endpoint=name,
            # A component endpoint answers only by component: smoke-check the first, as `make invoke` does.
            inference_component=endpoint_ref.first_component(outputs.get("inference_component_names") or {}),
            max_new_tokens=32,
            expect=r"\S",
            region=outputs.get("region"),
            # The local environment's endpoints answer at its local SageMaker runtime, not at the control plane.
            endpoint_url=outputs.get("runtime_endpoint_url") or endpoint_url,
            # An asynchronous endpoint answers InvokeEndpointAsync only: upload, queue, wait for the result object.
            asynchronous=bool(outputs.get("async_input_s3_uri")),
            async_input=outputs.get("async_input_s3_uri"),
            control_endpoint_url=endpoint_url if outputs.get("runtime_endpoint_url") else None,
        )


@tf_group.command("output")
@click.argument("name")
@_env_options
def output_cmd(name: str, env: str, directory: Path | None, aws_endpoint_url: str | None) -> None:
    """Print one output of the environment's state, raw (for scripts and the Makefile).

    \b
    Example:
      llmctl tf output endpoint_name --env local
    """
    outputs = _root(env, directory).outputs()
    if name not in outputs:
        known = ", ".join(sorted(outputs)) or "none (apply first)"
        raise LlmctlError(f"{name} is not an output of the {env} environment; its outputs: {known}.")
    click.echo(outputs[name])


@tf_group.command("destroy")
@_env_options
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def destroy_cmd(env: str, directory: Path | None, aws_endpoint_url: str | None, yes: bool) -> None:
    """Destroy everything the environment created (asks first unless --yes or --env local).

    \b
    Examples:
      llmctl tf destroy --env local
      llmctl tf destroy --env dev --yes
    """
    root = _root(env, directory)
    if not (yes or env == "local"):
        click.confirm(f"Destroy every resource of {root.directory}, the endpoint included?", abort=True)
    _init(root, offline=False)
    if env == "local" and aws_endpoint_url is None:
        # Destroy where it was applied: the moto URL the state recorded.
        aws_endpoint_url = root.outputs().get("aws_endpoint_url")
    _require_local_aws(env, aws_endpoint_url)
    root.run("destroy", input=False, auto_approve=tfc.flag(), var=_local_vars(env, aws_endpoint_url) or None)
    (root.directory / tfc.PLAN_FILE).unlink(missing_ok=True)
    click.echo(f"destroyed {root.directory}")

"""The `local` environment end to end, driven the way a user drives it: `llmctl local up` (moto control plane + local
SageMaker runtime) → render → `llmctl tf plan/apply` (smoke-checked through the runtime) → `llmctl invoke --tf-dir`
(sync and streamed, TGI and chat bodies) → the HTTP service and the `openai` package → `llmctl status` → an env-var
change rolls the endpoint with create-before-destroy → `llmctl tf destroy` → `llmctl local down`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from support.servers import free_port
from support.terraform import copy_terraform, llmctl, rendered_tfvars

pytestmark = pytest.mark.integration


@pytest.fixture
def workspace(tmp_path: Path, tf_env: dict[str, str]) -> Iterator[tuple[Path, dict[str, str], str]]:
    copy_terraform(tmp_path)
    port, runtime_port = free_port(), free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **tf_env,
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_REGION": "us-east-1",
        "LLM_LOCAL_RUNTIME_URL": f"http://127.0.0.1:{runtime_port}",
    }
    ports = ["--port", str(port), "--runtime-port", str(runtime_port)]
    up = llmctl(["local", "up", *ports, "--tokens-per-s", "500"], tmp_path, env)
    assert up.returncode == 0, up.stderr
    assert f"moto started on {url}" in up.stdout and f"runtime started on http://127.0.0.1:{runtime_port}" in up.stdout
    try:
        yield tmp_path, env, url
    finally:
        down = llmctl(["local", "down", *ports], tmp_path, env)
        assert down.returncode == 0 and "runtime stopped" in down.stdout and "moto stopped" in down.stdout
        assert not list((tmp_path / ".local").glob("*.pid"))


def _plan(root: Path, cwd: Path, env: dict[str, str], url: str) -> dict[str, list[str]]:
    result = llmctl(["tf", "plan", "--env", "local", "--dir", str(root), "--aws-endpoint-url", url], cwd, env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    plan = json.loads((root / "llm.tfplan.json").read_text())
    return {
        c["address"]: c["change"]["actions"] for c in plan["resource_changes"] if c["change"]["actions"] != ["no-op"]
    }


def _invoke_the_deployed_endpoint(root: Path, cwd: Path, env: dict[str, str]) -> None:
    """`llmctl invoke --tf-dir` finds the endpoint and its runtime in the env's outputs; the service then serves it."""
    for args in (["--format", "tgi"], ["--format", "tgi", "--no-stream"], ["--format", "chat"], ["--no-stream"]):
        result = llmctl(["invoke", "--tf-dir", str(root), "--max-new-tokens", "5", "--json", *args, "hi"], cwd, env)
        assert result.returncode == 0, result.stdout + result.stderr
        assert json.loads(result.stdout)["text"] == "t0 t1 t2 t3 t4 "

    from llm_service.app import create_app
    from llm_service.settings import ServiceSettings
    from openai import OpenAI
    from support.servers import ServiceThread

    runtime_url = env["LLM_LOCAL_RUNTIME_URL"]
    settings = ServiceSettings(
        endpoint_name="llm-local", aws_endpoint_url=runtime_url, region="us-east-1", api_keys="k"
    )
    service = ServiceThread(create_app(settings))
    client = OpenAI(base_url=f"{service.start()}/v1", api_key="k")
    try:
        stream = client.chat.completions.create(
            model="llm-local", messages=[{"role": "user", "content": "hi"}], max_tokens=3, stream=True
        )
        assert "".join(c.choices[0].delta.content or "" for c in stream if c.choices) == "t0 t1 t2 "
    finally:
        service.stop()


def _change_the_scaling_bounds(root: Path, cwd: Path, env: dict[str, str], url: str) -> None:
    """Issue 15: bounds set in the documented file show in the plan, the plan review and `llmctl status` after apply."""
    settings = root / "settings.auto.tfvars"
    text = settings.read_text()
    settings.write_text(text.replace("min_capacity = 1\n  max_capacity = 3", "min_capacity = 2\n  max_capacity = 4"))
    planned = llmctl(["tf", "plan", "--env", "local", "--dir", str(root), "--aws-endpoint-url", url], cwd, env)
    assert planned.returncode == 0, planned.stdout[-3000:] + planned.stderr[-3000:]
    assert "instances min..max 1..3 → 2..4" in planned.stdout
    plan = json.loads((root / "llm.tfplan.json").read_text())
    (target,) = [c for c in plan["resource_changes"] if c["type"] == "aws_appautoscaling_target"]
    assert (target["change"]["after"]["min_capacity"], target["change"]["after"]["max_capacity"]) == (2, 4)
    applied = llmctl(["tf", "apply", "--env", "local", "--dir", str(root), "--no-smoke"], cwd, env)
    assert applied.returncode == 0, applied.stdout[-3000:] + applied.stderr[-3000:]
    status = llmctl(["status", "--tf-dir", str(root), "--endpoint-url", url, "--json"], cwd, env)
    variant = json.loads(status.stdout)["variants"][0]
    assert (variant["min_capacity"], variant["max_capacity"]) == (2, 4)


def _change_the_instance_type_under_autoscaling(root: Path, cwd: Path, env: dict[str, str], url: str) -> None:
    """Issue 16: UpdateEndpoint refuses a new instance type for a registered scalable target (the local control plane
    enforces it); the stack deregisters the scaling first and registers it again, with its policies, after."""
    scaling = boto3.client("application-autoscaling", endpoint_url=url, region_name="us-east-1")

    def scaling_state() -> tuple[int, int, int]:
        return (
            len(scaling.describe_scalable_targets(ServiceNamespace="sagemaker")["ScalableTargets"]),
            len(scaling.describe_scaling_policies(ServiceNamespace="sagemaker")["ScalingPolicies"]),
            len(scaling.describe_scheduled_actions(ServiceNamespace="sagemaker")["ScheduledActions"]),
        )

    before = scaling_state()
    assert before == (1, 3, 1)
    rendered_tfvars(root, "meta-llama/Llama-3.1-8B-Instruct", "-i", "ml.g6e.2xlarge")
    planned = llmctl(["tf", "plan", "--env", "local", "--dir", str(root), "--aws-endpoint-url", url], cwd, env)
    assert planned.returncode == 0, planned.stdout[-3000:] + planned.stderr[-3000:]
    applied = llmctl(["tf", "apply", "--env", "local", "--dir", str(root), "--no-smoke"], cwd, env)
    assert applied.returncode == 0, applied.stdout[-3000:] + applied.stderr[-3000:]
    sagemaker = boto3.client("sagemaker", endpoint_url=url, region_name="us-east-1")
    config = sagemaker.describe_endpoint_config(
        EndpointConfigName=sagemaker.describe_endpoint(EndpointName="llm-local")["EndpointConfigName"]
    )
    assert config["ProductionVariants"][0]["InstanceType"] == "ml.g6e.2xlarge"
    assert scaling_state() == before, "the target, its policies and its schedule are registered again"


def _a_rolled_back_update_keeps_the_configuration_it_serves(
    root: Path, cwd: Path, env: dict[str, str], url: str
) -> None:
    """Issue 16: a rollback alarm in ALARM rolls the update back (the local control plane does what SageMaker does).
    The apply fails naming the rollback and its cause, and the configuration and model still serving are not deleted;
    once the alarm clears, the next plan and apply complete the update and remove them."""
    sagemaker = boto3.client("sagemaker", endpoint_url=url, region_name="us-east-1")
    cloudwatch = boto3.client("cloudwatch", endpoint_url=url, region_name="us-east-1")
    endpoint = sagemaker.describe_endpoint(EndpointName="llm-local")
    live = endpoint["EndpointConfigName"]
    alarm = endpoint["LastDeploymentConfig"]["AutoRollbackConfiguration"]["Alarms"][0]["AlarmName"]
    cloudwatch.set_alarm_state(AlarmName=alarm, StateValue="ALARM", StateReason="5XX errors during the roll")

    tfvars = root / "llm.auto.tfvars.json"
    data = json.loads(tfvars.read_text())
    data["container_env"]["MAX_CONCURRENT_REQUESTS"] = "32"
    tfvars.write_text(json.dumps(data))
    _plan(root, cwd, env, url)
    applied = llmctl(["tf", "apply", "--env", "local", "--dir", str(root), "--no-smoke"], cwd, env)
    assert applied.returncode == 3, applied.stdout[-3000:] + applied.stderr[-3000:]
    assert "the update of llm-local rolled back because a rollback alarm fired" in applied.stderr
    assert f"it still serves configuration {live}, which is kept" in applied.stderr
    assert sagemaker.describe_endpoint(EndpointName="llm-local")["EndpointConfigName"] == live
    kept_model = sagemaker.describe_endpoint_config(EndpointConfigName=live)["ProductionVariants"][0]["ModelName"]
    assert sagemaker.describe_model(ModelName=kept_model)["ModelName"] == kept_model

    cloudwatch.set_alarm_state(AlarmName=alarm, StateValue="OK", StateReason="recovered")
    assert _plan(root, cwd, env, url)["module.stack.module.endpoint[0].aws_sagemaker_endpoint.this"] == ["update"]
    applied = llmctl(["tf", "apply", "--env", "local", "--dir", str(root), "--no-smoke"], cwd, env)
    assert applied.returncode == 0, applied.stdout[-3000:] + applied.stderr[-3000:]
    now = sagemaker.describe_endpoint(EndpointName="llm-local")["EndpointConfigName"]
    assert now != live
    assert [c["EndpointConfigName"] for c in sagemaker.list_endpoint_configs()["EndpointConfigs"]] == [now]
    assert [m["ModelName"] for m in sagemaker.list_models()["Models"]] != [kept_model]


def _turning_rollback_alarms_off_is_an_explicit_replacement(
    root: Path, cwd: Path, env: dict[str, str], url: str
) -> None:
    """Issue 16: the provider replaces the endpoint when its rollback alarms change; the apply refuses that outage
    unless asked by name, and the replacement registers the scaling again (DeleteEndpoint deregistered it)."""
    scaling = boto3.client("application-autoscaling", endpoint_url=url, region_name="us-east-1")
    settings = root / "settings.auto.tfvars"
    settings.write_text(settings.read_text() + "\nrollback_on_alarms = false\n")
    planned = _plan(root, cwd, env, url)
    assert planned["module.stack.module.endpoint[0].aws_sagemaker_endpoint.this"] == ["delete", "create"]
    assert planned["module.stack.module.autoscaling[0].aws_appautoscaling_target.variant"] == ["delete", "create"]
    refused = llmctl(["tf", "apply", "--env", "local", "--dir", str(root), "--no-smoke"], cwd, env)
    assert refused.returncode == 2 and "the plan replaces endpoint llm-local" in refused.stderr, refused.stderr
    assert (root / "llm.tfplan").exists(), "a refused plan stays for the explicit apply"
    args = ["tf", "apply", "--env", "local", "--dir", str(root), "--no-smoke", "--allow-endpoint-replacement"]
    applied = llmctl(args, cwd, env)
    assert applied.returncode == 0, applied.stdout[-3000:] + applied.stderr[-3000:]
    assert len(scaling.describe_scalable_targets(ServiceNamespace="sagemaker")["ScalableTargets"]) == 1
    assert len(scaling.describe_scaling_policies(ServiceNamespace="sagemaker")["ScalingPolicies"]) == 3
    assert len(scaling.describe_scheduled_actions(ServiceNamespace="sagemaker")["ScheduledActions"]) == 1
    assert _plan(root, cwd, env, url) == {}, "nothing left to re-create"


def _stage_a_checkpoint(cwd: Path, env: dict[str, str], url: str) -> None:
    """Issue 17: `llmctl stage` uploads a checkpoint's serving files to the local S3, into a team's own bucket (every
    environment but local keeps the artifacts bucket TLS-only, which a plain-HTTP control plane cannot satisfy)."""
    checkpoint = cwd / "twin"
    checkpoint.mkdir()
    for name, data in (("config.json", b"{}"), ("tokenizer.json", b"{}"), ("model.safetensors", b"\0" * 4096)):
        (checkpoint / name).write_bytes(data)
    s3 = boto3.client("s3", endpoint_url=url, region_name="us-east-1")
    s3.create_bucket(Bucket="team-models")
    args = ["stage", "my-org/twin", "--from-dir", str(checkpoint), "--bucket", "team-models", "--json"]
    staged = llmctl([*args, "--endpoint-url", url], cwd, env)
    assert staged.returncode == 0, staged.stdout + staged.stderr
    assert json.loads(staged.stdout)["model_s3_uri"] == "s3://team-models/models/twin/"
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket="team-models")["Contents"])
    assert keys == ["models/twin/config.json", "models/twin/model.safetensors", "models/twin/tokenizer.json"]
    for key in keys:
        s3.delete_object(Bucket="team-models", Key=key)
    s3.delete_bucket(Bucket="team-models")


def _ready_through_the_service(env: dict[str, str], url: str) -> None:
    """Issue 15 item 4: /ready answered 503 ClientError locally (DescribeEndpoint went to the runtime)."""
    import httpx
    from llm_service.app import create_app
    from llm_service.settings import ServiceSettings
    from support.servers import ServiceThread

    runtime_url = env["LLM_LOCAL_RUNTIME_URL"]
    wrong = ServiceSettings(endpoint_name="llm-local", aws_endpoint_url=runtime_url, region="us-east-1", api_keys="k")
    right = wrong.model_copy(update={"aws_control_endpoint_url": url})
    for settings, status in ((right, 200), (wrong, 503)):
        service = ServiceThread(create_app(settings))
        try:
            response = httpx.get(f"{service.start()}/ready", timeout=30)
        finally:
            service.stop()
        assert response.status_code == status, response.text
        if status == 503:
            detail = response.json()["detail"]
            assert "DescribeEndpoint llm-local at " + runtime_url in detail, detail
            assert "LLM_SERVICE_AWS_CONTROL_ENDPOINT_URL" in detail


def test_local_env_apply_roll_and_destroy(workspace: tuple[Path, dict[str, str], str]) -> None:
    cwd, env, url = workspace
    root = cwd / "terraform" / "envs" / "local"
    tfvars = rendered_tfvars(root, "meta-llama/Llama-3.1-8B-Instruct", "-i", "ml.g5.2xlarge")

    first = _plan(root, cwd, env, url)
    assert len(first) == 30 and all(actions == ["create"] for actions in first.values())
    quotas = [{"instance_type": "ml.g5.2xlarge", "quota": 8.0, "in_use": 0}]
    assert json.loads((root / "llm.quotas.json").read_text()) == quotas, "the local Service Quotas was read"

    applied = llmctl(["tf", "apply", "--env", "local", "--dir", str(root)], cwd, env)
    assert applied.returncode == 0, applied.stdout[-3000:] + applied.stderr[-3000:]
    assert "llm-local: InService" in applied.stdout
    assert "tokens/s" in applied.stderr, "the smoke check went through the local runtime"
    assert not (root / "llm.tfplan").exists(), "an applied plan is removed"
    _invoke_the_deployed_endpoint(root, cwd, env)
    _ready_through_the_service(env, url)
    _stage_a_checkpoint(cwd, env, url)

    status = llmctl(["status", "--tf-dir", str(root), "--endpoint-url", url, "--json"], cwd, env)
    assert status.returncode == 0, status.stderr
    variant = json.loads(status.stdout)["variants"][0]
    assert (variant["name"], variant["min_capacity"], variant["max_capacity"]) == ("AllTraffic", 1, 3)

    sagemaker = boto3.client("sagemaker", endpoint_url=url, region_name="us-east-1")
    model_before = sagemaker.describe_endpoint_config(
        EndpointConfigName=sagemaker.describe_endpoint(EndpointName="llm-local")["EndpointConfigName"]
    )["ProductionVariants"][0]["ModelName"]
    assert sagemaker.describe_endpoint(EndpointName="llm-local")["LastDeploymentConfig"]["BlueGreenUpdatePolicy"]

    # The autoscaler has scaled the endpoint to 3 (as UpdateEndpointWeightsAndCapacities sets it). Issue 16: without
    # RetainAllVariantProperties an update restarts the variant at the new configuration's initial count (1 here),
    # so `llmctl tf plan` must start the new configuration at the 3 running now.
    sagemaker.update_endpoint_weights_and_capacities(
        EndpointName="llm-local", DesiredWeightsAndCapacities=[{"VariantName": "AllTraffic", "DesiredInstanceCount": 3}]
    )

    # One env var changes: a new model and configuration are created before the old ones go; the endpoint is updated
    # in place (a blue/green roll), never replaced.
    data = json.loads(tfvars.read_text())
    data["container_env"]["MAX_CONCURRENT_REQUESTS"] = "64"
    tfvars.write_text(json.dumps(data))
    roll = _plan(root, cwd, env, url)
    assert json.loads((root / "llm.quotas.json").read_text())[0]["in_use"] == 3, "the 3 running count against it"
    assert roll == {
        "module.stack.module.endpoint[0].aws_sagemaker_model.this": ["create", "delete"],
        "module.stack.module.endpoint[0].aws_sagemaker_endpoint_configuration.this": ["create", "delete"],
        "module.stack.module.endpoint[0].aws_sagemaker_endpoint.this": ["update"],
    }
    applied = llmctl(["tf", "apply", "--env", "local", "--dir", str(root), "--no-smoke"], cwd, env)
    assert applied.returncode == 0, applied.stdout[-3000:] + applied.stderr[-3000:]
    config = sagemaker.describe_endpoint_config(
        EndpointConfigName=sagemaker.describe_endpoint(EndpointName="llm-local")["EndpointConfigName"]
    )
    model_after = config["ProductionVariants"][0]["ModelName"]
    assert model_after != model_before
    environment = sagemaker.describe_model(ModelName=model_after)["PrimaryContainer"]["Environment"]
    assert environment["MAX_CONCURRENT_REQUESTS"] == "64"
    assert config["ProductionVariants"][0]["InitialInstanceCount"] == 3
    running = sagemaker.describe_endpoint(EndpointName="llm-local")["ProductionVariants"][0]
    assert running["DesiredInstanceCount"] == 3, "the update kept the capacity autoscaling had added"
    assert [m["ModelName"] for m in sagemaker.list_models()["Models"]] == [model_after], "the old model is gone"

    assert _plan(root, cwd, env, url) == {}, "after apply, the plan is empty (no drift)"

    _change_the_scaling_bounds(root, cwd, env, url)
    _change_the_instance_type_under_autoscaling(root, cwd, env, url)
    _a_rolled_back_update_keeps_the_configuration_it_serves(root, cwd, env, url)
    _turning_rollback_alarms_off_is_an_explicit_replacement(root, cwd, env, url)

    destroyed = llmctl(["tf", "destroy", "--env", "local", "--dir", str(root)], cwd, env)
    assert destroyed.returncode == 0, destroyed.stdout[-3000:] + destroyed.stderr[-3000:]
    assert sagemaker.list_endpoints()["Endpoints"] == []
    assert boto3.client("s3", endpoint_url=url, region_name="us-east-1").list_buckets()["Buckets"] == []

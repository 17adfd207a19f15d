"""Issue 18, the product path: `envs/local` in component mode, driven as a user drives it. Two renders write one
schema-2 tfvars (two models on one ml.g5.12xlarge endpoint), `llmctl tf plan`/`apply` deploy them through the stack
(modules/llm-stack → inference-components), `llmctl invoke --tf-dir` answers from the first component or the one
named, `llmctl status` lists both, the plan review names the components and what they cost, scale to zero is one
setting, and `destroy` removes it all."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.local_stack import local_env_workspace
from support.terraform import llmctl

pytestmark = pytest.mark.integration


@pytest.fixture
def workspace(tmp_path: Path, tf_env: dict[str, str]) -> Iterator[tuple[Path, dict[str, str], str]]:
    with local_env_workspace(tmp_path, tf_env) as workspace:
        yield workspace


def _ok(result: object) -> str:
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]  # type: ignore[attr-defined]
    return str(result.stdout)  # type: ignore[attr-defined]


def _the_service_serves_each_component_as_a_model(runtime_url: str) -> None:
    from llm_service.app import create_app
    from llm_service.settings import ServiceSettings
    from openai import OpenAI
    from support.servers import ServiceThread

    models = {
        name: {"endpoint_name": "llm-local", "inference_component": f"llm-local-{name}"} for name in ("chat", "small")
    }
    settings = ServiceSettings(models=models, aws_endpoint_url=runtime_url, region="us-east-1", api_keys="k")
    service = ServiceThread(create_app(settings))
    client = OpenAI(base_url=f"{service.start()}/v1", api_key="k")
    try:
        assert sorted(m.id for m in client.models.list()) == ["chat", "small"]
        for model in ("chat", "small"):
            reply = client.chat.completions.create(
                model=model, messages=[{"role": "user", "content": "hi"}], max_tokens=3
            )
            assert reply.choices[0].message.content == "t0 t1 t2 "
    finally:
        service.stop()


def _the_first_copy_comes_back_on_an_alarm(url: str) -> None:
    import boto3

    keys = {"region_name": "us-east-1", "aws_access_key_id": "local", "aws_secret_access_key": "local"}
    scaling = boto3.client("application-autoscaling", endpoint_url=url, **keys)
    policies = scaling.describe_scaling_policies(ServiceNamespace="sagemaker")["ScalingPolicies"]
    steps = {p["PolicyName"]: p["PolicyARN"] for p in policies if p["PolicyType"] == "StepScaling"}
    assert set(steps) == {"llm-local-chat-from-zero", "llm-local-small-from-zero"}
    alarms = boto3.client("cloudwatch", endpoint_url=url, **keys).describe_alarms()["MetricAlarms"]
    no_capacity = {a["AlarmName"]: a for a in alarms if a["MetricName"] == "NoCapacityInvocationFailures"}
    chat = no_capacity["llm-local-chat-no-capacity"]
    assert chat["Dimensions"] == [{"Name": "InferenceComponentName", "Value": "llm-local-chat"}]
    assert chat["AlarmActions"] == [steps["llm-local-chat-from-zero"]]


def test_local_env_deploys_two_components_and_scales_them_to_zero(
    workspace: tuple[Path, dict[str, str], str],
) -> None:
    cwd, env, url = workspace
    root = cwd / "terraform" / "envs" / "local"
    tfvars = str(root / "llm.auto.tfvars.json")
    render = ["render", "-i", "ml.g5.12xlarge", "--gpus-per-copy", "1", "--format", "tfvars", "--out", tfvars]
    _ok(llmctl([*render[:1], "meta-llama/Llama-3.1-8B-Instruct", *render[1:], "--component", "chat"], cwd, env))
    _ok(
        llmctl(
            [*render[:1], "meta-llama/Llama-3.2-1B-Instruct", *render[1:], "-b", "vllm", "--component", "small"],
            cwd,
            env,
        )
    )

    plan = ["tf", "plan", "--env", "local", "--dir", str(root), "--aws-endpoint-url", url]
    reviewed = _ok(llmctl(plan, cwd, env))
    assert "inference component llm-local-chat is created" in reviewed
    assert "AllTraffic (components)" in reviewed
    applied = _ok(llmctl(["tf", "apply", "--env", "local", "--dir", str(root), "--aws-endpoint-url", url], cwd, env))
    assert "llm-local: InService" in applied  # and the smoke check answered from the first component

    for component in ([], ["--inference-component", "small"]):
        answer = llmctl(
            ["invoke", "--tf-dir", str(root), "--max-new-tokens", "5", "--json", *component, "hi"], cwd, env
        )
        assert json.loads(_ok(answer))["text"] == "t0 t1 t2 t3 t4 "
    status = json.loads(_ok(llmctl(["status", "-e", "llm-local", "--endpoint-url", url, "--json"], cwd, env)))
    assert sorted(c["name"] for c in status["inference_components"]) == ["llm-local-chat", "llm-local-small"]
    _the_service_serves_each_component_as_a_model(env["LLM_LOCAL_RUNTIME_URL"])

    # Terraform reads *.auto.tfvars in name order: this one overrides settings.auto.tfvars' bounds.
    (root / "zz-scale-to-zero.auto.tfvars").write_text("autoscaling = { min_capacity = 0, max_capacity = 2 }\n")
    scaled = _ok(llmctl(plan, cwd, env))
    assert "scale to zero turned on" in scaled
    _ok(
        llmctl(["tf", "apply", "--env", "local", "--dir", str(root), "--aws-endpoint-url", url, "--no-smoke"], cwd, env)
    )
    status = json.loads(_ok(llmctl(["status", "-e", "llm-local", "--endpoint-url", url, "--json"], cwd, env)))
    assert {c["min_copies"] for c in status["inference_components"]} == {0}
    _the_first_copy_comes_back_on_an_alarm(url)

    _ok(llmctl(["tf", "destroy", "--env", "local", "--dir", str(root), "--aws-endpoint-url", url], cwd, env))

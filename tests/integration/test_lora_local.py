"""Issue 24: a base model with two LoRA adapters, end to end on the local stack. `llmctl render --lora-adapter` →
`llmctl tf plan/apply` → the emulated TGI container loads the adapters from LORA_ADAPTERS → `llmctl invoke --adapter`,
the OpenAI SDK with `model="twin"` and `/generate` with `adapter_id` each reach the right adapter; an unknown adapter
gets TGI's own behaviour from the container (the base model answers, silently) and a 400 from the service."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from support.servers import ServiceThread, free_port
from support.terraform import copy_terraform, llmctl, rendered_tfvars

pytestmark = pytest.mark.integration

BASE = "s3://team-models/llama31/"


@pytest.fixture
def local_stack(tmp_path: Path, tf_env: dict[str, str]) -> Iterator[tuple[Path, dict[str, str], str, str]]:
    copy_terraform(tmp_path)
    port, runtime_port = free_port(), free_port()
    url, runtime_url = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{runtime_port}"
    env = {**tf_env, "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local", "AWS_REGION": "us-east-1"}
    env["LLM_LOCAL_RUNTIME_URL"] = runtime_url
    ports = ["--port", str(port), "--runtime-port", str(runtime_port)]
    up = llmctl(["local", "up", *ports, "--tokens-per-s", "500"], tmp_path, env)
    assert up.returncode == 0, up.stderr
    try:
        yield tmp_path, env, url, runtime_url
    finally:
        llmctl(["local", "down", *ports], tmp_path, env)


def _invoke(root: Path, cwd: Path, env: dict[str, str], *args: str) -> str:
    result = llmctl(["invoke", "--tf-dir", str(root), "--max-new-tokens", "3", "--json", *args, "hi"], cwd, env)
    assert result.returncode == 0, result.stdout + result.stderr
    return str(json.loads(result.stdout)["text"])


def test_a_base_model_with_two_adapters_answers_per_adapter(local_stack) -> None:  # type: ignore[no-untyped-def]
    cwd, env, url, runtime_url = local_stack
    root = cwd / "terraform" / "envs" / "local"
    tfvars = rendered_tfvars(
        root,
        *["meta-llama/Llama-3.1-8B-Instruct", "-i", "ml.g6.xlarge", "--model-s3-uri", BASE],
        *["--lora-adapter", "twin=s3://team-models/llama31/adapters/twin/"],
        *["--lora-adapter", "support=s3://team-models/llama31/adapters/support/"],
    )
    container_env = json.loads(tfvars.read_text())["container_env"]
    assert container_env["LORA_ADAPTERS"] == "twin=/opt/ml/model/adapters/twin,support=/opt/ml/model/adapters/support"

    planned = llmctl(["tf", "plan", "--env", "local", "--dir", str(root), "--aws-endpoint-url", url], cwd, env)
    assert planned.returncode == 0, planned.stdout[-3000:] + planned.stderr[-3000:]
    applied = llmctl(["tf", "apply", "--env", "local", "--dir", str(root), "--no-smoke"], cwd, env)
    assert applied.returncode == 0, applied.stdout[-3000:] + applied.stderr[-3000:]

    # llmctl invoke --adapter, in both request formats; without it the base model answers.
    assert _invoke(root, cwd, env) == "t0 t1 t2 "
    assert _invoke(root, cwd, env, "--adapter", "twin") == "twin-t0 twin-t1 twin-t2 "
    assert _invoke(root, cwd, env, "--adapter", "support", "--format", "tgi") == "support-t0 support-t1 support-t2 "
    # TGI itself answers an unknown adapter id with the base model: nothing tells the caller.
    assert _invoke(root, cwd, env, "--adapter", "twn") == "t0 t1 t2 "

    from llm_service.app import create_app
    from llm_service.settings import ServiceSettings
    from openai import OpenAI

    models = {
        "llama": {"endpoint_name": "llm-local"},
        "twin": {"endpoint_name": "llm-local", "adapter": "twin"},
        "support": {"endpoint_name": "llm-local", "adapter": "support"},
    }
    settings = ServiceSettings(models=models, aws_endpoint_url=runtime_url, region="us-east-1", api_keys="k")
    service = ServiceThread(create_app(settings))
    base_url = service.start()
    try:
        client = OpenAI(base_url=f"{base_url}/v1", api_key="k")
        for model, text in (("twin", "twin-t0 twin-t1 "), ("llama", "t0 t1 "), ("support", "support-t0 support-t1 ")):
            reply = client.chat.completions.create(
                model=model, messages=[{"role": "user", "content": "hi"}], max_tokens=2
            )
            assert reply.choices[0].message.content == text, model
        auth = {"Authorization": "Bearer k"}
        body = {"inputs": "hi", "parameters": {"max_new_tokens": 2, "adapter_id": "support"}}
        generated = httpx.post(f"{base_url}/generate", json=body, headers=auth, timeout=30)
        assert generated.json()["generated_text"] == "support-t0 support-t1 "
        body["parameters"]["adapter_id"] = "twn"
        refused = httpx.post(f"{base_url}/generate", json=body, headers=auth, timeout=30)
        assert refused.status_code == 400 and "`twn` is not an adapter this service serves" in refused.text
    finally:
        service.stop()

    destroyed = llmctl(["tf", "destroy", "--env", "local", "--dir", str(root)], cwd, env)
    assert destroyed.returncode == 0, destroyed.stdout[-3000:] + destroyed.stderr[-3000:]

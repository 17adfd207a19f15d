"""Pieces of a local stack for tests: an endpoint created straight in the control plane, and a private copy of the
Terraform tree with its own `llmctl local up` for the tests that drive envs/local as a user."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from support.servers import free_port
from support.terraform import copy_terraform, llmctl


def create_endpoint(sagemaker: Any, name: str, image: str, env: dict[str, str], **config: Any) -> None:
    """Model, configuration (one ml.g5.2xlarge variant, plus `config`, e.g. AsyncInferenceConfig) and endpoint."""
    sagemaker.create_model(
        ModelName=f"{name}-model",
        ExecutionRoleArn="arn:aws:iam::123456789012:role/x",
        PrimaryContainer={"Image": image, "Environment": env},
    )
    variant = {"VariantName": "AllTraffic", "ModelName": f"{name}-model", "InitialInstanceCount": 1}
    variant["InstanceType"] = "ml.g5.2xlarge"
    sagemaker.create_endpoint_config(EndpointConfigName=f"{name}-config", ProductionVariants=[variant], **config)
    sagemaker.create_endpoint(EndpointName=name, EndpointConfigName=f"{name}-config")


@contextmanager
def local_env_workspace(
    tmp_path: Path, tf_env: dict[str, str], extra_env: dict[str, str] | None = None
) -> Iterator[tuple[Path, dict[str, str], str]]:
    """(working directory with a copy of terraform/, the environment llmctl runs with, the control plane's URL)."""
    copy_terraform(tmp_path)
    port, runtime_port = free_port(), free_port()
    env = {
        **tf_env,
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_REGION": "us-east-1",
        "LLM_LOCAL_RUNTIME_URL": f"http://127.0.0.1:{runtime_port}",
        **(extra_env or {}),
    }
    ports = ["--port", str(port), "--runtime-port", str(runtime_port)]
    assert llmctl(["local", "up", *ports, "--tokens-per-s", "500"], tmp_path, env).returncode == 0
    try:
        yield tmp_path, env, f"http://127.0.0.1:{port}"
    finally:
        llmctl(["local", "down", *ports], tmp_path, env)

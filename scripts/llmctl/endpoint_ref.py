"""Which endpoint to call: --endpoint, else `terraform output` of a root directory, else LLM_ENDPOINT_NAME."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import LlmctlError

ENV_VAR = "LLM_ENDPOINT_NAME"
TF_OUTPUT = "endpoint_name"  # the output every Terraform root configuration exposes
RUNTIME_OUTPUT = "runtime_endpoint_url"  # only the local environment has one: its local SageMaker runtime
COMPONENTS_OUTPUT = "inference_component_names"  # component roots: component name → InferenceComponentName
ASYNC_INPUT_OUTPUT = "async_input_s3_uri"  # async roots: where requests are uploaded
CONTROL_OUTPUT = "aws_endpoint_url"  # only the local environment has one: its local AWS (S3, SageMaker API)


def _outputs(tf_dir: Path) -> dict[str, str]:
    return {name: str(value) for name, value in _raw_outputs(tf_dir).items()}


def _raw_outputs(tf_dir: Path) -> dict[str, object]:
    from python_terraform import Terraform

    if not tf_dir.is_dir():
        raise LlmctlError(f"--tf-dir {tf_dir} is not a directory; pass a Terraform root such as terraform/envs/dev.")
    try:
        outputs = Terraform(working_dir=str(tf_dir)).output()
    except FileNotFoundError:
        raise LlmctlError("terraform is not on PATH; install it or pass --endpoint NAME.") from None
    if not outputs or TF_OUTPUT not in outputs:
        raise LlmctlError(
            f"`terraform output` in {tf_dir} has no {TF_OUTPUT}; run `make apply` there first or pass --endpoint NAME."
        )
    return {name: output["value"] for name, output in outputs.items()}


def from_terraform(tf_dir: Path) -> str:
    return _outputs(tf_dir)[TF_OUTPUT]


def resolve_target(endpoint: str | None, tf_dir: Path | None) -> tuple[str, str | None]:
    """(endpoint name, runtime URL): the URL only when the Terraform root is the local environment."""
    if not endpoint and tf_dir is not None:
        outputs = _outputs(tf_dir)
        return outputs[TF_OUTPUT], outputs.get(RUNTIME_OUTPUT)
    return resolve(endpoint, None), None


def async_locations(tf_dir: Path | None) -> tuple[str | None, str | None]:
    """(input prefix, local AWS URL) from a Terraform root's outputs; (None, None) without one."""
    if tf_dir is None:
        return None, None
    outputs = _raw_outputs(tf_dir)
    prefix, control = outputs.get(ASYNC_INPUT_OUTPUT), outputs.get(CONTROL_OUTPUT)
    return (str(prefix) if prefix else None), (str(control) if control else None)


def first_component(components: dict[str, str]) -> str | None:
    """A component root's default component: the first by its short name (None when the root has none)."""
    return str(components[sorted(components)[0]]) if components else None


def resolve_component(asked: str | None, tf_dir: Path | None) -> str | None:
    """The InferenceComponentName to call: --inference-component as given (a short name from the Terraform root's
    components is expanded), else, for a root that deploys components, the first by name; None otherwise."""
    if tf_dir is None:
        return asked
    components = _raw_outputs(tf_dir).get(COMPONENTS_OUTPUT)
    if not isinstance(components, dict) or not components:
        return asked
    if asked is None:
        return first_component(components)
    if asked in components:
        return str(components[asked])
    if asked in components.values():
        return asked
    known = ", ".join(f"{short} ({full})" for short, full in sorted(components.items()))
    raise LlmctlError(f"{tf_dir} deploys no component named {asked}; its components: {known}.")


def resolve(endpoint: str | None, tf_dir: Path | None) -> str:
    if endpoint:
        return endpoint
    if tf_dir is not None:
        return from_terraform(tf_dir)
    if os.environ.get(ENV_VAR):
        return os.environ[ENV_VAR]
    raise LlmctlError(f"no endpoint given; pass --endpoint NAME, --tf-dir DIR, or set {ENV_VAR}.")

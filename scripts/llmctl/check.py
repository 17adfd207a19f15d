"""`llmctl check`: a tfvars file re-checked with the rules render applies, because pull requests edit tfvars by hand.

What is checked: the instance type (render's "did you mean"), the image against the instance's GPU, the secret rule,
and the container's startup rules over the environment as written (token limits, shards vs heads, quantization,
dtype, sliding windows…). The model's architecture comes from the catalog (by llm_render.model, else HF_MODEL_ID) or
from --model-config; without it, the rules that need it are skipped and a note says so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .backends import BACKENDS
from .errors import LlmctlError
from .instances import get_instance
from .models import ModelArch, arch_from_config, catalog, load_config_file
from .secrets_rule import secret_problems

# The image repository names each backend's images are published under (sagemaker SDK image_uri_config).
_REPOSITORY_BACKENDS = {"huggingface-pytorch-tgi-inference": "tgi", "djl-inference": "lmi", "huggingface-vllm": "vllm"}


@dataclass
class CheckResult:
    path: Path
    backend: str
    model: str | None
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "backend": self.backend,
            "model": self.model,
            "ok": not self.problems,
            "problems": self.problems,
            "notes": self.notes,
        }


def load_tfvars(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise LlmctlError(f"{path} does not exist; render it with `make tfvars ENV=<env>`.") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise LlmctlError(f"{path} is not valid JSON ({exc}); fix it or render it again.") from None
    if not isinstance(data, dict):
        raise LlmctlError(f"{path} is not a JSON object of Terraform variables; render it again.")
    return data


def _backend(tfvars: dict[str, Any], image_uri: str) -> str:
    named = str((tfvars.get("llm_render") or {}).get("backend") or "")
    if named:
        if named not in BACKENDS:
            raise LlmctlError(f"llm_render.backend {named!r} is unknown; use one of {', '.join(BACKENDS)}.")
        return named
    repository = image_uri.split("/", 1)[-1].split(":", 1)[0].split("@", 1)[0]
    if repository == "djl-inference" and "tensorrtllm" in image_uri.rsplit(":", 1)[-1]:
        return "trtllm"
    return _REPOSITORY_BACKENDS.get(repository, "tgi")


def _arch(
    tfvars: dict[str, Any], env: dict[str, str], model_config: Path | None
) -> tuple[str | None, ModelArch | None]:
    model = str((tfvars.get("llm_render") or {}).get("model") or env.get("HF_MODEL_ID") or "") or None
    if model_config is not None:
        return model, arch_from_config(load_config_file(model_config), model or model_config.parent.name)
    entry = catalog().get((model or "").lower())
    if entry is None:
        return model, None
    return entry["hub_id"], arch_from_config(entry["config"], entry["hub_id"])


def _string_map(value: Any, name: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise LlmctlError(f"{name} must be a JSON object of string values, as render writes it.")
    return value


def check_tfvars(path: Path, model_config: Path | None = None) -> CheckResult:
    tfvars = load_tfvars(path)
    components = tfvars.get("inference_components") or []
    if components:
        return _check_components(path, tfvars, components, model_config)
    # image_uri is null in schema 2, which has components; without them it must be there.
    missing = [key for key in ("image_uri", "instance_type") if not tfvars.get(key)]
    missing += [] if "container_env" in tfvars else ["container_env"]
    if missing:
        raise LlmctlError(f"{path} has no {missing[0]}; render it again with `make tfvars`.")
    env = _string_map(tfvars["container_env"], "container_env")
    result = CheckResult(path, _backend(tfvars, str(tfvars["image_uri"])), None)
    _check_model(result, tfvars, str(tfvars["image_uri"]), env, model_config, "")
    return result


def _check_components(
    path: Path, tfvars: dict[str, Any], components: list[Any], model_config: Path | None
) -> CheckResult:
    """Schema 2: the same container rules for each component (its image, environment and provenance)."""
    provenance = tfvars.get("llm_render") or {}
    result = CheckResult(path, "backends'", None)
    for component in components:
        if not isinstance(component, dict) or not component.get("name") or not component.get("image_uri"):
            raise LlmctlError(f"{path}: each inference component needs a name and an image_uri; render it again.")
        name = str(component["name"])
        own = {"llm_render": {k.split(".", 1)[1]: v for k, v in provenance.items() if k.startswith(f"{name}.")}}
        env = _string_map(component.get("container_env") or {}, f"inference_components[{name}].container_env")
        image_uri = str(component["image_uri"])
        _check_model(result, {**tfvars, **own}, image_uri, env, model_config, f"component {name}: ")
    result.model = f"its {len(components)} inference components ({', '.join(str(c['name']) for c in components)})"
    return result


def _check_model(
    result: CheckResult,
    tfvars: dict[str, Any],
    image_uri: str,
    env: dict[str, str],
    model_config: Path | None,
    prefix: str,
) -> None:
    backend = BACKENDS[_backend(tfvars, image_uri)]
    model, arch = _arch(tfvars, env, model_config)
    result.model = model
    result.problems += [prefix + problem for problem in secret_problems(env)]
    try:
        instance = get_instance(str(tfvars["instance_type"]))
    except LlmctlError as exc:
        result.problems.append(f"instance_type: {exc}")
        return
    unsupported = backend.check_image(image_uri, instance.gpu)
    if unsupported:
        result.problems.append(prefix + unsupported)
    if arch is None:
        result.notes.append(
            f"{prefix}{model or 'the model'} is not in the bundled catalog: the container rules that need its "
            "architecture (heads, context, sliding window) were not checked; pass --model-config config.json to check "
            "them."
        )
        return
    too_old = backend.check_model_image(image_uri, arch)
    if too_old:
        result.problems.append(prefix + too_old)
    result.problems += [prefix + problem for problem in backend.check_env(env, arch, instance.gpu)]


def problems_sentence(path: Path, count: int) -> str:
    return (
        f"{path} breaks {count} container rule(s) listed above; fix those values, or re-render it with "
        "`make tfvars` and keep hand edits out of it."
    )

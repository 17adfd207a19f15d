"""The `*.auto.tfvars.json` contract between `llmctl render` and the Terraform root configurations.

Schema version 1 (docs/tfvars.md documents each field; the Terraform module declares one variable each):
  image_uri                                          string
  instance_type                                      string
  container_env                                      map(string)  — never holds secrets
  model_data_s3_uri                                  string | null (S3Prefix, uncompressed)
  model_data_kms_key_arn                             string | null (the weights bucket's customer-managed key)
  container_startup_health_check_timeout_in_seconds  number 60–3600
  model_data_download_timeout_in_seconds             number 60–3600
  volume_size_in_gb                                  number | null (null: NVMe instance storage)
  llm_render                                         map(string) — provenance, for tags and review
  inference_components                               [] (schema 2 fills it)
  instance_capacity                                  null (schema 2 fills it)
  async_inference                                    null, or (`--async`) {max_concurrent_invocations_per_instance,
                                                     and any of output_s3_uri, failure_s3_uri, notifications,
                                                     success_topic_arn, error_topic_arn, include_inference_response_in
                                                     a team added, kept by the next render}

Schema version 2 (inference components: `llmctl render … --gpus-per-copy N --component NAME`): image_uri,
container_env and the timeouts are null/empty at the top; each model is an entry of inference_components (name,
image_uri, container_env, model_data_s3_uri, accelerators, cpu_cores, min_memory_mb, copies {initial, min, max},
and its two timeouts), instance_capacity is what one instance offers the copies, and llm_render carries each
component's provenance as "<name>.model", "<name>.backend". Rendering another component into an existing schema-2
file adds it (or replaces the one of the same name).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from . import __version__
from .copies import HOST_RESERVE_MIB, HOST_RESERVE_VCPUS
from .errors import LlmctlError
from .render import RenderResult

SCHEMA_VERSION = "1"
COMPONENTS_SCHEMA_VERSION = "2"
SUFFIX = ".auto.tfvars.json"
COMPONENT_NAME = re.compile(r"^[a-z0-9](-*[a-z0-9]){0,21}$")


# SageMaker's range for AsyncInferenceConfig.ClientConfig.MaxConcurrentInvocationsPerInstance.
ASYNC_CONCURRENCY_RANGE = (1, 1000)


def async_inference(result: RenderResult, existing: dict[str, Any] | None) -> dict[str, Any]:
    """The async block: each instance takes as many queued requests at once as its KV cache holds at full length
    (more would queue inside the container, where the backlog metric cannot see them). Keys a team added to the
    file's block (paths, topics) are kept."""
    low, high = ASYNC_CONCURRENCY_RANGE
    kept = (existing or {}).get("async_inference") or {}
    return {
        **(kept if isinstance(kept, dict) else {}),
        "max_concurrent_invocations_per_instance": max(low, min(high, result.sizing.max_concurrent_sequences)),
    }


def tfvars(result: RenderResult, asynchronous: bool = False, existing: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "image_uri": result.image_uri,
        "instance_type": result.instance.name,
        "container_env": dict(sorted(result.env.items())),
        "model_data_s3_uri": result.request.model_s3_uri,
        "model_data_kms_key_arn": result.request.model_s3_kms_key_arn,
        "container_startup_health_check_timeout_in_seconds": result.startup.container_startup_health_check_timeout_s,
        "model_data_download_timeout_in_seconds": result.startup.model_data_download_timeout_s,
        # Only for types without instance storage (p3): SageMaker rejects VolumeSizeInGB where there is NVMe.
        "volume_size_in_gb": result.volume_size_in_gb,
        "llm_render": {
            "schema_version": SCHEMA_VERSION,
            "llmctl_version": __version__,
            "model": result.arch.name,
            "backend": result.request.backend,
            "tensor_parallel_degree": str(result.plan.tensor_parallel_degree),
            "max_total_tokens": str(result.plan.max_total_tokens),
            "kv_cache_tokens": str(result.sizing.kv_cache_tokens),
        },
        "inference_components": [],
        "instance_capacity": None,
        "async_inference": async_inference(result, existing) if asynchronous else None,
    }


def component_name(model_id: str) -> str:
    """A default component name from the model id: its last part, lower-case, hyphens only, at most 22 characters."""
    name = re.sub(r"[^a-z0-9]+", "-", model_id.rsplit("/", 1)[-1].lower()).strip("-")[:22].strip("-")
    return name or "model"


def component_tfvars(result: RenderResult, name: str, existing: dict[str, Any] | None) -> dict[str, Any]:
    """Schema 2: this render as one inference component, added to (or replacing its namesake in) `existing`."""
    copies = result.copies
    if copies is None:
        raise LlmctlError("--component needs --gpus-per-copy: a component is sized as copies of N GPUs each.")
    if not COMPONENT_NAME.match(name):
        raise LlmctlError(
            f"--component {name!r} must be 1-22 lower-case letters, digits and hyphens, starting and ending with a "
            "letter or digit (it becomes <endpoint>-<component>)."
        )
    needs = copies.compute_requirements()
    component = {
        "name": name,
        "image_uri": result.image_uri,
        "container_env": dict(sorted(result.env.items())),
        "model_data_s3_uri": result.request.model_s3_uri,
        "accelerators": needs["NumberOfAcceleratorDevicesRequired"],
        "cpu_cores": needs["NumberOfCpuCoresRequired"],
        "min_memory_mb": needs["MinMemoryRequiredInMb"],
        "copies": {"initial": 1, "min": 1, "max": copies.per_instance},
        "container_startup_health_check_timeout_in_seconds": result.startup.container_startup_health_check_timeout_s,
        "model_data_download_timeout_in_seconds": result.startup.model_data_download_timeout_s,
    }
    others: list[dict[str, Any]] = []
    provenance: dict[str, str] = {}
    if existing and existing.get("inference_components"):
        if existing.get("instance_type") != result.instance.name:
            raise LlmctlError(
                f"the file's components run on {existing.get('instance_type')}, not {result.instance.name}: every "
                "component of an endpoint shares its instances; render with the same -i, or into another file."
            )
        others = [c for c in existing["inference_components"] if c.get("name") != name]
        provenance = {
            key: value
            for key, value in (existing.get("llm_render") or {}).items()
            if "." in key and key.split(".", 1)[0] != name
        }
    capacity = copies.instance
    return {
        "image_uri": None,
        "instance_type": result.instance.name,
        "container_env": {},
        "model_data_s3_uri": None,
        "model_data_kms_key_arn": None,
        "container_startup_health_check_timeout_in_seconds": None,
        "model_data_download_timeout_in_seconds": None,
        "volume_size_in_gb": None,
        "llm_render": {
            "schema_version": COMPONENTS_SCHEMA_VERSION,
            "llmctl_version": __version__,
            **provenance,
            f"{name}.model": result.arch.name,
            f"{name}.backend": result.request.backend,
            f"{name}.tensor_parallel_degree": str(result.plan.tensor_parallel_degree),
            f"{name}.max_total_tokens": str(result.plan.max_total_tokens),
        },
        "inference_components": sorted([*others, component], key=lambda c: str(c["name"])),
        "instance_capacity": {
            "accelerators": capacity.gpu_count,
            "cpu_cores": capacity.vcpus - HOST_RESERVE_VCPUS,
            "memory_mb": capacity.memory_gib * 1024 - HOST_RESERVE_MIB,
        },
        "async_inference": None,
    }


def check_out_path(path: Path) -> None:
    if not path.name.endswith(SUFFIX):
        raise LlmctlError(
            f"--out {path} must end in {SUFFIX} so Terraform loads it automatically; e.g. --out llm{SUFFIX}."
        )


def dumps(result: RenderResult, asynchronous: bool = False, existing: dict[str, Any] | None = None) -> str:
    return json.dumps(tfvars(result, asynchronous, existing), indent=2) + "\n"


def existing(path: Path | None) -> dict[str, Any] | None:
    """The tfvars already at --out, to add a component to; None when there is none (or it is not JSON)."""
    if path is None or not path.is_file():
        return None
    try:
        data = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None

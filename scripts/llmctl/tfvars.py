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
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from . import __version__
from .errors import LlmctlError
from .render import RenderResult

SCHEMA_VERSION = "1"
SUFFIX = ".auto.tfvars.json"


def tfvars(result: RenderResult) -> dict[str, Any]:
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
    }


def check_out_path(path: Path) -> None:
    if not path.name.endswith(SUFFIX):
        raise LlmctlError(
            f"--out {path} must end in {SUFFIX} so Terraform loads it automatically; e.g. --out llm{SUFFIX}."
        )


def dumps(result: RenderResult) -> str:
    return json.dumps(tfvars(result), indent=2) + "\n"

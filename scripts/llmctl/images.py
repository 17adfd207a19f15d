"""Container image URIs, resolved offline from the sagemaker SDK's bundled image_uri_config."""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

from .backends import BACKENDS
from .errors import LlmctlError

_REGION = re.compile(r"^[a-z]{2,4}(-[a-z]+)+-\d$")
_PARTITION_SUFFIXES = (
    ("cn-", "amazonaws.com.cn"),
    ("us-isob-", "sc2s.sgov.gov"),
    ("us-isof-", "csp.hci.ic.gov"),
    ("us-iso-", "c2s.ic.gov"),
    ("eu-isoe-", "cloud.adc-e.uk"),
    ("eusc-", "amazonaws.eu"),
)


def _config_dir() -> Path:
    """The SDK's bundled image_uri_config, found through package metadata: reading JSON, not importing the SDK
    (whose import alone took 1.5 s of a 1.8 s render)."""
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        directory = Path(str(distribution("sagemaker-core").locate_file("sagemaker/core/image_uri_config")))
    except PackageNotFoundError:
        directory = Path("/nonexistent")
    if not directory.is_dir():
        raise LlmctlError(
            "resolving image URIs needs the sagemaker SDK's image config; install sagemaker-llm-stack[sagemaker] "
            "(make venv does) or pass --image-uri."
        )
    return directory


@functools.cache
def _framework_config(framework: str) -> dict[str, Any]:
    config: dict[str, Any] = json.loads((_config_dir() / f"{framework}.json").read_text())
    return dict(config.get("inference", config))


def _dns_suffix(region: str) -> str:
    # The partitions' ECR domains, as botocore's endpoint resolver gives them (a test compares every region).
    for prefix, suffix in _PARTITION_SUFFIXES:
        if region.startswith(prefix):
            return suffix
    return "amazonaws.com"


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version))


def available_versions(backend: str) -> list[str]:
    """Full versions (not aliases) the SDK knows for a backend, newest first."""
    return _full_versions(_framework_config(BACKENDS[backend].image_framework))


def _full_versions(config: dict[str, Any]) -> list[str]:
    full = [v for v in config.get("versions", {}) if v.count(".") >= 2]
    return sorted(full, key=_version_key, reverse=True)


def resolve_image_uri(backend: str, region: str, version: str | None = None) -> str:
    if backend not in BACKENDS:
        raise LlmctlError(f"--backend {backend} is unknown; use one of {', '.join(BACKENDS)}.")
    return resolve_framework_image(BACKENDS[backend].image_framework, region, version, "gpu", backend)


def resolve_framework_image(
    framework: str, region: str, version: str | None, processor_name: str, label: str | None = None
) -> str:
    """An image of one of the SDK's frameworks (e.g. huggingface-tei-cpu) for `processor` (gpu or cpu)."""
    backend = label or framework
    if not _REGION.match(region):
        raise LlmctlError(f"--region {region!r} is not an AWS region name; use one like us-east-1.")
    config = _framework_config(framework)
    known = _full_versions(config)
    aliases = config.get("version_aliases", {})
    if version is not None and version not in known and version not in aliases:
        raise LlmctlError(
            f"--image-version {version} is not a {backend} image version the sagemaker SDK knows; "
            f"use one of {', '.join(known[:6])} (newest first)."
        )
    chosen = aliases.get(version, version) if version else known[0]
    version_config = config["versions"][chosen]
    registry = version_config.get("registries", {}).get(region)
    if registry is None:
        raise LlmctlError(f"the {backend} image {chosen} is not published in {region}; choose another --region.")
    # The tag as the SDK's image_uris.retrieve formats it for the processor: prefix, processor (when the framework
    # lists processors), Python version, container version.
    processor = processor_name if config.get("processors") or version_config.get("processors") else None
    py_versions = version_config.get("py_versions") or [None]
    container_version = version_config.get("container_version", {}).get(processor) if processor else None
    parts = [version_config.get("tag_prefix", chosen), processor, py_versions[0], container_version]
    tag = "-".join(p for p in parts if p)
    return f"{registry}.dkr.ecr.{region}.{_dns_suffix(region)}/{version_config['repository']}:{tag}"

"""Container image URIs, resolved offline from the sagemaker SDK's bundled image_uri_config."""

from __future__ import annotations

import logging
import re
from typing import Any

from .backends import BACKENDS
from .errors import LlmctlError

_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")


def _image_uris() -> Any:
    try:
        # The SDK logs INFO/WARNING lines about defaults while resolving; keep CLI output clean.
        logging.getLogger("sagemaker").setLevel(logging.ERROR)
        from sagemaker.core import image_uris
    except ImportError:
        raise LlmctlError(
            "resolving image URIs needs the sagemaker SDK; install sagemaker-llm-stack[sagemaker] "
            "(make venv does) or pass --image-uri."
        ) from None
    return image_uris


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version))


def available_versions(backend: str) -> list[str]:
    """Full versions (not aliases) the SDK knows for a backend, newest first."""
    framework = BACKENDS[backend].image_framework
    versions = _image_uris().config_for_framework(framework)
    config = versions.get("inference", versions)
    full = [v for v in config.get("versions", {}) if v.count(".") >= 2]
    return sorted(full, key=_version_key, reverse=True)


def resolve_image_uri(backend: str, region: str, version: str | None = None) -> str:
    if backend not in BACKENDS:
        raise LlmctlError(f"--backend {backend} is unknown; use one of {', '.join(BACKENDS)}.")
    if not _REGION.match(region):
        raise LlmctlError(f"--region {region!r} is not an AWS region name; use one like us-east-1.")
    known = available_versions(backend)
    chosen = version or known[0]
    if version is not None:
        aliases = _image_uris().config_for_framework(BACKENDS[backend].image_framework)
        aliases = aliases.get("inference", aliases).get("version_aliases", {})
        if version not in known and version not in aliases:
            raise LlmctlError(
                f"--image-version {version} is not a {backend} image version the sagemaker SDK knows; "
                f"use one of {', '.join(known[:6])} (newest first)."
            )
    try:
        return str(
            _image_uris().retrieve(
                BACKENDS[backend].image_framework,
                region=region,
                version=chosen,
                instance_type="ml.g5.2xlarge",  # any GPU type: selects the gpu processor variant
                image_scope="inference",
            )
        )
    except ValueError as exc:
        if "region" in str(exc).lower():
            raise LlmctlError(
                f"the {backend} image {chosen} is not published in {region}; choose another --region."
            ) from None
        raise LlmctlError(f"could not resolve the {backend} image {chosen} in {region}: {exc}") from None

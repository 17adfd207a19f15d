"""Image URIs are read from the SDK's bundled JSON without importing the SDK; they must equal the SDK's own answers."""

from __future__ import annotations

import functools
import sys
from typing import Any

import pytest
from llmctl import images
from llmctl.backends import BACKENDS


@functools.cache
def _sdk() -> Any:
    from sagemaker.core import image_uris

    # The SDK builds a new botocore endpoint resolver (reading endpoints.json) on every call; one is enough here.
    image_uris.utils._botocore_resolver = functools.cache(image_uris.utils._botocore_resolver)
    return image_uris


def _sdk_retrieve(framework: str, region: str, version: str) -> str:
    image_uris = _sdk()

    return str(
        image_uris.retrieve(
            framework, region=region, version=version, instance_type="ml.g5.2xlarge", image_scope="inference"
        )
    )


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_newest_version_in_every_region_matches_the_sdk(backend: str) -> None:
    framework = BACKENDS[backend].image_framework
    newest = images.available_versions(backend)[0]
    regions = images._framework_config(framework)["versions"][newest]["registries"]
    for region in regions:
        assert images.resolve_image_uri(backend, region) == _sdk_retrieve(framework, region, newest)
    assert len(regions) > 20


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_every_version_in_every_region_matches_the_sdk(backend: str) -> None:
    framework = BACKENDS[backend].image_framework
    config = images._framework_config(framework)
    for version in images.available_versions(backend):
        for region in config["versions"][version]["registries"]:
            assert images.resolve_image_uri(backend, region, version) == _sdk_retrieve(framework, region, version)


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_aliases_resolve_like_the_sdk(backend: str) -> None:
    framework = BACKENDS[backend].image_framework
    for alias, full in images._framework_config(framework).get("version_aliases", {}).items():
        if full in images.available_versions(backend):
            assert images.resolve_image_uri(backend, "us-east-1", alias) == _sdk_retrieve(framework, "us-east-1", alias)


def test_resolving_does_not_import_the_sdk() -> None:
    import subprocess

    code = (
        "import sys; from llmctl.images import resolve_image_uri; resolve_image_uri('tgi', 'us-east-1'); "
        "print(any(m == 'sagemaker' or m.startswith('sagemaker.') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_unpublished_region_is_one_sentence() -> None:
    with pytest.raises(images.LlmctlError, match="is not published in xx-nowhere-1"):
        images.resolve_image_uri("tgi", "xx-nowhere-1")

"""Which inference component `llmctl invoke/load --tf-dir` (`make invoke IC=`) calls, from the root's outputs."""

from __future__ import annotations

from pathlib import Path

import pytest
from llmctl import endpoint_ref
from llmctl.errors import LlmctlError

COMPONENTS = {"small": "llm-dev-small", "chat": "llm-dev-chat"}


@pytest.fixture
def outputs(monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    values: dict[str, object] = {"endpoint_name": "llm-dev", "inference_component_names": COMPONENTS}
    monkeypatch.setattr(endpoint_ref, "_raw_outputs", lambda tf_dir: values)
    return values


@pytest.mark.parametrize(
    ("asked", "called"),
    [(None, "llm-dev-chat"), ("small", "llm-dev-small"), ("llm-dev-small", "llm-dev-small")],
    ids=["first-by-name", "short-name", "full-name"],
)
def test_the_component_comes_from_the_root(outputs: dict[str, object], asked: str | None, called: str) -> None:
    assert endpoint_ref.resolve_component(asked, Path("terraform/envs/dev")) == called


def test_an_unknown_component_lists_the_known_ones(outputs: dict[str, object]) -> None:
    with pytest.raises(LlmctlError, match=r"no component named nope; its components: chat \(llm-dev-chat\), small"):
        endpoint_ref.resolve_component("nope", Path("terraform/envs/dev"))


def test_a_real_time_root_or_no_root_leaves_the_choice_to_the_caller(outputs: dict[str, object]) -> None:
    outputs.pop("inference_component_names")
    assert endpoint_ref.resolve_component(None, Path("terraform/envs/dev")) is None
    assert endpoint_ref.resolve_component("x", None) == "x"

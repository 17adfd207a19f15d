"""Parameter counts from the architecture match the published figures within 2%."""

from __future__ import annotations

import pytest
from llmctl.models import catalog_ids, resolve_model

# Billions, as published on the model cards (../shared/REFERENCE.md for the first six).
PUBLISHED_B = {
    "meta-llama/Llama-3.1-8B": 8.03,
    "meta-llama/Llama-3.1-70B": 70.6,
    "mistralai/Mistral-7B-v0.1": 7.24,
    "mistralai/Mistral-7B-v0.3": 7.25,  # vocabulary 32,768 (v0.2 and v0.1: 32,000)
    "mistralai/Mixtral-8x7B-v0.1": 46.7,
    "Qwen/Qwen2.5-7B": 7.62,
    "google/gemma-2-9b": 9.24,
    "meta-llama/Llama-3.2-1B": 1.24,
    "meta-llama/Llama-3.2-3B": 3.21,
    "Qwen/Qwen2.5-72B": 72.7,
    "microsoft/Phi-3-mini-4k-instruct": 3.82,
    "mistralai/Mixtral-8x22B-v0.1": 141.0,
}


@pytest.mark.parametrize(("model_id", "published"), sorted(PUBLISHED_B.items()))
def test_parameter_count_within_two_percent(model_id: str, published: float) -> None:
    count = resolve_model(model_id, None).parameter_count() / 1e9
    assert abs(count - published) / published < 0.02, f"{model_id}: {count:.3f} B vs {published} B"


def test_every_catalog_family_has_a_published_check() -> None:
    families = {resolve_model(i, None).parameter_count() for i in catalog_ids()}
    checked = {resolve_model(i, None).parameter_count() for i in PUBLISHED_B}
    assert families == checked


def test_tied_embeddings_count_once() -> None:
    tied = resolve_model("meta-llama/Llama-3.2-1B", None)
    assert tied.tie_word_embeddings
    assert tied.embedding_params() == tied.vocab_size * tied.hidden_size


def test_prequantized_config_is_detected(fixtures) -> None:
    arch = resolve_model(
        "hugging-quants/Meta-Llama-3.1-8B-Instruct-AWQ-INT4", fixtures / "llama-3.1-8b-awq-config.json"
    )
    assert arch.prequantized == "awq"
    assert arch.prequantized_bits == 4

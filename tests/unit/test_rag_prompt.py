"""The grounded prompt: passages best first until the model's prompt budget is spent, the budget read from the
container's env as the container reads it, and one sentence when not even one passage fits."""

from __future__ import annotations

from pathlib import Path

import pytest
from llm_service.rag import RagError
from llm_service.rag.context import ContextLimit, container_limits
from llm_service.rag.prompt import TokenCounter, build, default_template, load_template
from llm_service.rag.store import Passage

QUESTION = [{"role": "user", "content": "How does the endpoint scale to zero?"}]
PASSAGES = [Passage(f"docs/p{i}.md", i, 0.9 - i / 10, f"passage {i} " + "word " * 60) for i in range(5)]


def test_passages_fill_the_budget_best_first() -> None:
    counter = TokenCounter()
    everything = build(default_template(), QUESTION, PASSAGES, 10_000, counter)
    assert [p.chunk for p in everything.passages] == [0, 1, 2, 3, 4]
    system = everything.messages[0]["content"]
    assert "[1] docs/p0.md (chunk 0)\npassage 0" in system and "[5] docs/p4.md (chunk 4)" in system
    assert everything.messages[1:] == QUESTION
    two = build(default_template(), QUESTION, PASSAGES, everything.tokens - 2 * 110, counter)
    assert [p.chunk for p in two.passages] == [0, 1, 2], "the lowest-scoring passages are the ones left out"
    assert two.tokens <= everything.tokens - 2 * 110


def test_no_passage_fits_is_one_sentence() -> None:
    with pytest.raises(RagError, match=r"not even one passage fits.*--chunk-tokens"):
        build(default_template(), QUESTION, PASSAGES, 150, TokenCounter())
    with pytest.raises(RagError, match="the question and system prompt take about"):
        build(default_template(), QUESTION, PASSAGES, 20, TokenCounter())


def test_no_passage_found_says_so_in_the_prompt() -> None:
    prompt = build(default_template(), QUESTION, [], 1000, TokenCounter())
    assert prompt.passages == [] and "(no passage matched the question)" in prompt.messages[0]["content"]


def test_a_template_without_the_placeholder_is_refused(tmp_path: Path) -> None:
    template = tmp_path / "t.txt"
    template.write_text("Answer briefly.")
    with pytest.raises(RagError, match=r"has no \{passages\} placeholder"):
        load_template(template)


def test_the_estimate_is_conservative_and_the_llm_tokenizer_exact(embedder) -> None:  # type: ignore[no-untyped-def]
    text = "Scaling from zero takes minutes on SageMaker asynchronous endpoints. " * 10
    estimated = TokenCounter().count(text)
    exact = TokenCounter(embedder.model_dir / "tokenizer.json").count(text)
    assert exact == embedder.count_tokens([text])[0]
    assert estimated >= exact, "the estimate never undercounts English prose"


@pytest.mark.parametrize(
    ("image", "env", "limit"),
    [
        (
            "x/huggingface-pytorch-tgi-inference:3",
            {"MAX_INPUT_TOKENS": "4096", "MAX_TOTAL_TOKENS": "8192"},
            (4096, 8192),
        ),
        ("x/huggingface-pytorch-tgi-inference:3", {"MAX_INPUT_LENGTH": "1024"}, (1024, None)),
        ("x/djl-inference:0.33.0-lmi", {"OPTION_MAX_MODEL_LEN": "8192"}, (None, 8192)),
        (
            "x/djl-inference:0.33.0-tensorrtllm",
            {"OPTION_ROLLING_BATCH": "trtllm", "OPTION_MAX_INPUT_LEN": "2048", "OPTION_MAX_SEQ_LEN": "4096"},
            (2048, 4096),
        ),
        ("x/vllm:0.9", {"SM_VLLM_MAX_MODEL_LEN": "16384"}, (None, 16384)),
    ],
)
def test_limits_come_from_the_container_env(image: str, env: dict[str, str], limit: tuple[int | None, ...]) -> None:
    found = container_limits(image, env)
    assert (found.max_input_tokens, found.max_total_tokens) == limit


def test_the_budget_leaves_room_for_the_answer() -> None:
    assert ContextLimit(4096, 8192).prompt_budget(512) == 4096
    assert ContextLimit(4096, 4300).prompt_budget(512) == 3788
    assert ContextLimit(None, 8192).prompt_budget(1000) == 7192
    with pytest.raises(RagError, match="LLM_SERVICE_RAG_MAX_INPUT_TOKENS"):
        ContextLimit(None, None).prompt_budget(10)

"""The prompt: a system message from a template file with the numbered passages, then the conversation, trimmed to
the LLM's context.

Token counts use the LLM's tokenizer when a tokenizer.json is given (LLM_SERVICE_RAG_LLM_TOKENIZER /
`--llm-tokenizer`); otherwise a conservative estimate of one token per 3 characters (Llama 3, Mistral and Qwen BPE
tokenizers average about 4 characters per token on English prose; 3 leaves room for code and other languages), plus
8 tokens per message for the chat template's markers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import RagError
from .store import Passage

CHARS_PER_TOKEN = 3.0
MESSAGE_OVERHEAD_TOKENS = 8
PLACEHOLDER = "{passages}"


def default_template() -> str:
    return resources.files("llm_service.rag").joinpath("templates/answer.txt").read_text()


def load_template(path: Path | None) -> str:
    template = default_template() if path is None else path.read_text()
    if PLACEHOLDER not in template:
        raise RagError(f"the prompt template {path} has no {PLACEHOLDER} placeholder; add it where passages go.")
    return template


class TokenCounter:
    def __init__(self, tokenizer_file: Path | None = None) -> None:
        self._tokenizer = None
        if tokenizer_file is not None:
            from tokenizers import Tokenizer

            self._tokenizer = Tokenizer.from_file(str(tokenizer_file))
            self._tokenizer.no_truncation()  # a tokenizer.json may carry one; a count must see every token
        self.exact = self._tokenizer is not None

    def count(self, text: str) -> int:
        if self._tokenizer is not None:
            return len(self._tokenizer.encode(text, add_special_tokens=False).ids)
        return math.ceil(len(text) / CHARS_PER_TOKEN)

    def messages(self, messages: Sequence[dict[str, Any]]) -> int:
        return sum(self.count(str(m.get("content") or "")) + MESSAGE_OVERHEAD_TOKENS for m in messages)


def format_passage(number: int, passage: Passage) -> str:
    return f"[{number}] {passage.path} (chunk {passage.chunk})\n{passage.text.strip()}"


@dataclass(frozen=True)
class Prompt:
    messages: list[dict[str, Any]]
    passages: list[Passage]  # the ones that fit, in the order they are numbered
    tokens: int  # counted (or estimated) prompt tokens


def build(
    template: str,
    conversation: Sequence[dict[str, Any]],
    passages: Sequence[Passage],
    budget_tokens: int,
    counter: TokenCounter,
) -> Prompt:
    """Best passages first, as many as fit in `budget_tokens` with the conversation."""
    base = counter.messages(conversation) + counter.messages([{"content": template.replace(PLACEHOLDER, "")}])
    if base > budget_tokens:
        raise RagError(
            f"the question and system prompt take about {base} tokens, more than the {budget_tokens} the model's "
            "context leaves for the prompt; shorten the conversation or ask for fewer max_tokens.",
            code="context_length_exceeded",
        )
    used: list[Passage] = []
    blocks: list[str] = []
    tokens = base
    for passage in passages:
        block = format_passage(len(used) + 1, passage)
        cost = counter.count(block + "\n\n")
        if tokens + cost > budget_tokens:
            break
        used.append(passage)
        blocks.append(block)
        tokens += cost
    if passages and not used:
        raise RagError(
            f"not even one passage fits: the question takes about {base} of the {budget_tokens} prompt tokens the "
            f"model's context leaves and the best passage needs {counter.count(format_passage(1, passages[0]))}; ask "
            "for fewer max_tokens, shorten the conversation, or ingest with a smaller --chunk-tokens.",
            code="context_length_exceeded",
        )
    system = template.replace(PLACEHOLDER, "\n\n".join(blocks) if blocks else "(no passage matched the question)")
    return Prompt([{"role": "system", "content": system}, *conversation], used, tokens)

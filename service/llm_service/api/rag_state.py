"""The service's retrieval: built on first use (so the service starts without the `rag` extra), query embeddings
batched across concurrent requests, store calls on worker threads, the LLM's context limit read once per model."""

from __future__ import annotations

import asyncio
from typing import Any

import anyio

from ..client import AwsSettings, make_client
from ..rag import RagError
from ..rag.context import ContextLimit, endpoint_limits
from ..settings import ServiceSettings


class RagRuntime:
    def __init__(self, settings: ServiceSettings) -> None:
        self.settings = settings
        self._retriever: Any = None
        self._embedder: Any = None  # QueryBatcher or PooledEmbedder
        self._build_lock = asyncio.Lock()
        self._budgets: dict[str, ContextLimit] = {}  # model name → ContextLimit
        self._template: str | None = None
        self._counter: Any = None
        # The embedded store is one process's files: one call at a time. A server takes several.
        self._store_limiter = anyio.CapacityLimiter(8 if settings.rag_qdrant_url else 1)

    def _aws(self) -> AwsSettings:
        s = self.settings
        return AwsSettings(
            region=s.region, endpoint_url=s.aws_endpoint_url, control_endpoint_url=s.aws_control_endpoint_url
        )

    def _build(self) -> None:
        from ..rag import factory, prompt
        from ..rag.batching import PooledEmbedder, QueryBatcher
        from ..rag.retrieval import Retriever

        s = self.settings
        location = factory.store_location(s.rag_store_path, s.rag_qdrant_url, s.qdrant_api_key())
        embedder = factory.make_embedder(
            s.rag_embedding_endpoint, s.rag_embedding_inference_component, s.rag_embedding_model_dir, self._aws()
        )
        self._template = prompt.load_template(s.rag_prompt_template)
        self._counter = prompt.TokenCounter(s.rag_llm_tokenizer)
        self._retriever = Retriever(embedder, factory.open_store(location))
        self._embedder = QueryBatcher(embedder.embed) if s.rag_query_batching else PooledEmbedder(embedder.embed)

    async def _ready(self) -> Any:
        if self._retriever is None:
            async with self._build_lock:
                if self._retriever is None:
                    await anyio.to_thread.run_sync(self._build)
        return self._retriever

    async def passages(self, collection: str, question: str, top_k: int, score_threshold: float | None) -> list[Any]:
        retriever = await self._ready()
        vector = await self._embedder.embed(question)
        return await anyio.to_thread.run_sync(
            retriever.search_vector, collection, vector, top_k, score_threshold, limiter=self._store_limiter
        )

    async def prompt_budget(self, model: str, max_new_tokens: int) -> int:
        limit = self._budgets.get(model)
        if self.settings.rag_max_input_tokens:
            limit = ContextLimit(self.settings.rag_max_input_tokens, None)
        elif limit is None:
            target = self.settings.served_models.get(model)
            if target is None:
                raise RagError(
                    "the prompt budget cannot be read from an HTTP upstream; set LLM_SERVICE_RAG_MAX_INPUT_TOKENS "
                    "to the container's max input tokens.",
                    status=500,
                )
            control = make_client("sagemaker", self._aws(), self.settings.aws_control_endpoint_url)
            limit = await anyio.to_thread.run_sync(
                endpoint_limits, control, target.endpoint_name, target.inference_component
            )
            self._budgets[model] = limit
        budget = int(limit.prompt_budget(max_new_tokens))
        if budget <= 0:
            raise RagError(
                f"max_tokens {max_new_tokens} leaves no room for a prompt in the model's context; ask for fewer.",
                code="context_length_exceeded",
            )
        return budget

    def build_prompt(self, conversation: list[dict[str, Any]], passages: list[Any], budget: int) -> Any:
        from ..rag import prompt

        assert self._template is not None
        return prompt.build(self._template, conversation, passages, budget, self._counter)

    def close(self) -> None:
        if self._retriever is not None:
            self._retriever.store.close()

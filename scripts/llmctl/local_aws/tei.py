"""The emulated Text Embeddings Inference container: TEI's /embed contract (its SageMaker /invocations route) with
the bundled all-MiniLM-L6-v2 computing real vectors, so retrieval through a SageMaker embedding endpoint runs end to
end locally. Limits and errors as TEI's router answers them (router/src/http/server.rs, core/src/tokenization.rs):
more inputs than MAX_CLIENT_BATCH_SIZE → 413, an empty input → 400, an input over the model's limit with
truncate=false → 413, a body that is not an embed request → 422; errors are {"error", "error_type"}."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

MAX_INPUT_TOKENS = 512  # all-MiniLM-L6-v2's max_position_embeddings: TEI's limit for it


class TeiEmulator:
    def __init__(self, env: Mapping[str, str]) -> None:
        self.max_client_batch_size = int(env.get("MAX_CLIENT_BATCH_SIZE") or 32)
        self.auto_truncate = (env.get("AUTO_TRUNCATE") or "true").lower() != "false"
        self._embedder: Any = None
        self._lock = asyncio.Lock()

    async def _model(self) -> Any:
        async with self._lock:
            if self._embedder is None:
                from llm_service.rag.embeddings import LocalEmbedder

                self._embedder = await asyncio.to_thread(LocalEmbedder)
        return self._embedder

    @staticmethod
    def _error(status: int, message: str, error_type: str) -> tuple[int, dict[str, Any]]:
        return status, {"error": message, "error_type": error_type}

    async def embed(self, body: Any) -> tuple[int, Any]:
        inputs = body.get("inputs") if isinstance(body, dict) else None
        texts = [inputs] if isinstance(inputs, str) else inputs
        if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
            return self._error(422, "Failed to deserialize the JSON body into the target type: inputs", "Validation")
        if not texts:
            return self._error(400, "`inputs` cannot be empty", "Empty")
        if len(texts) > self.max_client_batch_size:
            message = f"batch size {len(texts)} > maximum allowed batch size {self.max_client_batch_size}"
            return self._error(413, message, "Validation")
        model = await self._model()
        truncate = body.get("truncate")
        if not (self.auto_truncate if truncate is None else bool(truncate)):
            for count in model.count_tokens(texts):
                if count + 2 > MAX_INPUT_TOKENS:
                    message = f"`inputs` must have less than {MAX_INPUT_TOKENS} tokens. Given: {count + 2}"
                    return self._error(413, message, "Validation")
        vectors = await asyncio.to_thread(model.embed, texts)
        return 200, vectors.tolist()

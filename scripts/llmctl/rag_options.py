"""Options `llmctl ingest` and `llmctl ask` share: where the collection lives and what embeds text. Both build
their objects through llm_service.rag.factory, as the service does, so a collection ingested here is the one the
service searches."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import click
from llm_service.client import AwsSettings
from llm_service.rag import RagError
from llm_service.rag.embeddings import Embedder
from llm_service.rag.store import VectorStore

from .errors import LlmctlError


@dataclass(frozen=True)
class RagOptions:
    collection: str
    store: Path
    qdrant_url: str | None
    qdrant_api_key_file: Path | None
    embedding_endpoint: str | None
    embedding_inference_component: str | None
    embedding_model_dir: Path | None

    def open_store(self) -> VectorStore:
        return open_store(self.store, self.qdrant_url, self.qdrant_api_key_file)

    def embedder(self, aws: AwsSettings | None) -> Embedder:
        return make_embedder(self.embedding_endpoint, self.embedding_inference_component, self.embedding_model_dir, aws)


def rag_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The options below, handed to the command as one `rag: RagOptions` argument."""

    @functools.wraps(func)
    def command(*args: Any, **kwargs: Any) -> Any:
        names = [f.name for f in fields(RagOptions)]
        rag = RagOptions(**{name: kwargs.pop(name) for name in names})
        return func(*args, rag=rag, **kwargs)

    options = [
        click.option("--collection", "-c", required=True, help="Qdrant collection name."),
        click.option(
            "--store",
            type=click.Path(file_okay=False, path_type=Path),
            envvar="LLM_SERVICE_RAG_STORE_PATH",
            default=Path(".rag"),
            show_default=True,
            help="Directory of the embedded Qdrant store (the service's LLM_SERVICE_RAG_STORE_PATH).",
        ),
        click.option(
            "--qdrant-url",
            envvar="LLM_SERVICE_RAG_QDRANT_URL",
            help="A Qdrant server instead of the embedded store.",
        ),
        click.option(
            "--qdrant-api-key-file",
            type=click.Path(dir_okay=False, exists=True, path_type=Path),
            envvar="LLM_SERVICE_RAG_QDRANT_API_KEY_FILE",
            help="File holding the Qdrant server's API key.",
        ),
        click.option(
            "--embedding-endpoint",
            envvar="LLM_SERVICE_RAG_EMBEDDING_ENDPOINT",
            help="Embed with this SageMaker TEI endpoint instead of the bundled model "
            "(`llmctl render all-minilm-l6-v2 --backend tei`).",
        ),
        click.option(
            "--embedding-inference-component",
            envvar="LLM_SERVICE_RAG_EMBEDDING_INFERENCE_COMPONENT",
            help="The TEI endpoint's inference component, when it is one.",
        ),
        click.option(
            "--embedding-model-dir",
            type=click.Path(file_okay=False, exists=True, path_type=Path),
            envvar="LLM_SERVICE_RAG_EMBEDDING_MODEL_DIR",
            help="A sentence-transformers model directory (tokenizer, and weights when local). Default: the bundled "
            "all-MiniLM-L6-v2.",
        ),
    ]
    wrapped: Callable[..., Any] = command
    for option in reversed(options):
        wrapped = option(wrapped)
    return wrapped


def open_store(store: Path, qdrant_url: str | None, api_key_file: Path | None) -> VectorStore:
    from llm_service.rag import factory

    api_key = api_key_file.read_text().strip() if api_key_file else None
    try:
        return factory.open_store(factory.store_location(store, qdrant_url, api_key))
    except RagError as exc:
        raise LlmctlError(exc.message) from None


def make_embedder(
    endpoint: str | None, component: str | None, model_dir: Path | None, aws: AwsSettings | None
) -> Embedder:
    from llm_service.rag import factory

    try:
        return factory.make_embedder(endpoint, component, model_dir, aws)
    except RagError as exc:
        raise LlmctlError(exc.message) from None

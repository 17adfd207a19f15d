"""Building the store and the embedder from options (llmctl) or settings (the service): one place for both."""

from __future__ import annotations

from pathlib import Path

from .embeddings import Embedder, EndpointEmbedder, LocalEmbedder
from .store import StoreLocation, VectorStore

DEFAULT_STORE_DIR = Path(".rag")


def store_location(path: Path | None, url: str | None, api_key: str | None) -> StoreLocation:
    if url:
        return StoreLocation(url=url, api_key=api_key)
    return StoreLocation(path=path or DEFAULT_STORE_DIR)


def open_store(location: StoreLocation) -> VectorStore:
    return VectorStore(location)


def make_embedder(
    endpoint: str | None,
    inference_component: str | None,
    model_dir: Path | None,
    aws: object | None = None,
) -> Embedder:
    """The local model, or the TEI endpoint when one is named (`aws`: the client library's AwsSettings)."""
    if not endpoint:
        return LocalEmbedder(model_dir)
    from ..client import AwsSettings, InferenceClient, Target

    settings = aws if isinstance(aws, AwsSettings) else AwsSettings()
    client = InferenceClient(Target(endpoint, inference_component), settings=settings, deadline_s=30.0)
    return EndpointEmbedder(client, model_dir)

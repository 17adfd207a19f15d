"""Service settings (environment variables prefixed LLM_SERVICE_, or a .env file)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from fastapi import Request
from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ModelTarget(BaseModel, extra="forbid"):
    """Where one served model name goes: an endpoint, or an inference component on a shared endpoint."""

    endpoint_name: str = Field(min_length=1)
    inference_component: str | None = None
    # A LoRA adapter of that deployment: the id its container knows (`llmctl render --json`'s lora_adapters). Chat
    # requests for this name carry it as `model`; TGI requests as `parameters.adapter_id`.
    adapter: str | None = Field(None, min_length=1)


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LLM_SERVICE_", env_file=".env", extra="ignore")

    upstream: Literal["sagemaker", "http"] = "sagemaker"
    # SageMaker upstream
    endpoint_name: str | None = None
    inference_component: str | None = None
    region: str | None = None
    aws_endpoint_url: str | None = None  # the SageMaker runtime (InvokeEndpoint*)
    aws_control_endpoint_url: str | None = None  # the SageMaker API (DescribeEndpoint for /ready)
    aws_max_connections: int = Field(256, ge=1, le=4096, description="connection pool size to the SageMaker runtime")
    # HTTP upstream (a TGI / OpenAI-protocol container)
    upstream_url: str | None = None
    upstream_timeout_s: float = 70.0
    # What /v1/models reports
    model_name: str | None = None  # default: the endpoint name (or "upstream" for the http upstream)
    # Several deployments behind one service (SageMaker upstream): JSON {"name": {"endpoint_name": …,
    # "inference_component": …, "adapter": …}}. The first is the default for requests that name no model (and the TGI
    # routes).
    models: dict[str, ModelTarget] = Field(default_factory=dict)
    # Auth: keys from a file (one per line) or a comma-separated env value. Off only when said explicitly.
    api_keys_file: Path | None = None
    api_keys: SecretStr | None = None
    auth_disabled: bool = False
    # Limits
    max_body_bytes: int = Field(1_048_576, ge=1024)
    max_tokens_cap: int = Field(4096, ge=1)
    default_max_tokens: int = Field(512, ge=1)
    per_key_concurrency: int = Field(32, ge=1)
    # Generations in flight on the whole host, every worker counted (None: no host-wide cap); beyond it, 503.
    max_concurrency: int | None = Field(None, ge=1)
    # Slow clients: a body must arrive within this; a worker answers at most this many requests at once.
    body_timeout_s: float = Field(10.0, gt=0)
    max_inflight_per_worker: int = Field(2048, ge=1)
    # SIGTERM: streams in flight get this long to finish, then end with an SSE error event.
    drain_grace_s: float = Field(25.0, ge=0)
    # Set by `python -m llm_service --workers N` for its workers: the shared limits' file lives here.
    shared_state_dir: Path | None = None
    ready_cache_s: float = Field(5.0, ge=0)
    # CORS stays off unless origins are listed
    cors_origins: list[str] = Field(default_factory=list)
    log_prompts: bool = False
    # Retrieval (POST /v1/rag/chat/completions; docs/rag.md). The embedded Qdrant store in a directory by default, a
    # Qdrant server when a URL is set (its API key from a file, never a plain env value).
    rag_store_path: Path = Path(".rag")
    rag_qdrant_url: str | None = None
    rag_qdrant_api_key_file: Path | None = None
    # Query embeddings: the bundled all-MiniLM-L6-v2 in this process, or a TEI endpoint (and component) by name.
    rag_embedding_endpoint: str | None = None
    rag_embedding_inference_component: str | None = None
    rag_embedding_model_dir: Path | None = None  # tokenizer (and local weights); default: the bundled model
    rag_top_k: int = Field(4, ge=1, le=50)
    rag_score_threshold: float | None = Field(None, ge=-1, le=1)
    rag_prompt_template: Path | None = None  # a file with a {passages} placeholder; default: rag/templates/answer.txt
    rag_llm_tokenizer: Path | None = None  # the LLM's tokenizer.json for exact prompt counts (default: an estimate)
    # The prompt budget; default: read from the endpoint's container env (MAX_INPUT_TOKENS and the like).
    rag_max_input_tokens: int | None = Field(None, ge=64)
    rag_query_batching: bool = True  # batch concurrent query embeddings (measured: docs/performance.md)

    @model_validator(mode="after")
    def _check(self) -> ServiceSettings:
        if self.upstream == "sagemaker" and not self.endpoint_name and not self.models:
            raise ValueError(
                "LLM_SERVICE_ENDPOINT_NAME (or LLM_SERVICE_MODELS) is required when LLM_SERVICE_UPSTREAM=sagemaker"
            )
        if self.models and self.upstream != "sagemaker":
            raise ValueError("LLM_SERVICE_MODELS maps names to SageMaker endpoints; use it with the sagemaker upstream")
        if self.models and (self.endpoint_name or self.model_name):
            raise ValueError(
                "set either LLM_SERVICE_MODELS or LLM_SERVICE_ENDPOINT_NAME/LLM_SERVICE_MODEL_NAME, not both"
            )
        if self.upstream == "http" and not self.upstream_url:
            raise ValueError("LLM_SERVICE_UPSTREAM_URL is required when LLM_SERVICE_UPSTREAM=http")
        if not self.auth_disabled and self.api_keys is None and self.api_keys_file is None:
            raise ValueError(
                "no API keys configured: set LLM_SERVICE_API_KEYS_FILE (or LLM_SERVICE_API_KEYS), "
                "or LLM_SERVICE_AUTH_DISABLED=true to run without auth"
            )
        if self.rag_qdrant_api_key_file is not None and not self.rag_qdrant_url:
            raise ValueError(
                "LLM_SERVICE_RAG_QDRANT_API_KEY_FILE is for a Qdrant server: set LLM_SERVICE_RAG_QDRANT_URL"
            )
        if self.default_max_tokens > self.max_tokens_cap:
            raise ValueError("LLM_SERVICE_DEFAULT_MAX_TOKENS must not exceed LLM_SERVICE_MAX_TOKENS_CAP")
        return self

    @property
    def served_models(self) -> dict[str, ModelTarget | None]:
        """Model name → SageMaker target (None for the http upstream), default first. Requests naming another model
        get 404 model_not_found."""
        if self.models:
            return dict(self.models)
        name = self.model_name or self.endpoint_name or "upstream"
        if self.upstream == "http" or self.endpoint_name is None:
            return {name: None}
        return {name: ModelTarget(endpoint_name=self.endpoint_name, inference_component=self.inference_component)}

    @property
    def served_model(self) -> str:
        """The default model name: for requests that name none, and for the TGI routes."""
        return next(iter(self.served_models))

    def qdrant_api_key(self) -> str | None:
        if self.rag_qdrant_api_key_file is None:
            return None
        return self.rag_qdrant_api_key_file.read_text().strip() or None

    def load_api_keys(self) -> list[str]:
        keys: list[str] = []
        if self.api_keys is not None:
            keys += [k.strip() for k in self.api_keys.get_secret_value().split(",") if k.strip()]
        if self.api_keys_file is not None:
            lines = self.api_keys_file.read_text().splitlines()
            keys += [line.strip() for line in lines if line.strip() and not line.startswith("#")]
        return keys


@lru_cache
def load_settings() -> ServiceSettings:
    """Settings from the environment, read once."""
    return ServiceSettings()


async def get_settings(request: Request) -> ServiceSettings:
    """The FastAPI dependency (async: no thread hop); tests override it with app.dependency_overrides."""
    settings: ServiceSettings = request.app.state.settings
    return settings

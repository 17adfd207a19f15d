"""LoRA adapters served beside the base model: where each one comes from, the id its container knows it by, the GPU
memory the adapters take, and the limits each container enforces.

Sources: a Hugging Face Hub repo id (the container downloads it) or an S3 prefix under the model's own S3 prefix
(mounted with it under /opt/ml/model). hashicorp/aws 5.x has no `additional_model_data_sources` on
`aws_sagemaker_model`, so an adapter cannot be a second S3 source of its own.

Per container (sources in docs/render.md, "LoRA adapters"):
- TGI: `LORA_ADAPTERS=id[=path][,…]` (launcher `--lora-adapters`; `server/.../utils/adapter.py` parses it). An S3
  adapter is `name=/opt/ml/model/<sub>`; a Hub adapter's id is its repo id (TGI cannot rename it). A request picks one
  with `parameters.adapter_id` or the chat `model` field; an unknown id silently serves the base model
  (`ADAPTER_TO_INDEX.get(adapter_id, 0)` in flash_causal_lm.py), so the service refuses unknown names itself.
- vLLM (SM_VLLM_* entrypoint): `--enable-lora`, `--lora-modules name=path`, `--max-lora-rank` in
  VLLM_MAX_LORA_RANKS. The entrypoint passes each variable's value as one argument, so one `name=path` per
  `SM_VLLM_LORA_MODULES`: one adapter. A request picks it with the chat `model` field; an unknown name is a 404.
- LMI (vLLM rolling batch): `OPTION_ENABLE_LORA`, `OPTION_MAX_LORA_RANK`, `OPTION_MAX_LORAS` (default 4 per batch);
  it loads every adapter in the model directory's `adapters/<name>/` at startup (djl-serving docs/adapters.md,
  "Adapters local directory"), so each must be uploaded to `<model prefix>adapters/<name>/`. A request picks one with
  a top-level `adapters` field; an unknown one is an error ("LoRA adapter … not found in registry",
  lmi_vllm/vllm_async_service.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import LlmctlError
from .models import ModelArch

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
MODEL_DIR = "/opt/ml/model"
DEFAULT_RANK = 16  # vLLM's default --max-lora-rank; PEFT's default r is 8
VLLM_MAX_LORA_RANKS = (8, 16, 32, 64, 128, 256, 320, 512)  # vllm/config LoRAConfig: possible_max_ranks
LORA_BACKENDS = {"tgi": None, "vllm": 1, "lmi": None}  # backend → most adapters it can be given (None: no limit)
LMI_DEFAULT_MAX_LORAS = 4
BYTES_PER_PARAM = 2  # adapters load in the model's 16-bit dtype


@dataclass(frozen=True)
class Adapter:
    name: str  # what callers use: llmctl invoke --adapter, the service's model name
    source: str  # Hub repo id or s3:// prefix
    container_id: str  # what the container knows it by (TGI adapter_id / vLLM model)
    path: str | None  # local path in the container (S3 adapters), None for a Hub download

    @property
    def from_hub(self) -> bool:
        return self.path is None


def parse(specs: tuple[str, ...], model_s3_uri: str | None, backend: str) -> tuple[Adapter, ...]:
    """`NAME=SOURCE` specs → adapters, each checked; one sentence per problem."""
    if not specs:
        return ()
    if backend not in LORA_BACKENDS:
        raise LlmctlError(f"--lora-adapter is rendered for {', '.join(LORA_BACKENDS)}; not for the {backend} backend.")
    limit = LORA_BACKENDS[backend]
    if limit is not None and len(specs) > limit:
        raise LlmctlError(
            f"{len(specs)} --lora-adapter given, but the vLLM container takes one: its entrypoint passes "
            "SM_VLLM_LORA_MODULES as a single argument (one name=path); use --backend tgi for several adapters."
        )
    adapters: list[Adapter] = []
    for spec in specs:
        name, sep, source = spec.partition("=")
        if not sep or not source:
            raise LlmctlError(
                f"--lora-adapter {spec!r} is not NAME=SOURCE; e.g. --lora-adapter twin=s3://b/m/adapters/twin/."
            )
        if not NAME.match(name):
            raise LlmctlError(
                f"--lora-adapter name {name!r} must be 1-64 letters, digits, '.', '_' or '-', starting with a letter "
                "or digit (callers send it as the model name)."
            )
        if any(a.name == name for a in adapters):
            raise LlmctlError(f"--lora-adapter {name} is given twice; give each adapter one name.")
        adapters.append(_adapter(name, source, model_s3_uri, backend))
    return tuple(adapters)


def _adapter(name: str, source: str, model_s3_uri: str | None, backend: str) -> Adapter:
    if source.startswith("s3://"):
        prefix = source if source.endswith("/") else source + "/"
        if model_s3_uri is None or not prefix.startswith(model_s3_uri) or prefix == model_s3_uri:
            where = f"under {model_s3_uri}adapters/{name}/" if model_s3_uri else "with --model-s3-uri, under it"
            raise LlmctlError(
                f"--lora-adapter {name}={source}: an S3 adapter must sit under the model's S3 prefix ({where}), "
                "because the model mounts that one prefix at /opt/ml/model (the AWS provider has no additional "
                "model data sources); upload it there, or give a Hub repo id."
            )
        path = f"{MODEL_DIR}/{prefix[len(model_s3_uri) :].rstrip('/')}"
        if backend == "lmi" and prefix != f"{model_s3_uri}adapters/{name}/":
            raise LlmctlError(
                f"--lora-adapter {name}={source}: LMI loads the adapters in its model directory's adapters/<name>/ "
                f"folder, so this one must be at {model_s3_uri}adapters/{name}/; upload it there."
            )
        return Adapter(name, prefix, name, path)
    if HUB_ID.match(source) and backend == "lmi":
        raise LlmctlError(
            f"--lora-adapter {name}={source}: LMI loads adapters only from its model directory; download the adapter "
            f"and upload it to <--model-s3-uri>adapters/{name}/."
        )
    if HUB_ID.match(source):
        # TGI knows a downloaded adapter by its repo id; vLLM takes any name for it.
        return Adapter(name, source, source if backend == "tgi" else name, None)
    raise LlmctlError(
        f"--lora-adapter {name}={source}: the source must be a Hugging Face repo id (org/adapter) or an s3:// prefix."
    )


def check_rank(rank: int, backend: str) -> None:
    if rank < 1:
        raise LlmctlError(
            f"--lora-rank {rank} must be at least 1 (the largest r of the adapters' adapter_config.json)."
        )
    if backend in ("vllm", "lmi") and rank not in VLLM_MAX_LORA_RANKS:
        allowed = ", ".join(map(str, VLLM_MAX_LORA_RANKS))
        raise LlmctlError(f"--lora-rank {rank} is not a vLLM --max-lora-rank; use one of {allowed} (at least r).")


def bytes_per_adapter(arch: ModelArch, rank: int) -> int:
    """A and B matrices of rank `rank` on every attention and MLP projection of every layer (PEFT's
    target_modules="all-linear", the largest an adapter gets), in 16 bits."""
    hidden, heads_dim, kv_dim = (
        arch.hidden_size,
        arch.num_attention_heads * arch.head_dim,
        arch.num_kv_heads * arch.head_dim,
    )
    attention = (hidden + heads_dim) + 2 * (hidden + kv_dim) + (heads_dim + hidden)
    mlp = (3 if arch.gated_mlp else 2) * (hidden + arch.intermediate_size)
    return arch.num_layers * rank * (attention + mlp) * BYTES_PER_PARAM

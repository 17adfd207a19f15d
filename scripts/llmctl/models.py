"""Model architecture facts (from a Hugging Face config.json) and the parameter count derived from them.

The bundled catalog under catalog/models/ holds the config.json facts for common Hub models so that
`llmctl render` works offline; `--model-config` reads any config.json; a Hub id not in the catalog is
fetched with huggingface_hub when the network allows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from . import config_schema
from .errors import LlmctlError

# Families whose q/k/v projections carry a bias even though config.json has no attention_bias key.
_QKV_BIAS_MODEL_TYPES = {"qwen2", "qwen2_moe"}
# Families whose MLP is a plain two-matrix MLP rather than gated (gate/up/down).
_UNGATED_MLP_MODEL_TYPES = {"gpt2", "gpt_neox", "falcon", "starcoder2", "phi"}
# Quantization methods a pre-quantized checkpoint may declare in config.json's quantization_config.
PREQUANTIZED_METHODS = {"awq", "gptq", "compressed-tensors", "fp8", "exl2", "marlin", "bitsandbytes"}


@dataclass(frozen=True)
class ModelArch:
    """What sizing needs to know about a decoder-only transformer."""

    name: str
    model_type: str
    hidden_size: int
    intermediate_size: int
    num_layers: int
    num_attention_heads: int
    num_kv_heads: int
    head_dim: int
    vocab_size: int
    max_context: int
    tie_word_embeddings: bool
    qkv_bias: bool
    o_bias: bool
    mlp_bias: bool
    gated_mlp: bool
    num_experts: int
    experts_per_token: int
    torch_dtype: str
    prequantized: str | None  # quant_method of a pre-quantized checkpoint, e.g. "awq"
    prequantized_bits: int | None
    sliding_window: int | None = None  # config.json's value, as TGI reads it (even with use_sliding_window false)
    rope_type: str | None = None  # rope_scaling's rope_type (or legacy type), e.g. "llama3" for Llama 3.1
    architecture: str | None = None  # config.json's architectures[0], e.g. "MistralForCausalLM"

    @property
    def is_moe(self) -> bool:
        return self.num_experts > 1

    def embedding_params(self) -> int:
        """Input embedding plus the LM head (once when tied)."""
        table = self.vocab_size * self.hidden_size
        return table if self.tie_word_embeddings else 2 * table

    def attention_params_per_layer(self) -> int:
        q_out = self.num_attention_heads * self.head_dim
        kv_out = self.num_kv_heads * self.head_dim
        weights = self.hidden_size * (q_out + 2 * kv_out) + q_out * self.hidden_size
        biases = (q_out + 2 * kv_out if self.qkv_bias else 0) + (self.hidden_size if self.o_bias else 0)
        return weights + biases

    def mlp_params_per_expert(self) -> int:
        matrices = 3 if self.gated_mlp else 2
        weights = matrices * self.hidden_size * self.intermediate_size
        biases = (matrices - 1) * self.intermediate_size + self.hidden_size if self.mlp_bias else 0
        return weights + biases

    def mlp_params_per_layer(self) -> int:
        experts = max(1, self.num_experts)
        router = self.hidden_size * self.num_experts if self.is_moe else 0
        return experts * self.mlp_params_per_expert() + router

    def norm_params_per_layer(self) -> int:
        # Gemma-2 has four norms per layer (pre/post attention and MLP); most families have two.
        return (4 if self.model_type == "gemma2" else 2) * self.hidden_size

    def linear_params(self) -> int:
        """Parameters in the transformer blocks' linear layers: the part weight quantization shrinks."""
        return self.num_layers * (self.attention_params_per_layer() + self.mlp_params_per_layer())

    def parameter_count(self) -> int:
        per_layer_extra = self.norm_params_per_layer()
        return self.embedding_params() + self.linear_params() + self.num_layers * per_layer_extra + self.hidden_size


def _first(cfg: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        if cfg.get(key) is not None:
            return cfg[key]
    return None


def arch_from_config(cfg: dict[str, Any], name: str) -> ModelArch:
    """Build a ModelArch from config.json contents; raises LlmctlError naming a missing or malformed field."""
    parsed = config_schema.validate(cfg, f"config.json for {name}")
    top = parsed.model_dump(exclude_none=True)
    text_cfg = top.get("text_config") or top  # multimodal wrappers keep the LM under text_config
    model_type = str(text_cfg.get("model_type") or top.get("model_type") or "unknown")

    def need(*keys: str) -> int:
        value = _first(text_cfg, *keys)
        if value is None:
            raise LlmctlError(
                f"config.json for {name} has no {keys[0]}; pass a complete Hugging Face config.json "
                "with --model-config."
            )
        return int(value)

    hidden = need("hidden_size", "n_embd", "d_model")
    heads = need("num_attention_heads", "n_head")
    kv_heads = int(_first(text_cfg, "num_key_value_heads", "num_kv_heads") or heads)
    if hidden % heads and _first(text_cfg, "head_dim") is None:
        raise LlmctlError(
            f"config.json for {name}: hidden_size {hidden} is not a multiple of num_attention_heads {heads} "
            "and there is no head_dim; fix config.json."
        )
    if heads % kv_heads:
        raise LlmctlError(
            f"config.json for {name}: num_attention_heads {heads} is not a multiple of num_key_value_heads "
            f"{kv_heads}; fix config.json."
        )
    head_dim = int(_first(text_cfg, "head_dim") or hidden // heads)
    experts = int(_first(text_cfg, "num_local_experts", "num_experts", "n_routed_experts") or 0)
    qcfg = top.get("quantization_config") or {}
    quant_method = qcfg.get("quant_method")
    attention_bias = bool(text_cfg.get("attention_bias", False))
    return ModelArch(
        name=name,
        model_type=model_type,
        hidden_size=hidden,
        intermediate_size=need("intermediate_size", "ffn_dim", "n_inner"),
        num_layers=need("num_hidden_layers", "n_layer", "num_layers"),
        num_attention_heads=heads,
        num_kv_heads=kv_heads,
        head_dim=head_dim,
        vocab_size=need("vocab_size"),
        max_context=need("max_position_embeddings", "n_positions", "max_sequence_length"),
        tie_word_embeddings=bool(top.get("tie_word_embeddings", text_cfg.get("tie_word_embeddings", False))),
        qkv_bias=attention_bias or model_type in _QKV_BIAS_MODEL_TYPES,
        o_bias=attention_bias,
        mlp_bias=bool(text_cfg.get("mlp_bias", False)),
        gated_mlp=model_type not in _UNGATED_MLP_MODEL_TYPES,
        num_experts=experts,
        experts_per_token=int(_first(text_cfg, "num_experts_per_tok", "moe_topk") or (2 if experts else 0)),
        torch_dtype=str(top.get("torch_dtype") or top.get("dtype") or "bfloat16"),
        prequantized=str(quant_method) if quant_method else None,
        prequantized_bits=int(qcfg["bits"]) if qcfg.get("bits") else None,
        sliding_window=text_cfg.get("sliding_window"),
        rope_type=_rope_type(text_cfg.get("rope_scaling")),
        architecture=next(iter(top.get("architectures") or []), None),
    )


def _rope_type(rope_scaling: Any) -> str | None:
    if not isinstance(rope_scaling, dict):
        return None
    value = rope_scaling.get("rope_type") or rope_scaling.get("type")
    return str(value) if value else None


@cache
def catalog() -> dict[str, dict[str, Any]]:
    """Hub id (lower-case) → config facts, from the bundled catalog."""
    entries: dict[str, dict[str, Any]] = {}
    folder = resources.files("llmctl") / "catalog" / "models"
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if not item.name.endswith(".json"):
            continue
        data = json.loads(item.read_text())
        for hub_id in data["hub_ids"]:
            entries[hub_id.lower()] = {"hub_id": hub_id, "config": data["config"], "gated": data.get("gated", False)}
    return entries


def catalog_ids() -> list[str]:
    return sorted(entry["hub_id"] for entry in catalog().values())


def is_gated(model_id: str) -> bool:
    """Whether the Hub gates this catalog model behind a licence acceptance (a token is needed to download it)."""
    entry = catalog().get(model_id.lower())
    return bool(entry and entry["gated"])


def catalog_suggestions(model_id: str) -> str:
    """'Did you mean' with the catalog's own spelling of the ids (Hub ids are case-sensitive in URLs)."""
    import difflib

    found = difflib.get_close_matches(model_id.lower(), list(catalog()), n=3, cutoff=0.6)
    return f" Did you mean {', '.join(catalog()[key]['hub_id'] for key in found)}?" if found else ""


HUB_PROBE_TIMEOUT_S = 3.0


def _hub_unreachable() -> str | None:
    """Why the Hub cannot be asked (offline mode, or no TCP connection within a few seconds), or None.

    huggingface_hub itself retries for ~20 s before giving up on an unreachable network; asking first keeps an
    unknown model's error to a few seconds."""
    import os

    from .net import unreachable

    if os.environ.get("HF_HUB_OFFLINE", "").lower() in {"1", "true", "yes", "on"}:
        return "HF_HUB_OFFLINE is set"
    hub = os.environ.get("HF_ENDPOINT") or "https://huggingface.co"
    return unreachable(hub, HUB_PROBE_TIMEOUT_S, default_host="huggingface.co")


def load_config_file(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise LlmctlError(f"--model-config {path} does not exist; pass the path of a config.json.") from None
    except IsADirectoryError:
        raise LlmctlError(f"--model-config {path} is a directory; pass the config.json file inside it.") from None
    except PermissionError:
        raise LlmctlError(f"--model-config {path} cannot be read (permission denied).") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise LlmctlError(f"--model-config {path} is not valid JSON ({exc}); pass a config.json.") from None
    if not isinstance(data, dict):
        raise LlmctlError(f"--model-config {path} is not a JSON object; pass a Hugging Face config.json.")
    return data


def _download_config(model_id: str, revision: str | None) -> dict[str, Any]:
    try:
        from huggingface_hub import hf_hub_download
    except ImportError:  # pragma: no cover - the hub extra is installed by the Makefile
        raise LlmctlError(
            f"{model_id} is not in the bundled catalog and huggingface_hub is not installed; "
            "pass --model-config PATH or install sagemaker-llm-stack[hub]."
        ) from None
    import logging

    unreachable = _hub_unreachable()
    if unreachable is not None:
        raise LlmctlError(
            f"{model_id} is not in the bundled catalog and the Hugging Face Hub cannot be asked for its config.json "
            f"({unreachable}); pass --model-config PATH, or pick a catalog model (`llmctl models`)."
            f"{catalog_suggestions(model_id)}"
        )
    logging.getLogger("huggingface_hub").setLevel(logging.ERROR)  # its retry chatter is not our message
    from rich.console import Console

    try:
        with Console(stderr=True).status(f"fetching {model_id}'s config.json from the Hugging Face Hub"):
            path = hf_hub_download(model_id, "config.json", revision=revision)
    except Exception as exc:
        raise LlmctlError(
            f"{model_id} is not in the bundled catalog and its config.json could not be downloaded "
            f"({type(exc).__name__}); pass --model-config PATH (`llmctl models` lists the catalog)."
            f"{catalog_suggestions(model_id)}"
        ) from None
    return load_config_file(Path(path))


def resolve_model(model_id: str, model_config: Path | None, revision: str | None = None) -> ModelArch:
    """Architecture for a Hub id: --model-config first, then the catalog, then the Hub."""
    if model_config is not None:
        return arch_from_config(load_config_file(model_config), model_id)
    entry = catalog().get(model_id.lower())
    if entry is not None:
        return arch_from_config(entry["config"], entry["hub_id"])
    return arch_from_config(_download_config(model_id, revision), model_id)

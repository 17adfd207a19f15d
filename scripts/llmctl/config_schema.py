"""The config.json fields sizing reads, validated at the boundary (pydantic): a malformed file is one clear sentence
naming the field, never a traceback deep inside the sizing code. Unknown fields are kept and ignored."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr, ValidationError

from .errors import LlmctlError

Positive = Annotated[StrictInt, Field(gt=0)]
NonNegative = Annotated[StrictInt, Field(ge=0)]


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="allow", protected_namespaces=())


class QuantizationConfig(_Lenient):
    quant_method: StrictStr | None = None
    bits: Positive | None = None


class TextConfig(_Lenient):
    model_type: StrictStr | None = None
    hidden_size: Positive | None = None
    n_embd: Positive | None = None
    d_model: Positive | None = None
    num_attention_heads: Positive | None = None
    n_head: Positive | None = None
    num_key_value_heads: Positive | None = None
    num_kv_heads: Positive | None = None
    head_dim: Positive | None = None
    intermediate_size: Positive | None = None
    ffn_dim: Positive | None = None
    n_inner: Positive | None = None
    num_hidden_layers: Positive | None = None
    n_layer: Positive | None = None
    num_layers: Positive | None = None
    vocab_size: Positive | None = None
    max_position_embeddings: Positive | None = None
    n_positions: Positive | None = None
    max_sequence_length: Positive | None = None
    num_local_experts: NonNegative | None = None
    num_experts: NonNegative | None = None
    n_routed_experts: NonNegative | None = None
    num_experts_per_tok: Positive | None = None
    moe_topk: Positive | None = None
    sliding_window: Positive | None = None
    attention_bias: StrictBool | None = None
    mlp_bias: StrictBool | None = None
    tie_word_embeddings: StrictBool | None = None
    torch_dtype: StrictStr | None = None
    dtype: StrictStr | None = None


class ModelConfig(TextConfig):
    text_config: TextConfig | None = None
    quantization_config: QuantizationConfig | None = None


def _describe(error: dict[str, Any]) -> str:
    field = ".".join(str(part) for part in error["loc"])
    value = error.get("input")
    expected = {
        "int_type": "an integer",
        "greater_than": "greater than 0",
        "greater_than_equal": "0 or more",
        "bool_type": "true or false",
        "string_type": "a string",
        "model_type": "a JSON object",
        "model_attributes_type": "a JSON object",
    }.get(error["type"], error["msg"].lower())
    return f"{field} must be {expected} (got {value!r})"


def validate(cfg: dict[str, Any], source: str) -> ModelConfig:
    """Parse config.json contents; raise one sentence naming the first bad field."""
    try:
        return ModelConfig.model_validate(cfg)
    except ValidationError as exc:
        errors = exc.errors()
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise LlmctlError(f"{source}: {_describe(dict(errors[0]))}{more}; fix config.json.") from None

"""A BERT sentence encoder (all-MiniLM-L6-v2 and its relatives) in NumPy, from a sentence-transformers directory.

Why not sentence-transformers: on PyPI it brings torch with CUDA libraries (3.0 GB of wheels for a 90 MB model);
this runs the same weights (safetensors) with Hugging Face's `tokenizers`, and tests hold it to vectors that
sentence-transformers computed (tests/fixtures/rag/minilm_reference.json). Mean pooling and L2 normalisation, as the
model's modules.json says.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    """BERT's exact (erf) GELU, with erf from Abramowitz and Stegun 7.1.26 (error below 1.5e-7) computed in place in
    float32: the forward pass is memory-bound here, and every temporary array costs as much as a matmul."""
    t = np.abs(x)
    t *= np.float32(0.3275911 / math.sqrt(2.0))
    t += 1
    np.reciprocal(t, out=t)
    p = t * np.float32(1.061405429)
    for coefficient in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
        p += np.float32(coefficient)
        p *= t
    np.square(x, out=t)
    t *= np.float32(-0.5)
    np.exp(t, out=t)
    p *= t  # p = 1 - erf(|x| / sqrt 2)
    p *= np.float32(0.5)
    # x >= 0: x * (1 - p / 2); x < 0: x * p / 2
    return np.where(x >= 0, x - x * p, x * p)


class Encoder:
    """Sentence embeddings from a sentence-transformers model directory (config.json, model.safetensors,
    tokenizer.json, 1_Pooling/config.json, sentence_bert_config.json)."""

    def __init__(self, model_dir: Path) -> None:
        config = json.loads((model_dir / "config.json").read_text())
        if config.get("model_type") != "bert":
            raise ValueError(f"{model_dir}: model_type {config.get('model_type')!r} is not a BERT encoder")
        pooling = json.loads((model_dir / "1_Pooling" / "config.json").read_text())
        if not pooling.get("pooling_mode_mean_tokens"):
            raise ValueError(f"{model_dir}: only mean pooling is implemented")
        st_config_path = model_dir / "sentence_bert_config.json"
        st_config = json.loads(st_config_path.read_text()) if st_config_path.exists() else {}
        self.model_dir = model_dir
        self.dimension: int = int(config["hidden_size"])
        self.max_tokens: int = int(st_config.get("max_seq_length", config["max_position_embeddings"]))
        self._heads = int(config["num_attention_heads"])
        self._layers = int(config["num_hidden_layers"])
        self._eps = float(config.get("layer_norm_eps", 1e-12))
        self._w = load_file(str(model_dir / "model.safetensors"))
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(self.max_tokens)
        self.tokenizer.enable_padding(pad_id=int(config.get("pad_token_id", 0)))
        # Pre-transposed projections: x @ W.T once at load instead of per call.
        self._t = {name: np.ascontiguousarray(w.T) for name, w in self._w.items() if w.ndim == 2 and "dense" in name}
        for i in range(self._layers):
            prefix = f"encoder.layer.{i}.attention.self."
            qkv = [self._w[prefix + part + ".weight"] for part in ("query", "key", "value")]
            self._t[f"{prefix}qkv"] = np.ascontiguousarray(np.concatenate(qkv).T)
            self._w[f"{prefix}qkv.bias"] = np.concatenate(
                [self._w[prefix + p + ".bias"] for p in ("query", "key", "value")]
            )

    def encode(self, texts: Sequence[str], batch_size: int = 8) -> np.ndarray:
        """Unit-length float32 vectors, one row per text (inputs longer than max_tokens are truncated, as
        sentence-transformers does)."""
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        # Similar lengths together, so padding costs little.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            out[idx] = self._encode_batch([texts[i] for i in idx])
        return out

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.float32)
        types = np.array([e.type_ids for e in encodings], dtype=np.int64)
        w = self._w
        seq = ids.shape[1]
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:seq][None]
            + w["embeddings.token_type_embeddings.weight"][types]
        )
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self._eps)
        attn_bias = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]
        for i in range(self._layers):
            x = self._layer(x, attn_bias, f"encoder.layer.{i}.")
        summed = (x * mask[:, :, None]).sum(1)
        pooled = summed / np.maximum(mask.sum(1, keepdims=True), 1e-9)
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return (pooled / norms).astype(np.float32)

    def _layer(self, x: np.ndarray, attn_bias: np.ndarray, p: str) -> np.ndarray:
        w, t = self._w, self._t
        batch, seq, hidden = x.shape
        head_dim = hidden // self._heads
        qkv = x @ t[p + "attention.self.qkv"] + w[p + "attention.self.qkv.bias"]
        qkv = qkv.reshape(batch, seq, 3, self._heads, head_dim).transpose(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        # Softmax in place: at 200 tokens the score arrays are the largest of the layer.
        scores = q @ k.transpose(0, 1, 3, 2)
        scores *= np.float32(1 / math.sqrt(head_dim))
        scores += attn_bias
        scores -= scores.max(-1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(-1, keepdims=True)
        context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, seq, hidden)
        attn = context @ t[p + "attention.output.dense.weight"] + w[p + "attention.output.dense.bias"]
        x = _layer_norm(
            x + attn, w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"], self._eps
        )
        hidden_act = _gelu(x @ t[p + "intermediate.dense.weight"] + w[p + "intermediate.dense.bias"])
        out = hidden_act @ t[p + "output.dense.weight"] + w[p + "output.dense.bias"]
        return _layer_norm(x + out, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], self._eps)

"""Serving-container backends: TGI, LMI (DJL) with vLLM or TensorRT-LLM, and vLLM."""

from __future__ import annotations

from .base import Backend, RenderPlan
from .lmi import LmiBackend
from .tgi import TgiBackend
from .trtllm import TrtllmBackend
from .vllm import VllmBackend

BACKENDS: dict[str, Backend] = {b.name: b for b in (TgiBackend(), LmiBackend(), TrtllmBackend(), VllmBackend())}

__all__ = ["BACKENDS", "Backend", "RenderPlan"]

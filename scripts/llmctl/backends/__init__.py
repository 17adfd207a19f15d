"""Serving-container backends: TGI, LMI (DJL) and vLLM."""

from __future__ import annotations

from .base import Backend, RenderPlan
from .lmi import LmiBackend
from .tgi import TgiBackend
from .vllm import VllmBackend

BACKENDS: dict[str, Backend] = {b.name: b for b in (TgiBackend(), LmiBackend(), VllmBackend())}

__all__ = ["BACKENDS", "Backend", "RenderPlan"]

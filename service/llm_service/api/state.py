"""Per-app state and the dependencies routes use."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from fastapi import Depends, Request

from ..auth import ApiKeys
from ..limits import KeyConcurrency
from ..metrics import Metrics
from ..settings import ServiceSettings, get_settings
from ..upstream import Upstream
from .errors import ApiError


@dataclass
class ServiceState:
    upstream: Upstream
    keys: ApiKeys
    metrics: Metrics = field(default_factory=Metrics)
    concurrency: KeyConcurrency = field(default_factory=KeyConcurrency)
    ready_checked_at: float = -1e9
    ready_result: tuple[bool, str] = (False, "not checked")

    async def ready(self, cache_s: float) -> tuple[bool, str]:
        now = time.monotonic()
        if now - self.ready_checked_at >= cache_s:
            self.ready_result = await self.upstream.ready()
            self.ready_checked_at = now
        return self.ready_result


async def get_state(request: Request) -> ServiceState:
    state: ServiceState = request.app.state.svc
    return state


async def require_key(
    request: Request,
    settings: ServiceSettings = Depends(get_settings),  # noqa: B008 - FastAPI's dependency idiom
    state: ServiceState = Depends(get_state),  # noqa: B008
) -> str:
    """The caller's key id; 401 without a valid bearer key (unless auth was explicitly disabled)."""
    if settings.auth_disabled:
        return "anonymous"
    ident = state.keys.identify(request.headers.get("authorization"))
    if ident is None:
        raise ApiError(401, "missing or invalid API key: send Authorization: Bearer <key>", "authentication_error",
                       {"WWW-Authenticate": "Bearer"})  # fmt: skip
    return ident

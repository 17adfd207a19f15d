"""Per-app state and the dependencies routes use."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from fastapi import Depends, Request

from ..auth import ApiKeys
from ..drain import Drain
from ..guards import KEY_SCOPE
from ..limits import Concurrency, KeyConcurrency
from ..metrics import Metrics
from ..settings import ServiceSettings, get_settings
from ..upstream import Upstream
from .errors import ApiError
from .rag_state import RagRuntime


@dataclass
class ServiceState:
    upstreams: dict[str, Upstream]  # served model name → upstream, default first
    keys: ApiKeys
    adapters: dict[str, str] = field(default_factory=dict)  # served model name → LoRA adapter id, where it is one
    metrics: Metrics = field(default_factory=Metrics)
    concurrency: Concurrency = field(default_factory=KeyConcurrency)
    drain: Drain = field(default_factory=lambda: Drain(grace_s=25.0))
    rag: RagRuntime = field(default=None)  # type: ignore[assignment]  # set by create_app
    ready_checked_at: float = -1e9
    ready_result: tuple[bool, str] = (False, "not checked")

    @property
    def default_upstream(self) -> Upstream:
        return next(iter(self.upstreams.values()))

    def check_adapter_id(self, adapter_id: str | None) -> None:
        """A TGI `adapter_id` must be one this service serves: TGI answers an unknown one with the base model,
        silently, so a typo would look like a working fine-tune. Unchecked when no adapters are configured."""
        if adapter_id is None or not self.adapters or adapter_id in self.adapters.values():
            return
        known = ", ".join(f"`{a}`" for a in sorted(set(self.adapters.values())))
        raise ApiError(
            400,
            f"parameters.adapter_id `{adapter_id}` is not an adapter this service serves ({known}); TGI would answer "
            "with the base model instead",
            "invalid_request_error",
            code="adapter_not_found",
        )

    def upstream_for(self, model: str | None) -> tuple[str, Upstream]:
        """(name, upstream) for a requested model name; None means the default. 404 model_not_found otherwise."""
        if model is None:
            return next(iter(self.upstreams.items()))
        upstream = self.upstreams.get(model)
        if upstream is None:
            served = ", ".join(f"`{name}`" for name in self.upstreams)
            raise ApiError(
                404,
                f"The model `{model}` does not exist here; this service serves {served}.",
                "invalid_request_error",
                code="model_not_found",
            )
        return model, upstream

    async def ready(self, cache_s: float) -> tuple[bool, str]:
        """Ready when every served model is; the detail names each one's state when there are several."""
        now = time.monotonic()
        if now - self.ready_checked_at >= cache_s:
            results = {name: await upstream.ready() for name, upstream in self.upstreams.items()}
            all_ready = all(ok for ok, _ in results.values())
            if len(results) == 1:
                detail = next(iter(results.values()))[1]
            else:
                detail = ", ".join(f"{name}: {text}" for name, (_, text) in results.items())
            self.ready_result = (all_ready, detail)
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
    """The caller's key id; 401 without a valid bearer key (unless auth was explicitly disabled). The guards
    middleware has usually identified it already, from the headers, before the body was read."""
    if settings.auth_disabled:
        return "anonymous"
    known: str | None = request.scope.get(KEY_SCOPE)
    ident = known or state.keys.identify(request.headers.get("authorization"))
    if ident is None:
        raise ApiError(
            401,
            "missing or invalid API key: send Authorization: Bearer <key>",
            "authentication_error",
            {"WWW-Authenticate": "Bearer"},
        )
    return ident

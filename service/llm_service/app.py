"""The FastAPI app: OpenAI- and TGI-compatible routes over a SageMaker endpoint (or a container URL).

Run it with `make serve`, or `uvicorn llm_service.app:create_app --factory`.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.exceptions import HTTPException as StarletteHTTPException

from . import logs
from .api import openai_routes, rag_routes, tgi_routes
from .api.errors import ApiError, body_for
from .api.rag_state import RagRuntime
from .api.state import ServiceState, get_state
from .auth import ApiKeys
from .client import AwsSettings, Target
from .drain import Drain
from .guards import ClientGuards
from .json_body import JsonBodyContentType
from .metrics import metrics_registry
from .rag import RagError
from .request_context import RequestContext
from .settings import ServiceSettings, get_settings, load_settings
from .shared_limits import SharedConcurrency
from .upstream import HttpUpstream, SageMakerUpstream, Upstream

log = logging.getLogger("llm_service.access")


def build_upstreams(settings: ServiceSettings) -> dict[str, Upstream]:
    """One upstream per served model name, default first; SageMaker ones share one connection pool."""
    if settings.upstream == "http":
        assert settings.upstream_url is not None
        return {settings.served_model: HttpUpstream(settings.upstream_url, timeout_s=settings.upstream_timeout_s)}
    aws = AwsSettings(
        region=settings.region,
        endpoint_url=settings.aws_endpoint_url,
        control_endpoint_url=settings.aws_control_endpoint_url,
        read_timeout_s=settings.upstream_timeout_s,
    )
    upstreams: dict[str, Upstream] = {}
    pool: SageMakerUpstream | None = None
    for name, target in settings.served_models.items():
        assert target is not None
        where = Target(target.endpoint_name, target.inference_component)
        if pool is None:
            pool = SageMakerUpstream(where, aws, max_connections=settings.aws_max_connections)
            upstreams[name] = pool
        else:
            upstreams[name] = pool.for_target(where)
    return upstreams


def create_app(settings: ServiceSettings | None = None, upstream: Upstream | None = None) -> FastAPI:
    """`upstream`: serve the default model from this one instead (tests)."""
    settings = settings or load_settings()
    logs.configure()
    upstreams = {settings.served_model: upstream} if upstream is not None else build_upstreams(settings)
    adapters = {name: t.adapter for name, t in settings.served_models.items() if t is not None and t.adapter}
    state = ServiceState(upstreams=upstreams, keys=ApiKeys(settings.load_api_keys()), adapters=adapters)
    state.rag = RagRuntime(settings)
    state.drain = Drain(settings.drain_grace_s)
    shared = None
    if settings.shared_state_dir is not None:  # one of several workers: limits count across all of them
        shared = SharedConcurrency(settings.shared_state_dir / "limits")
        state.concurrency = shared

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Move what import and startup allocated out of the collector's reach, so a full collection scans only
        # per-request garbage: shorter GC pauses, which show up directly in p99 time to first token.
        gc.collect()
        gc.freeze()
        state.drain.install()  # SIGTERM: /ready 503, streams get the grace period, then end with an error event
        yield
        for each in state.upstreams.values():
            await each.aclose()
        state.rag.close()
        if shared is not None:
            shared.close()

    app = FastAPI(title="SageMaker LLM Stack service", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.svc = state
    app.state.settings = settings
    app.include_router(openai_routes.router)
    app.include_router(tgi_routes.router)
    app.include_router(rag_routes.router)
    _add_operational_routes(app)
    _add_error_handlers(app)
    _add_middleware(app, settings, state)
    return app


def _add_operational_routes(app: FastAPI) -> None:
    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/ready")
    async def ready(
        settings: ServiceSettings = Depends(get_settings),  # noqa: B008
        state: ServiceState = Depends(get_state),  # noqa: B008
    ) -> JSONResponse:
        if state.drain.draining:
            return JSONResponse(
                {
                    "ready": False,
                    "upstream": state.default_upstream.name,
                    "detail": "draining: the service is stopping",
                },
                status_code=503,
            )
        is_ready, detail = await state.ready(settings.ready_cache_s)
        return JSONResponse(
            {"ready": is_ready, "upstream": state.default_upstream.name, "detail": detail},
            status_code=200 if is_ready else 503,
        )

    @app.get("/metrics")
    async def metrics(state: ServiceState = Depends(get_state)) -> Response:  # noqa: B008
        return PlainTextResponse(generate_latest(metrics_registry(state.metrics)), media_type=CONTENT_TYPE_LATEST)


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(body_for(request.url.path, exc), status_code=exc.status, headers=exc.headers)

    @app.exception_handler(RagError)
    async def rag_error(request: Request, exc: RagError) -> JSONResponse:
        kinds = {
            404: "not_found_error",
            409: "invalid_request_error",
            502: "upstream_error",
            503: "service_unavailable",
        }
        kind = kinds.get(exc.status, "invalid_request_error" if exc.status < 500 else "internal_error")
        error = ApiError(exc.status, exc.message, kind, code=exc.code)
        return JSONResponse(body_for(request.url.path, error), status_code=exc.status)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # 404/405 and the like, in the caller's protocol rather than FastAPI's {"detail": …}.
        kinds = {404: "not_found_error", 405: "method_not_allowed"}
        error = ApiError(
            exc.status_code,
            f"{request.method} {request.url.path}: {exc.detail}",
            kinds.get(exc.status_code, "invalid_request_error"),
            dict(exc.headers or {}),
        )
        return JSONResponse(body_for(request.url.path, error), status_code=exc.status_code, headers=error.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        message = f"{where}: {first.get('msg')}" if where else str(first.get("msg"))
        if first.get("type") == "extra_forbidden":
            message = (
                f"{where}: not a parameter this route forwards to the model's container, so it would have no effect; "
                "remove it (docs/service.md lists each route's parameters)"
            )
        error = ApiError(400, message, "invalid_request_error")
        return JSONResponse(body_for(request.url.path, error), status_code=400)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("unhandled error", exc_info=exc)
        error = ApiError(500, f"internal error (request id {logs.request_id.get()})", "internal_error")
        return JSONResponse(body_for(request.url.path, error), status_code=500)


def _add_middleware(app: FastAPI, settings: ServiceSettings, state: ServiceState) -> None:
    if settings.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
        )
    app.add_middleware(JsonBodyContentType)
    app.add_middleware(
        ClientGuards,
        keys=None if settings.auth_disabled else state.keys,
        max_body_bytes=settings.max_body_bytes,
        body_timeout_s=settings.body_timeout_s,
        max_inflight_per_worker=settings.max_inflight_per_worker,
    )
    app.add_middleware(RequestContext, metrics=state.metrics)  # outermost: sees every response, 413s included

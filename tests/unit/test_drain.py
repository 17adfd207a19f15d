"""The drain: SIGTERM begins it and still reaches uvicorn's handler; /ready answers 503 while it runs; past the
grace period a stream ends with the drain event in its route's protocol."""

from __future__ import annotations

import os
import signal
from typing import Any

import httpx
from llm_service.app import create_app
from llm_service.drain import Drain, drain_event
from llm_service.settings import ServiceSettings


def test_sigterm_begins_the_drain_and_calls_the_handler_it_was_chained_to() -> None:
    calls: list[int] = []
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        signal.signal(signal.SIGTERM, lambda sig, frame: calls.append(sig))  # stands in for uvicorn's handle_exit
        drain = Drain(grace_s=0)
        assert drain.install()
        assert not drain.draining
        os.kill(os.getpid(), signal.SIGTERM)
        assert drain.draining and drain.expired() and calls == [signal.SIGTERM]
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


def test_the_grace_period_runs_from_the_first_signal() -> None:
    drain = Drain(grace_s=60)
    drain.begin()
    began = drain.began_at
    drain.begin()
    assert drain.began_at == began and drain.draining and not drain.expired()


async def test_ready_answers_503_while_draining() -> None:
    class Up:
        name = "sagemaker:ep"

        async def ready(self) -> tuple[bool, str]:
            return True, "InService"

        async def aclose(self) -> None: ...

    app = create_app(ServiceSettings(upstream="http", upstream_url="http://127.0.0.1:9", api_keys="k"), Up())  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        assert (await client.get("/ready")).status_code == 200
        app.state.svc.drain.begin()
        draining = await client.get("/ready")
    assert draining.status_code == 503 and draining.json()["detail"].startswith("draining")


def test_the_drain_event_speaks_each_routes_protocol() -> None:
    openai: dict[str, Any] = drain_event("/v1/chat/completions")
    assert openai["error"]["code"] == "draining" and openai["error"]["type"] == "service_unavailable"
    assert drain_event("/generate_stream") == {"error": openai["error"]["message"], "error_type": "draining"}

"""Treat the body of the JSON routes as JSON whatever Content-Type the client sent.

`curl -d '{…}'` sends application/x-www-form-urlencoded; common OpenAI-compatible servers read the body as JSON
anyway, and so does this service (instead of answering 400 to the README's own example)."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

JSON_ROUTES = frozenset({"/v1/chat/completions", "/generate", "/generate_stream"})


class JsonBodyContentType:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"] in JSON_ROUTES:
            headers = [(k, v) for k, v in scope.get("headers", []) if k != b"content-type"]
            # In place: outer middleware reads what the router later writes into this same scope (the route).
            scope["headers"] = [*headers, (b"content-type", b"application/json")]
        await self.app(scope, receive, send)

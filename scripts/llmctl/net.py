"""One TCP probe for the services llmctl asks before it waits on them (the Hugging Face Hub, the local control plane):
a refused or silent address answers in seconds instead of after a client's own retries."""

from __future__ import annotations

import socket
from urllib.parse import urlparse


def unreachable(url: str, timeout_s: float, default_host: str = "127.0.0.1") -> str | None:
    """Why nothing answers a TCP connection to URL's host (default_host when it names none) and port within
    timeout_s (e.g. "127.0.0.1:5055 is unreachable (ConnectionRefusedError)"), or None when something does."""
    parsed = urlparse(url)
    host = parsed.hostname or default_host
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return None
    except OSError as exc:
        return f"{host}:{port} is unreachable ({type(exc).__name__})"

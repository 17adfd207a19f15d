"""Graceful drain on SIGTERM (a deploy's rolling restart): `/ready` answers 503 at once, uvicorn stops accepting,
streams in flight keep going for the grace period, and any still running then end with an SSE error event
(`code: draining`, retry elsewhere) instead of a cut TCP stream.

The handler is chained in front of uvicorn's own (installed at startup, in the worker's main thread), so uvicorn's
shutdown proceeds as before; its `timeout_graceful_shutdown` is set past the grace period so it never cuts first.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import Any

DRAIN_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Drain:
    def __init__(self, grace_s: float) -> None:
        self.grace_s = grace_s
        self.began_at: float | None = None

    @property
    def draining(self) -> bool:
        return self.began_at is not None

    def begin(self) -> None:
        if self.began_at is None:
            self.began_at = time.monotonic()

    def expired(self) -> bool:
        """Past the grace period: streams still running end now, with the drain event."""
        return self.began_at is not None and time.monotonic() - self.began_at >= self.grace_s

    def install(self) -> bool:
        """Chain SIGTERM/SIGINT to begin the drain, then call the handler that was there (uvicorn's). False where
        signals cannot be installed (not the main thread: a server run by a test in a thread)."""
        if threading.current_thread() is not threading.main_thread():
            return False
        for sig in DRAIN_SIGNALS:
            previous = signal.getsignal(sig)
            signal.signal(sig, self._handler(previous))
        return True

    def _handler(self, previous: Any) -> Callable[[int, FrameType | None], None]:
        def handle(sig: int, frame: FrameType | None) -> None:
            self.begin()
            if callable(previous):  # uvicorn's: stop accepting, wait for connections, then exit
                previous(sig, frame)

        return handle


def drain_event(path: str) -> dict[str, Any]:
    """The last SSE event of a stream ended by the drain, in the route's protocol."""
    message = "the service is restarting and ended this stream; send the request again"
    if path.startswith("/v1/"):
        return {"error": {"message": message, "type": "service_unavailable", "param": None, "code": "draining"}}
    return {"error": message, "error_type": "draining"}

"""`python -m llm_service` (what `make serve` runs): check the settings, then serve with uvicorn.

A bad setting prints one sentence per problem and exits 2 instead of a traceback. With several workers (default: one
per core), they share one directory for the host-wide limits (shared_limits.py) and the metrics (prometheus_client's
multiprocess mode), made fresh for each start and removed at exit. Readiness and the DescribeEndpoint cache stay per
worker: each asks for itself, at most once per LLM_SERVICE_READY_CACHE_S.
"""

from __future__ import annotations

import argparse
import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

from pydantic import ValidationError

from .shared_limits import MAX_WORKERS

APP = "llm_service.app:create_app"
BACKLOG = 2048


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m llm_service", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="worker processes (default: cores)")
    args = parser.parse_args()
    if not 1 <= args.workers <= MAX_WORKERS:
        print(f"error: --workers {args.workers} must be between 1 and {MAX_WORKERS}.", file=sys.stderr)
        sys.exit(2)

    from .settings import ServiceSettings

    try:
        settings = ServiceSettings()
        settings.load_api_keys()
    except ValidationError as exc:
        for error in exc.errors():
            where = ".".join(str(p) for p in error["loc"])
            message = str(error["msg"]).removeprefix("Value error, ")
            print(f"error: {'LLM_SERVICE_' + where.upper() + ': ' if where else ''}{message}", file=sys.stderr)
        sys.exit(2)
    except OSError as exc:
        print(f"error: could not read LLM_SERVICE_API_KEYS_FILE ({exc.strerror}: {exc.filename}).", file=sys.stderr)
        sys.exit(2)

    if args.workers > 1 and not settings.rag_qdrant_url and settings.rag_store_path.is_dir():
        print(
            f"warning: retrieval's embedded store ({settings.rag_store_path}) opens in one process only; with "
            f"{args.workers} workers, /v1/rag requests reaching the others fail: use --workers 1 or a Qdrant server "
            "(LLM_SERVICE_RAG_QDRANT_URL).",
            file=sys.stderr,
        )
    if args.workers > 1:
        shared = Path(tempfile.mkdtemp(prefix="llm-service-"))
        (shared / "metrics").mkdir()
        atexit.register(shutil.rmtree, shared, ignore_errors=True)
        # Inherited by the workers (spawned processes), read before they import prometheus_client.
        os.environ["LLM_SERVICE_SHARED_STATE_DIR"] = str(shared)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(shared / "metrics")
    # Past the drain's grace period: streams end with their error event before the server would cut them.
    shutdown_s = int(settings.drain_grace_s) + 5
    _uvicorn(args.host, args.port, args.workers, shutdown_s)


def _uvicorn(host: str, port: int, workers: int, shutdown_s: int) -> None:
    import uvicorn

    uvicorn.run(
        APP,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        loop="uvloop",
        http="httptools",
        backlog=BACKLOG,
        access_log=False,
        log_level="warning",
        timeout_graceful_shutdown=shutdown_s,
    )


if __name__ == "__main__":
    main()

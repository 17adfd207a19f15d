"""`python -m llm_service` (what `make serve` runs): check the settings, then serve with uvicorn.

A bad setting prints one sentence per problem and exits 2 instead of a traceback.
"""

from __future__ import annotations

import argparse
import sys

from pydantic import ValidationError


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m llm_service", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()

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

    import uvicorn

    uvicorn.run(
        "llm_service.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        loop="uvloop",
        http="httptools",
        access_log=False,
        log_level="warning",
    )


if __name__ == "__main__":
    main()

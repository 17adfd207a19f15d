"""`python -m llmctl.local_aws.server --port 5055`: the patched moto server, bound to loopback only."""

from __future__ import annotations

import argparse

from . import patches


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=5055)
    args = parser.parse_args(argv)
    patches.apply()
    from moto.server import main as moto_main

    moto_main(["--host", "127.0.0.1", "--port", str(args.port)])


if __name__ == "__main__":
    main()

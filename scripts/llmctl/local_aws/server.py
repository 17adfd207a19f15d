"""`python -m llmctl.local_aws.server --port 5055`: the patched moto server, bound to loopback only."""

from __future__ import annotations

import argparse

from . import aws_rules, patches


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=5055)
    parser.add_argument(
        "--endpoint-quota",
        type=int,
        default=aws_rules.DEFAULT_ENDPOINT_QUOTA,
        help="Service Quotas' '<type> for endpoint usage' for every instance type.",
    )
    args = parser.parse_args(argv)
    aws_rules.endpoint_quota = args.endpoint_quota
    patches.apply()
    from moto.server import main as moto_main

    moto_main(["--host", "127.0.0.1", "--port", str(args.port)])


if __name__ == "__main__":
    main()

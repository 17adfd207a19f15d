"""The last step of `make demo`: one request through the HTTP service (SageMaker upstream pointed at the local
runtime) with the `openai` package, then where each piece of the local stack runs.

    python tools/demo_service.py --tf-dir terraform/envs/local
"""

from __future__ import annotations

import argparse
import json
import logging
import secrets
import socket
import sys
import threading
import time
import urllib.request
from pathlib import Path

import uvicorn
from llm_service.app import create_app
from llm_service.settings import ServiceSettings
from llmctl.terraform_cli import TerraformRoot
from openai import APIError, OpenAI

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tf-dir", type=Path, default=ROOT / "terraform" / "envs" / "local")
    args = parser.parse_args()

    outputs = TerraformRoot(args.tf_dir, ROOT / ".local").outputs()
    endpoint, runtime_url = outputs["endpoint_name"], outputs["runtime_endpoint_url"]
    key = secrets.token_urlsafe(16)
    settings = ServiceSettings(
        upstream="sagemaker",
        endpoint_name=endpoint,
        region="us-east-1",
        aws_endpoint_url=runtime_url,
        api_keys=key,
    )
    port = _free_port()
    app = create_app(settings)
    logging.getLogger("llm_service").setLevel(logging.WARNING)  # the access log would interleave with the output
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    service_url = f"http://127.0.0.1:{port}"
    try:
        client = OpenAI(base_url=f"{service_url}/v1", api_key=key)
        started = time.perf_counter()
        try:
            reply = client.chat.completions.create(
                model=endpoint, messages=[{"role": "user", "content": "Say hello from the local stack."}], max_tokens=12
            )
        except APIError as exc:
            print(f"error: the service answered {exc.message}", file=sys.stderr)
            return 1
        elapsed = time.perf_counter() - started
        print(f"\nopenai → service → runtime → container: {reply.choices[0].message.content!r}")
        print(f"  model {reply.model}, {reply.usage.completion_tokens if reply.usage else '?'} tokens, {elapsed:.2f} s")
    finally:
        server.should_exit = True
        thread.join(10)
    with urllib.request.urlopen(f"{runtime_url}/local/containers", timeout=5) as response:
        placements = json.loads(response.read())
    print("\nwhere each piece runs (all on 127.0.0.1, no AWS account):")
    rows = [
        ("control plane (moto: Terraform's AWS)", outputs["aws_endpoint_url"]),
        ("SageMaker runtime (InvokeEndpoint*)", runtime_url),
        *((f"{p['endpoint']}: {p['container']}", f"{p['url']} (model {p['model']})") for p in placements),
        ("HTTP service (OpenAI/TGI routes)", f"{service_url} (stopped now; `make serve ENV=local` runs it)"),
    ]
    for label, where in rows:
        print(f"  {label:<42s}{where}")
    print("  stop everything with: make down")
    return 0


if __name__ == "__main__":
    sys.exit(main())

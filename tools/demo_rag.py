"""The last step of `make demo-rag`: one grounded request through the HTTP service's /v1/rag/chat/completions
(SageMaker upstream pointed at the local runtime, the collection `llmctl ingest` just wrote), printing what the model
was sent, its streamed reply and the sources from the final chunk.

The local endpoint's container is the emulator, so its reply is placeholder tokens; the passages it received are the
grounding a real container (`make up UP_ARGS="--container-url …"`) answers from.

    python tools/demo_rag.py --tf-dir terraform/envs/local --collection docs "QUESTION"
"""

from __future__ import annotations

import argparse
import json
import logging
import secrets
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from llm_service.app import create_app
from llm_service.settings import ServiceSettings
from llmctl.terraform_cli import TerraformRoot

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from support.servers import free_port  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("question")
    parser.add_argument("--tf-dir", type=Path, default=ROOT / "terraform" / "envs" / "local")
    parser.add_argument("--collection", default="docs")
    parser.add_argument("--store", type=Path, default=ROOT / ".rag")
    args = parser.parse_args()

    outputs = TerraformRoot(args.tf_dir, ROOT / ".local").outputs()
    key = secrets.token_urlsafe(16)
    settings = ServiceSettings(
        upstream="sagemaker",
        endpoint_name=outputs["endpoint_name"],
        region="us-east-1",
        aws_endpoint_url=outputs["runtime_endpoint_url"],
        aws_control_endpoint_url=outputs["aws_endpoint_url"],
        api_keys=key,
        rag_store_path=args.store,
    )
    app = create_app(settings)
    logging.getLogger("llm_service").setLevel(logging.WARNING)  # the access log would interleave with the output
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    body = {
        "messages": [{"role": "user", "content": args.question}],
        "collection": args.collection,
        "max_tokens": 24,
        "stream": True,
    }
    print(f"\nPOST /v1/rag/chat/completions (stream) · {args.question}")
    reply, started, first = "", time.perf_counter(), None
    sources: list[dict[str, Any]] = []
    try:
        with (
            httpx.Client(timeout=60) as client,
            client.stream(
                "POST",
                f"http://127.0.0.1:{port}/v1/rag/chat/completions",
                json=body,
                headers={"Authorization": f"Bearer {key}"},
            ) as response,
        ):
            if response.status_code != 200:
                print(
                    f"error: the service answered {response.status_code}: {response.read().decode()}", file=sys.stderr
                )
                return 1
            for line in response.iter_lines():
                if not line.startswith("data: ") or line == "data: [DONE]":
                    continue
                event = json.loads(line[6:])
                if "error" in event:
                    print(f"error: {event['error']['message']}", file=sys.stderr)
                    return 1
                text = event["choices"][0]["delta"].get("content") if event["choices"] else None
                if text:
                    first = first or time.perf_counter() - started
                    reply += text
                sources = event.get("sources", sources)
    finally:
        server.should_exit = True
        thread.join(10)
    print(f"  reply (emulated container): {reply.strip()!r}")
    print(f"  first token after {first or 0:.3f} s (the first request also loads the embedding model and the store)")
    print("  sources (final chunk):")
    for number, source in enumerate(sources, 1):
        print(f"    [{number}] {source['path']} chunk {source['chunk']} · score {source['score']:.3f}")
    passages = [s for s in sources if Path(s["path"]).is_file()]
    if passages:
        print("  what the model read first (passage [1], from the prompt):")
        print(textwrap.indent(textwrap.shorten(_chunk_text(args, passages[0]), 400), "    "))
    return 0


def _chunk_text(args: argparse.Namespace, source: dict[str, Any]) -> str:
    from llm_service.rag.store import StoreLocation, VectorStore

    store = VectorStore(StoreLocation(path=args.store))
    try:
        return store.passage(args.collection, str(source["path"]), int(source["chunk"])) or ""
    finally:
        store.close()


if __name__ == "__main__":
    sys.exit(main())

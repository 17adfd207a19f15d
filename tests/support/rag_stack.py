"""A local stack for retrieval tests: the control plane and runtime with an LLM endpoint (TGI contract), a small
one (a 400-token prompt limit), a tiny one (120) and a TEI embedding endpoint, whose emulated container computes
real all-MiniLM-L6-v2 vectors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3

from support.local_stack import create_endpoint
from support.servers import free_port, python_module, wait_http

TGI_IMAGE = (
    "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:"
    "2.7.0-tgi3.3.6-gpu-py311-cu124-ubuntu22.04"
)
TEI_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/tei-cpu:2.0.1-tei1.8.2-cpu-py310-ubuntu22.04"
LLM_ENDPOINTS = {"llm": ("4096", "8192"), "small-llm": ("400", "1024"), "tiny-llm": ("120", "512")}
EMBED_ENDPOINT = "embed"


@contextmanager
def rag_stack() -> Iterator[dict[str, Any]]:
    moto_port, runtime_port = free_port(), free_port()
    moto = python_module("llmctl.local_aws.server", "--port", str(moto_port))
    aws = f"http://127.0.0.1:{moto_port}"
    runtime_url = f"http://127.0.0.1:{runtime_port}"
    runtime = None
    try:
        wait_http(f"{aws}/moto-api/data.json")
        sagemaker = boto3.client("sagemaker", endpoint_url=aws, region_name="us-east-1")
        for name, (max_input, max_total) in LLM_ENDPOINTS.items():
            env = {"HF_MODEL_ID": "meta-llama/Llama-3.1-8B-Instruct", "MAX_INPUT_TOKENS": max_input}
            create_endpoint(sagemaker, name, TGI_IMAGE, {**env, "MAX_TOTAL_TOKENS": max_total})
        tei_env = {"HF_MODEL_ID": "sentence-transformers/all-MiniLM-L6-v2", "MAX_CLIENT_BATCH_SIZE": "32"}
        create_endpoint(sagemaker, EMBED_ENDPOINT, TEI_IMAGE, tei_env)
        runtime = python_module(
            "llmctl.local_aws.runtime", "--port", str(runtime_port), "--aws-url", aws, "--tokens-per-s", "20000"
        )
        wait_http(f"{runtime_url}/ping")
        yield {"aws": aws, "runtime": runtime_url, "sagemaker": sagemaker}
    finally:
        for process in (runtime, moto):
            if process is not None:
                process.terminate()
                process.wait(10)

"""The candidate that lost: the sync boto3 client on a bounded thread pool (one thread hop per chunk).

Kept only so bench_aws_adapter.py can compare it with the shipped aiobotocore upstream.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Generator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

from llm_service.client import Completion, GenerationRequest, InferenceClient, StreamChunk, Target, WireFormat
from llm_service.client.aws import AwsSettings, make_client, make_runtime_client

_END = object()


class ThreadPoolSageMakerUpstream:
    name = "sagemaker-thread-pool"

    def __init__(
        self,
        target: Target,
        settings: AwsSettings,
        max_threads: int = 256,
        runtime: Any | None = None,
        sagemaker: Any | None = None,
    ) -> None:
        self._target = target
        self._pool = ThreadPoolExecutor(max_workers=max_threads, thread_name_prefix="sagemaker")
        # One runtime client (one connection pool, one per thread) shared by both wire formats.
        settings = replace(settings, max_pool_connections=max(settings.max_pool_connections, max_threads))
        runtime = runtime if runtime is not None else make_runtime_client(settings)
        self._clients: dict[str, InferenceClient] = {
            "chat": InferenceClient(target, runtime=runtime, wire_format="chat"),
            "tgi": InferenceClient(target, runtime=runtime, wire_format="tgi"),
        }
        self._sagemaker = sagemaker
        self._settings = settings

    async def generate(self, request: GenerationRequest, wire_format: WireFormat) -> Completion:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, self._clients[wire_format].invoke, request)

    async def stream(self, request: GenerationRequest, wire_format: WireFormat) -> AsyncIterator[StreamChunk]:
        loop = asyncio.get_running_loop()
        chunks: Generator[StreamChunk, None, None] = self._clients[wire_format].stream(request)
        try:
            while True:
                chunk = await loop.run_in_executor(self._pool, next, chunks, _END)
                if chunk is _END:
                    return
                yield chunk  # type: ignore[misc]
        finally:
            # Closing the generator closes the HTTP response: SageMaker stops streaming to us.
            await loop.run_in_executor(self._pool, chunks.close)

    async def ready(self) -> tuple[bool, str]:
        loop = asyncio.get_running_loop()

        def describe() -> tuple[bool, str]:
            if self._sagemaker is None:
                self._sagemaker = make_client("sagemaker", self._settings, self._settings.endpoint_url)
            status = self._sagemaker.describe_endpoint(EndpointName=self._target.endpoint_name)["EndpointStatus"]
            return status == "InService", str(status)

        try:
            return await loop.run_in_executor(self._pool, describe)
        except Exception as exc:  # any failure to describe means "not ready", with the reason
            return False, f"{type(exc).__name__}"

    async def aclose(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

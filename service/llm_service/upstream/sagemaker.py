"""SageMaker runtime upstream on aiobotocore: the event loop never waits on AWS.

Chosen by measurement over the sync boto3 client on a bounded thread pool (bench/bench_aws_adapter.py,
docs/performance.md): 1.8× less CPU per token at 16 streams and 1.5× at 64, lower event-loop lag, the same
throughput; time to first token was within noise. The price: aiobotocore pins botocore to a narrow range.
Request bodies, stream reassembly, error translation and the retry policy are the client library's own
(llm_service.client), shared with the CLI.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import aiohttp
from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
from botocore.exceptions import BotoCoreError, ClientError
from tenacity import AsyncRetrying

from ..client import Completion, GenerationRequest, StreamChunk, Target, WireFormat
from ..client import errors as e
from ..client.aws import AwsSettings
from ..client.client import retry_policy
from ..client.stream import aiter_chunks
from ..client.translate import STREAM_READ_ERRORS, translate
from ..client.wire import build_body, parse_completion
from .base import transport_error

_PEER = "the SageMaker runtime"


class SageMakerUpstream:
    name = "sagemaker"

    def __init__(
        self,
        target: Target,
        settings: AwsSettings,
        max_connections: int = 256,
        retry_attempts: int = 3,
        retry_max_wait_s: float = 8.0,
    ) -> None:
        self._target = target
        self._settings = settings
        self._config = AioConfig(
            retries={"mode": "adaptive", "total_max_attempts": settings.max_attempts},
            connect_timeout=settings.connect_timeout_s,
            read_timeout=settings.read_timeout_s,
            max_pool_connections=max_connections,
            tcp_keepalive=True,
        )
        self._retry_attempts = retry_attempts
        self._retry_max_wait_s = retry_max_wait_s
        self._stack = AsyncExitStack()
        self._clients: dict[str, Any] = {}
        self._lock = asyncio.Lock()

    def for_target(self, target: Target) -> SageMakerUpstream:
        """The same connection pool and clients, another endpoint or inference component."""
        other = object.__new__(SageMakerUpstream)
        other.__dict__.update(self.__dict__)
        other._target = target
        return other

    async def _client(self, service: str) -> Any:
        if service not in self._clients:
            async with self._lock:
                if service not in self._clients:
                    session = get_session()
                    if self._settings.profile:
                        session.set_config_variable("profile", self._settings.profile)
                    creator = session.create_client(
                        service,
                        region_name=self._settings.region,
                        endpoint_url=self._endpoint_url(service),
                        config=self._config,
                    )
                    self._clients[service] = await self._stack.enter_async_context(creator)
        return self._clients[service]

    def _endpoint_url(self, service: str) -> str | None:
        """The runtime and the SageMaker API are two services with two URLs (a local runtime is not the API)."""
        if service == "sagemaker":
            return self._settings.control_endpoint_url or self._settings.endpoint_url
        return self._settings.endpoint_url

    def _retrying(self) -> AsyncRetrying:
        return AsyncRetrying(**retry_policy(self._retry_attempts, self._retry_max_wait_s))

    def _call_args(self, body: bytes) -> dict[str, Any]:
        return {
            **self._target.call_args(),
            "Body": body,
            "ContentType": "application/json",
            "Accept": "application/json",
        }

    async def generate(self, request: GenerationRequest, wire_format: WireFormat) -> Completion:
        body = build_body(request, wire_format, stream=False)
        async for attempt in self._retrying():
            with attempt:
                try:
                    runtime = await self._client("sagemaker-runtime")
                    response = await runtime.invoke_endpoint(**self._call_args(body))
                    async with response["Body"] as stream:
                        payload = await stream.read()
                except (ClientError, BotoCoreError) as exc:
                    raise translate(exc) from None
                except (TimeoutError, aiohttp.ClientError) as exc:
                    raise transport_error(exc, _PEER, after_output=False) from None
                return parse_completion(payload)
        raise AssertionError("unreachable")  # pragma: no cover

    async def stream(self, request: GenerationRequest, wire_format: WireFormat) -> AsyncIterator[StreamChunk]:
        body = build_body(request, wire_format, stream=True)
        async for attempt in self._retrying():
            with attempt:
                async for chunk in self._stream_once(body):
                    yield chunk
                return

    async def _stream_once(self, body: bytes) -> AsyncIterator[StreamChunk]:
        emitted = False
        event_stream = None
        try:
            runtime = await self._client("sagemaker-runtime")
            response = await runtime.invoke_endpoint_with_response_stream(**self._call_args(body))
            event_stream = response["Body"]

            async def parts() -> AsyncIterator[bytes]:
                async for event in event_stream:
                    if "PayloadPart" in event:
                        yield event["PayloadPart"]["Bytes"]

            async for chunk in aiter_chunks(parts()):
                emitted = emitted or chunk.is_token
                yield chunk
        except (e.StreamError, ClientError, BotoCoreError, *STREAM_READ_ERRORS) as exc:
            raise translate(exc, after_output=emitted) from None
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise transport_error(exc, _PEER, emitted) from None
        finally:
            if event_stream is not None:
                event_stream.close()  # closing the HTTP response stops SageMaker streaming to us

    async def ready(self) -> tuple[bool, str]:
        """(InService?, detail); a failed DescribeEndpoint says which call, what came back and from where."""
        try:
            sagemaker = await self._client("sagemaker")
            described = await sagemaker.describe_endpoint(EndpointName=self._target.endpoint_name)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            status_code = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", "?")
            reason = f"{error.get('Code', 'ClientError')} (HTTP {status_code}): {error.get('Message', '')}".rstrip(": ")
            return False, self._describe_failure(reason, self._clients.get("sagemaker"))
        except (TimeoutError, BotoCoreError, aiohttp.ClientError) as exc:
            return False, self._describe_failure(f"{type(exc).__name__}: {exc}", None)
        status = str(described["EndpointStatus"])
        return status == "InService", status

    def _describe_failure(self, reason: str, client: Any) -> str:
        url = client.meta.endpoint_url if client is not None else self._endpoint_url("sagemaker") or "AWS"
        hint = ""
        if self._settings.endpoint_url and not self._settings.control_endpoint_url:
            hint = (
                " (DescribeEndpoint went to the runtime URL; if that is not also the SageMaker API, set "
                "LLM_SERVICE_AWS_CONTROL_ENDPOINT_URL)"
            )
        return f"DescribeEndpoint {self._target.endpoint_name} at {url} failed: {reason}{hint}"

    async def aclose(self) -> None:
        await self._stack.aclose()

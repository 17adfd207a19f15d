"""A local SageMaker runtime on 127.0.0.1: `InvokeEndpoint` and `InvokeEndpointWithResponseStream` for the endpoints
that `make apply ENV=local` created in the local control plane (the moto server), fronting each endpoint's container
as SageMaker fronts `/invocations` and `/ping`.

    python -m llmctl.local_aws.runtime --port 5056 --aws-url http://127.0.0.1:5055 [--container-url [ENDPOINT=]URL]

An endpoint name resolves through the control plane (DescribeEndpoint → endpoint configuration → model → image and
environment), so only endpoints that exist and are InService answer. Each model gets an emulated container chosen
from its image (llmctl.local_aws.container), or the container at --container-url (a real TGI/vLLM/LMI container).
Responses use the real service's shapes: event-stream framing with PayloadPart events and ModelStreamError exception
events, 424 ModelError carrying OriginalStatusCode/OriginalMessage/LogStreamArn, 400 ValidationError for an unknown
endpoint, and the invocation timeout (SageMaker's 60 s, configurable).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

import aiohttp
import boto3
from aiohttp import web
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from . import async_queue, components
from .async_queue import AsyncInvocations
from .container import EmulatedContainer, Profile
from .eventstream import payload_part, stream_exception

ACCOUNT = "123456789012"  # moto's account
_ERROR_TYPE_SUFFIX = ":http://internal.amazon.com/coral/com.amazon.sagemaker/"
# SageMaker's own words (the scale-to-zero notebook's output; the header rule from issue threads on JumpStart).
NO_CAPACITY_MESSAGE = (
    "Inference Component has no capacity to process this request. ApplicationAutoScaling may be in-progress (if "
    "configured) or try to increase the capacity by invoking UpdateInferenceComponentRuntimeConfig API."
)
_COMPONENT_REQUIRED = (
    "Inference Component Name header is required for endpoints to which you plan to deploy inference components. "
    "Please include Inference Component Name header or consider using SageMaker models."
)
_TIMEOUT_MESSAGE = (
    "Your invocation timed out while waiting for a response from container primary. Review the latency metrics for "
    "each container in Amazon CloudWatch, resolve the issue, and try again."
)


class AwsError(Exception):
    """An error response of the SageMaker runtime: HTTP status, x-amzn-ErrorType code, and the JSON members."""

    def __init__(self, status: int, code: str, message: str, **members: Any) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.members = status, code, message, members

    def response(self) -> web.Response:
        body = {"message": self.message, **self.members}
        headers = {"x-amzn-ErrorType": self.code + _ERROR_TYPE_SUFFIX, "x-amzn-RequestId": str(uuid.uuid4())}
        return web.json_response(body, status=self.status, headers=headers)


@dataclass(frozen=True)
class Deployment:
    endpoint: str
    variant: str
    model_name: str
    image: str
    env: dict[str, str]
    component: str | None = None
    async_config: dict[str, Any] | None = None  # the configuration's AsyncInferenceConfig: an async endpoint


class ControlPlane:
    """Endpoint → variant → model, read from the local control plane the way SageMaker reads its own."""

    def __init__(self, aws_url: str, region: str) -> None:
        self._client = boto3.client(
            "sagemaker",
            endpoint_url=aws_url,
            region_name=region,
            aws_access_key_id="local",
            aws_secret_access_key="local",
            config=Config(retries={"total_max_attempts": 1}, connect_timeout=2, read_timeout=10),
        )
        self.region = region

    def resolve(self, endpoint: str, target_variant: str | None, component: str | None = None) -> Deployment:
        try:
            described = self._client.describe_endpoint(EndpointName=endpoint)
        except ClientError:
            raise AwsError(400, "ValidationError", f"Endpoint {endpoint} of account {ACCOUNT} not found.") from None
        except BotoCoreError as exc:
            raise AwsError(
                500, "InternalFailure", f"the local control plane does not answer ({exc}); start it with `make up`."
            ) from None
        status = described["EndpointStatus"]
        if status not in ("InService", "Updating"):
            raise AwsError(
                400, "ValidationError", f"Endpoint {endpoint} is {status}; an endpoint must be InService to be invoked."
            )
        config = self._client.describe_endpoint_config(EndpointConfigName=described["EndpointConfigName"])
        variants = config["ProductionVariants"]
        if target_variant is not None:
            variants = [v for v in variants if v["VariantName"] == target_variant]
            if not variants:
                raise AwsError(
                    400, "ValidationError", f"Endpoint {endpoint} has no production variant named {target_variant}."
                )
        variant = variants[0]
        if not variant.get("ModelName"):
            if not component:
                raise AwsError(400, "ValidationError", _COMPONENT_REQUIRED)
            return self._component(endpoint, component)
        if component:
            raise AwsError(400, "ValidationError", components.NOT_COMPONENT_ENDPOINT)
        container = self._container_of(variant["ModelName"])
        return Deployment(
            endpoint,
            variant["VariantName"],
            variant["ModelName"],
            container.get("Image", ""),
            dict(container.get("Environment") or {}),
            async_config=config.get("AsyncInferenceConfig"),
        )

    def instances(self, endpoint: str) -> int:
        """Instances of the endpoint's variant that can take requests now (0 while scaled to zero or gone)."""
        try:
            described = self._client.describe_endpoint(EndpointName=endpoint)
        except (ClientError, BotoCoreError):
            return 0
        if described["EndpointStatus"] not in ("InService", "Updating"):
            return 0
        return int((described.get("ProductionVariants") or [{}])[0].get("CurrentInstanceCount") or 0)

    def _container_of(self, model_name: str) -> dict[str, Any]:
        model = self._client.describe_model(ModelName=model_name)
        container: dict[str, Any] = model.get("PrimaryContainer") or (model.get("Containers") or [{}])[0]
        return container

    def _component(self, endpoint: str, name: str) -> Deployment:
        """An inference component's copies: its model (or its own container), or no capacity at zero copies."""
        try:
            described = self._client.describe_inference_component(InferenceComponentName=name)
        except ClientError:
            described = None
        if described is None or described["EndpointName"] != endpoint:
            # AWS's wording for an unknown component is not published; this names what is wrong.
            raise AwsError(400, "ValidationError", f"Inference Component {name} was not found on endpoint {endpoint}.")
        if not described["RuntimeConfig"].get("CurrentCopyCount"):
            raise AwsError(400, "ValidationError", NO_CAPACITY_MESSAGE)
        specification = described["Specification"]
        container = specification.get("Container") or {}
        model_name = specification.get("ModelName") or name
        if specification.get("ModelName"):
            container = self._container_of(model_name)
        return Deployment(
            endpoint,
            described["VariantName"],
            model_name,
            container.get("Image", ""),
            dict(container.get("Environment") or {}),
            name,
        )


class Containers:
    """The container behind each model: an emulator started on first use, or a configured URL."""

    def __init__(self, overrides: dict[str | None, str], tokens_per_s: float, first_token_s: float) -> None:
        self._overrides = overrides
        self._tokens_per_s, self._first_token_s = tokens_per_s, first_token_s
        self._emulators: dict[str, EmulatedContainer] = {}
        self._lock = asyncio.Lock()
        self.placements: dict[str, dict[str, Any]] = {}

    async def url_for(self, deployment: Deployment) -> str:
        override = self._overrides.get(deployment.endpoint) or self._overrides.get(None)
        if override:
            self._place(deployment, override, "container at --container-url")
            return override
        async with self._lock:
            emulator = self._emulators.get(deployment.model_name)
            if emulator is None:
                profile = Profile.from_model(deployment.image, deployment.env)
                emulator = EmulatedContainer(
                    self._tokens_per_s, self._first_token_s, profile=profile, env=deployment.env
                )
                await emulator.start()
                self._emulators[deployment.model_name] = emulator
        self._place(deployment, emulator.url, f"emulated {emulator.profile.flavor} container")
        return emulator.url

    def _place(self, deployment: Deployment, url: str, kind: str) -> None:
        key = f"{deployment.endpoint}/{deployment.component}" if deployment.component else deployment.endpoint
        self.placements[key] = {
            "endpoint": deployment.endpoint,
            "inference_component": deployment.component,
            "model": deployment.model_name,
            "image": deployment.image,
            "container": kind,
            "url": url,
        }

    async def aclose(self) -> None:
        for emulator in self._emulators.values():
            await emulator.stop()


class LocalRuntime:
    def __init__(
        self,
        control: ControlPlane,
        containers: Containers,
        invocation_timeout_s: float = 60.0,
        queue: AsyncInvocations | None = None,
    ) -> None:
        self.control, self.containers, self.timeout_s = control, containers, invocation_timeout_s
        self.queue = queue
        self._session: aiohttp.ClientSession | None = None
        self.invocations: dict[str, int] = {}  # requests that reached a container, by endpoint (tests count them)

    def app(self) -> web.Application:
        app = web.Application(client_max_size=6 * 1024 * 1024 + 1024)  # SageMaker's 6 MB payload limit
        app.router.add_get("/ping", self.ping)
        app.router.add_get("/local/containers", self.list_containers)
        app.router.add_get("/local/invocations", self.list_invocations)
        app.router.add_get("/local/async", self.list_async)
        app.router.add_post("/endpoints/{name}/invocations", self.invoke)
        app.router.add_post("/endpoints/{name}/invocations-response-stream", self.invoke_stream)
        app.router.add_post("/endpoints/{name}/async-invocations", self.invoke_async)
        app.on_cleanup.append(self._cleanup)
        return app

    async def _cleanup(self, app: web.Application) -> None:
        if self.queue is not None:
            await self.queue.aclose()
        if self._session is not None:
            await self._session.close()
        await self.containers.aclose()

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(auto_decompress=False)
        return self._session

    async def ping(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def list_containers(self, request: web.Request) -> web.Response:
        return web.json_response(list(self.containers.placements.values()))

    async def list_invocations(self, request: web.Request) -> web.Response:
        return web.json_response(self.invocations)

    async def list_async(self, request: web.Request) -> web.Response:
        return web.json_response(self.queue.snapshot() if self.queue else [])

    async def _deployment(self, request: web.Request, asynchronous: bool = False) -> tuple[Deployment, str]:
        name = request.match_info["name"]
        deployment = await asyncio.to_thread(
            self.control.resolve,
            name,
            request.headers.get("X-Amzn-SageMaker-Target-Variant"),
            request.headers.get("X-Amzn-SageMaker-Inference-Component"),
        )
        if asynchronous and not deployment.async_config:
            raise AwsError(400, "ValidationError", async_queue.NOT_ASYNC.format(name=name))
        if not asynchronous and deployment.async_config:
            raise AwsError(400, "ValidationError", async_queue.ASYNC_ONLY.format(name=name))
        url = await self.containers.url_for(deployment)
        self.invocations[name] = self.invocations.get(name, 0) + (0 if asynchronous else 1)
        return deployment, url

    async def invoke_async(self, request: web.Request) -> web.Response:
        """Queue the request: 202 with the InferenceId, the locations in headers (botocore's InvokeEndpointAsync)."""
        try:
            if self.queue is None:
                raise AwsError(400, "ValidationError", "this local runtime was started without asynchronous inference.")
            if not request.headers.get("X-Amzn-SageMaker-InputLocation", "").startswith("s3://"):
                raise AwsError(400, "ValidationError", "InputLocation must be an S3 URI (s3://bucket/key).")
            deployment, url = await self._deployment(request, asynchronous=True)
        except AwsError as error:
            return error.response()
        assert deployment.async_config is not None

        async def send(endpoint: str, body: bytes, headers: dict[str, str], timeout_s: float) -> tuple[int, str, bytes]:
            self.invocations[endpoint] = self.invocations.get(endpoint, 0) + 1
            try:
                async with self.session.post(
                    url + "/invocations", data=body, headers=headers, timeout=aiohttp.ClientTimeout(total=timeout_s)
                ) as reply:
                    return reply.status, reply.headers.get("Content-Type", "application/json"), await reply.read()
            except (TimeoutError, aiohttp.ClientError) as exc:
                error = self._unanswered(deployment, exc)
                return 500, "text/plain", error.message.encode()

        job = self.queue.submit(deployment.endpoint, deployment.async_config, dict(request.headers), send)
        return web.json_response(
            {"InferenceId": job.inference_id},
            status=202,
            headers={
                "X-Amzn-SageMaker-OutputLocation": job.output_location,
                "X-Amzn-SageMaker-FailureLocation": job.failure_location,
                "x-amzn-RequestId": str(uuid.uuid4()),
            },
        )

    def _forward_headers(self, request: web.Request) -> dict[str, str]:
        headers = {"Content-Type": request.headers.get("Content-Type", "application/json")}
        if "Accept" in request.headers:
            headers["Accept"] = request.headers["Accept"]
        if "X-Amzn-SageMaker-Custom-Attributes" in request.headers:
            headers["X-Amzn-SageMaker-Custom-Attributes"] = request.headers["X-Amzn-SageMaker-Custom-Attributes"]
        return headers

    def _model_error(self, deployment: Deployment, status: int, original: str) -> AwsError:
        kind = "client" if 400 <= status < 500 else "server"
        group = f"/aws/sagemaker/Endpoints/{deployment.endpoint}"
        return AwsError(
            424,
            "ModelError",
            f'Received {kind} error ({status}) from primary with message "{original}". See the log group {group} in '
            f"account {ACCOUNT} for more information.",
            ErrorCode=f"{kind.upper()}_ERROR_FROM_MODEL",
            OriginalStatusCode=status,
            OriginalMessage=original,
            LogStreamArn=f"arn:aws:logs:{self.control.region}:{ACCOUNT}:log-group:{group}",
        )

    def _unanswered(self, deployment: Deployment, exc: Exception) -> AwsError:
        """A container that did not answer in time, or dropped the connection, as SageMaker reports it."""
        if isinstance(exc, TimeoutError):
            return self._model_error(deployment, 0, _TIMEOUT_MESSAGE)
        return self._model_error(deployment, 0, f"the container closed the connection ({exc})")

    async def invoke(self, request: web.Request) -> web.StreamResponse:
        try:
            deployment, url = await self._deployment(request)
            body = await request.read()
            try:
                timeout = aiohttp.ClientTimeout(total=self.timeout_s)
                async with self.session.post(
                    url + "/invocations", data=body, headers=self._forward_headers(request), timeout=timeout
                ) as reply:
                    payload = await reply.read()
            except (TimeoutError, aiohttp.ClientError) as exc:
                raise self._unanswered(deployment, exc) from None
            if reply.status >= 400:
                raise self._model_error(deployment, reply.status, payload.decode(errors="replace"))
        except AwsError as error:
            return error.response()
        headers = {
            "Content-Type": reply.headers.get("Content-Type", "application/json"),
            "x-Amzn-Invoked-Production-Variant": deployment.variant,
        }
        return web.Response(body=payload, headers=headers)

    async def invoke_stream(self, request: web.Request) -> web.StreamResponse:
        try:
            deployment, url = await self._deployment(request)
            body = await request.read()
            timeout = aiohttp.ClientTimeout(total=None, sock_connect=self.timeout_s, sock_read=self.timeout_s)
            try:
                reply = await self.session.post(
                    url + "/invocations", data=body, headers=self._forward_headers(request), timeout=timeout
                )
            except (TimeoutError, aiohttp.ClientError) as exc:
                raise self._unanswered(deployment, exc) from None
            if reply.status >= 400:
                payload = await reply.read()
                reply.release()
                raise self._model_error(deployment, reply.status, payload.decode(errors="replace"))
        except AwsError as error:
            return error.response()
        response = web.StreamResponse(
            headers={
                "Content-Type": "application/vnd.amazon.eventstream",
                "X-Amzn-SageMaker-Content-Type": reply.headers.get("Content-Type", "application/json"),
                "x-Amzn-Invoked-Production-Variant": deployment.variant,
            }
        )
        await response.prepare(request)
        try:
            async for data in reply.content.iter_any():
                await response.write(payload_part(data))
        except TimeoutError:
            await response.write(
                stream_exception(
                    "ModelStreamError",
                    "Your model primary did not complete sending the inference response in the allotted time.",
                    "ModelInvocationTimeExceeded",
                )
            )
        except aiohttp.ClientPayloadError:
            await response.write(
                stream_exception(
                    "ModelStreamError",
                    "The Transmission Control Protocol (TCP) connection between the client and the model was reset "
                    "or closed.",
                    "StreamBroken",
                )
            )
        finally:
            reply.release()
        await response.write_eof()
        return response


def _overrides(values: list[str]) -> dict[str | None, str]:
    """`URL` applies to every endpoint, `ENDPOINT=URL` to one."""
    result: dict[str | None, str] = {}
    for value in values:
        name, sep, url = value.partition("=")
        if sep and not name.startswith("http"):
            result[name] = url.rstrip("/")
        else:
            result[None] = value.rstrip("/")
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=5056)
    parser.add_argument("--aws-url", default="http://127.0.0.1:5055", help="the local control plane (moto)")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--container-url", action="append", default=[], help="[ENDPOINT=]URL of a real container")
    parser.add_argument("--invocation-timeout", type=float, default=60.0, help="SageMaker's limit is 60 s")
    parser.add_argument("--tokens-per-s", type=float, default=100.0, help="emulated generation rate")
    parser.add_argument("--first-token-ms", type=float, default=50.0, help="emulated time to first token")
    parser.add_argument("--backlog-metrics-s", type=float, default=10.0, help="async backlog metrics period")
    args = parser.parse_args(argv)
    containers = Containers(_overrides(args.container_url), args.tokens_per_s, args.first_token_ms / 1000)
    control = ControlPlane(args.aws_url, args.region)
    queue = AsyncInvocations(args.aws_url, args.region, control.instances, args.backlog_metrics_s)
    runtime = LocalRuntime(control, containers, args.invocation_timeout, queue)
    print(json.dumps({"runtime": f"http://127.0.0.1:{args.port}", "control_plane": args.aws_url}), flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        web.run_app(runtime.app(), host="127.0.0.1", port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()

"""Asynchronous inference: upload the request to S3, InvokeEndpointAsync, wait for the result object.

An asynchronous endpoint answers in S3: SageMaker writes the reply to the OutputLocation it returned, or the error
to the FailureLocation, minutes later if the endpoint first scales out from zero. `AsyncInvoker.wait` polls both
objects (HeadObject, cheap) until one exists or the deadline passes; SNS notifications are for consumers that do
not wait (a queue subscribed to the endpoint's topics).

Requests go under the endpoint's input prefix: the stack's `async_input_s3_uri` output, which the execution role
may read, or, from the endpoint alone, `s3://<bucket of its S3OutputPath>/async/<endpoint>/input/` (the stack's
layout).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from .aws import AwsSettings, make_client, make_runtime_client, make_session
from .client import Target
from .errors import InferenceError, InvalidRequestError, ModelError, TimeoutError_
from .translate import translate
from .wire import Completion, GenerationRequest, WireFormat, build_body, parse_completion

DEFAULT_POLL_S = 2.0


@dataclass(frozen=True)
class Submitted:
    inference_id: str
    input_location: str
    output_location: str
    failure_location: str


@dataclass(frozen=True)
class AsyncOutcome:
    submitted: Submitted
    completion: Completion
    waited_s: float


def split_s3(uri: str) -> tuple[str, str]:
    if not uri.startswith("s3://") or "/" not in uri[5:]:
        raise InvalidRequestError(f"{uri} is not an S3 location (s3://bucket/key).")
    bucket, _, key = uri[5:].partition("/")
    return bucket, key


def input_prefix_of(endpoint: str, settings: AwsSettings) -> str:
    """The stack's input prefix for an async endpoint, from its configuration's S3OutputPath."""
    sagemaker = make_client("sagemaker", settings, settings.control_endpoint_url)
    try:
        described = sagemaker.describe_endpoint(EndpointName=endpoint)
        config = sagemaker.describe_endpoint_config(EndpointConfigName=described["EndpointConfigName"])
    except (ClientError, BotoCoreError) as exc:
        raise translate(exc) from None
    output = (config.get("AsyncInferenceConfig") or {}).get("OutputConfig", {}).get("S3OutputPath")
    if not output:
        raise InvalidRequestError(
            f"endpoint {endpoint} is not asynchronous (its configuration has no AsyncInferenceConfig); call it "
            "without --async, or render it with --async and apply."
        )
    bucket, _ = split_s3(output)
    return f"s3://{bucket}/async/{endpoint}/input/"


class AsyncInvoker:
    def __init__(
        self,
        target: Target,
        settings: AwsSettings,
        input_prefix: str,
        wire_format: WireFormat = "chat",
        invocation_timeout_s: int | None = None,
    ) -> None:
        self.target, self.settings, self.wire_format = target, settings, wire_format
        self.input_prefix = input_prefix if input_prefix.endswith("/") else input_prefix + "/"
        self.invocation_timeout_s = invocation_timeout_s
        self._runtime = make_runtime_client(settings)
        # Path-style: a local S3 on 127.0.0.1 has no bucket subdomains; AWS accepts both.
        config = Config(
            s3={"addressing_style": "path"} if settings.control_endpoint_url else {},
            retries={"mode": "standard", "total_max_attempts": 3},
            connect_timeout=settings.connect_timeout_s,
            read_timeout=settings.read_timeout_s,
            max_pool_connections=settings.max_pool_connections,  # batch runs share one invoker across threads
        )
        self._s3 = make_session(settings).client("s3", endpoint_url=settings.control_endpoint_url, config=config)

    def submit(self, request: GenerationRequest) -> Submitted:
        """Upload the body and queue it. Nothing is re-sent: a second InvokeEndpointAsync would run it twice."""
        request.validate()
        inference_id = str(uuid.uuid4())
        location = f"{self.input_prefix}{inference_id}.json"
        bucket, key = split_s3(location)
        args: dict[str, Any] = {
            "EndpointName": self.target.endpoint_name,
            "InputLocation": location,
            "ContentType": "application/json",
            "InferenceId": inference_id,
        }
        if self.target.custom_attributes:
            args["CustomAttributes"] = self.target.custom_attributes
        if self.invocation_timeout_s:
            args["InvocationTimeoutSeconds"] = self.invocation_timeout_s
        try:
            self._s3.put_object(
                Bucket=bucket,
                Key=key,
                Body=build_body(request, self.wire_format, stream=False),
                ContentType="application/json",
            )
            reply = self._runtime.invoke_endpoint_async(**args)
        except (ClientError, BotoCoreError) as exc:
            raise translate(exc) from None
        return Submitted(reply["InferenceId"], location, reply["OutputLocation"], reply.get("FailureLocation", ""))

    def wait(
        self,
        submitted: Submitted,
        deadline_s: float,
        poll_s: float = DEFAULT_POLL_S,
        on_wait: Callable[[float], None] | None = None,
    ) -> AsyncOutcome:
        """Poll the output and failure objects until one exists; the reply parsed like a synchronous one."""
        start = time.monotonic()
        looks = 0
        while True:
            for location, failed in ((submitted.output_location, False), (submitted.failure_location, True)):
                body = self._fetch(location) if location else None
                if body is not None:
                    waited = time.monotonic() - start
                    if failed:
                        raise ModelError(
                            f"the endpoint could not answer inference {submitted.inference_id}: "
                            f"{body.decode(errors='replace')[:500]} (written to {location})"
                        )
                    return AsyncOutcome(submitted, parse_completion(body), waited)
            waited = time.monotonic() - start
            if waited >= deadline_s:
                raise TimeoutError_(
                    f"no result for inference {submitted.inference_id} after {deadline_s:g} s; it may still be "
                    f"queued: its result will be written to {submitted.output_location}."
                )
            if on_wait:
                on_wait(waited)
            # Short first looks (a warm endpoint answers in a second), then every poll_s.
            pause = min(poll_s, 0.25 * 2**looks)
            looks += 1
            time.sleep(min(pause, max(deadline_s - waited, 0.01)))

    def _fetch(self, location: str) -> bytes | None:
        bucket, key = split_s3(location)
        try:
            return bytes(self._s3.get_object(Bucket=bucket, Key=key)["Body"].read())
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
                return None
            raise translate(exc) from None
        except BotoCoreError as exc:
            raise translate(exc) from None


__all__ = ["AsyncInvoker", "AsyncOutcome", "InferenceError", "Submitted", "input_prefix_of"]

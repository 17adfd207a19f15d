"""The local runtime's asynchronous inference: `InvokeEndpointAsync` as SageMaker runs it.

A request names an input object in S3; it is queued per endpoint and answered in the background: the input is read
from the local S3, sent to the endpoint's container, and the reply written to `<S3OutputPath><InferenceId>.out` (or
the error to `<S3FailurePath><InferenceId>-error.out`), then announced on the endpoint's success or error topic in
the shape of SageMaker's notifications (AWS's async example notebooks). Each endpoint takes at most
`MaxConcurrentInvocationsPerInstance × CurrentInstanceCount` requests at once: at zero instances requests wait, as on
AWS, until the variant has an instance again.

The backlog is published as AWS/SageMaker `ApproximateBacklogSize`, `ApproximateBacklogSizePerInstance` and
`HasBacklogWithoutCapacity` (dimension EndpointName) to the local CloudWatch, where `llmctl status` reads it.
Not reproduced: RequestTTLSeconds expiry, the 1 GB payload limit, S3OutputPathExtension, the execution role's
permissions (the local control plane reads and writes as the runtime), and the alarm evaluation that scales out.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

NOT_ASYNC = "Endpoint {name} is not an asynchronous endpoint: it has no AsyncInferenceConfig; call InvokeEndpoint."
ASYNC_ONLY = (
    "Endpoint {name} is an asynchronous endpoint: it takes InvokeEndpointAsync only (its AsyncInferenceConfig "
    "queues requests from S3)."
)
DEFAULT_INVOCATION_TIMEOUT_S = 900  # InvokeEndpointAsync's default InvocationTimeoutSeconds (max 3600)
MAX_INVOCATION_TIMEOUT_S = 3600


@dataclass
class Job:
    inference_id: str
    input_location: str
    output_location: str
    failure_location: str
    content_type: str
    accept: str | None
    timeout_s: float
    received: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass
class EndpointQueue:
    name: str
    pending: asyncio.Queue[Job] = field(default_factory=asyncio.Queue)
    in_flight: int = 0
    completed: int = 0
    failed: int = 0
    worker: asyncio.Task[None] | None = None


# What the runtime hands the queue: send a body to the endpoint's container → (status, content type, body).
Send = Callable[[str, bytes, dict[str, str], float], Awaitable[tuple[int, str, bytes]]]


def split_s3(uri: str) -> tuple[str, str]:
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    return bucket, key


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class AsyncInvocations:
    def __init__(self, aws_url: str, region: str, capacity: Callable[[str], int], metrics_interval_s: float) -> None:
        config = Config(retries={"total_max_attempts": 2}, connect_timeout=2, read_timeout=30)
        session = boto3.session.Session(aws_access_key_id="local", aws_secret_access_key="local", region_name=region)
        self._s3 = session.client("s3", endpoint_url=aws_url, config=config)
        self._sns = session.client("sns", endpoint_url=aws_url, config=config)
        self._cloudwatch = session.client("cloudwatch", endpoint_url=aws_url, config=config)
        self._capacity = capacity  # endpoint → instances able to take requests now
        self._metrics_interval_s = metrics_interval_s
        self.region = region
        self.queues: dict[str, EndpointQueue] = {}

    def submit(self, endpoint: str, config: dict[str, Any], headers: dict[str, str], send: Send) -> Job:
        """Queue a request; the worker of its endpoint answers it in the background."""
        output = config["OutputConfig"]
        results = output["S3OutputPath"].rstrip("/")
        failures = output.get("S3FailurePath", output["S3OutputPath"]).rstrip("/")
        inference_id = headers.get("X-Amzn-SageMaker-Inference-Id") or str(uuid.uuid4())
        timeout = int(headers.get("X-Amzn-SageMaker-InvocationTimeoutSeconds") or DEFAULT_INVOCATION_TIMEOUT_S)
        job = Job(
            inference_id=inference_id,
            input_location=headers["X-Amzn-SageMaker-InputLocation"],
            output_location=f"{results}/{inference_id}.out",
            failure_location=f"{failures}/{inference_id}-error.out",
            content_type=headers.get("X-Amzn-SageMaker-Content-Type", "application/json"),
            accept=headers.get("X-Amzn-SageMaker-Accept"),
            timeout_s=min(timeout, MAX_INVOCATION_TIMEOUT_S),
        )
        queue = self.queues.setdefault(endpoint, EndpointQueue(endpoint))
        queue.pending.put_nowait(job)
        if queue.worker is None or queue.worker.done():
            queue.worker = asyncio.create_task(self._work(queue, config, send))
        return job

    def snapshot(self) -> list[dict[str, Any]]:
        return [
            {
                "endpoint": q.name,
                "queued": q.pending.qsize(),
                "in_flight": q.in_flight,
                "completed": q.completed,
                "failed": q.failed,
            }
            for q in self.queues.values()
        ]

    async def aclose(self) -> None:
        for queue in self.queues.values():
            if queue.worker is not None:
                queue.worker.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await queue.worker

    async def _work(self, queue: EndpointQueue, config: dict[str, Any], send: Send) -> None:
        per_instance = int(config.get("ClientConfig", {}).get("MaxConcurrentInvocationsPerInstance") or 1)
        tasks: set[asyncio.Task[None]] = set()
        last_metrics = last_capacity = 0.0
        instances = 0
        while True:
            if queue.pending.empty() and not queue.in_flight:
                await asyncio.to_thread(self._publish_backlog, queue, instances)
                if queue.pending.empty() and not queue.in_flight:
                    return  # nothing arrived meanwhile: the next submit starts a new worker
                continue
            now = time.monotonic()
            if now - last_capacity >= 1.0:  # the variant's instance count, as autoscaling moves it
                instances = await asyncio.to_thread(self._capacity, queue.name)
                last_capacity = now
            if now - last_metrics >= self._metrics_interval_s:
                await asyncio.to_thread(self._publish_backlog, queue, instances)
                last_metrics = now
            while not queue.pending.empty() and queue.in_flight < per_instance * instances:
                job = queue.pending.get_nowait()
                queue.in_flight += 1
                task = asyncio.create_task(self._run(queue, config, job, send))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
            await asyncio.sleep(0.05 if instances else 0.5)

    async def _run(self, queue: EndpointQueue, config: dict[str, Any], job: Job, send: Send) -> None:
        try:
            try:
                body = await asyncio.to_thread(self._read, job.input_location)
                headers = {"Content-Type": job.content_type, **({"Accept": job.accept} if job.accept else {})}
                status, content_type, reply = await send(queue.name, body, headers, job.timeout_s)
            except _Failed as failed:
                status, content_type, reply = failed.status, "text/plain", failed.message.encode()
            if status < 400:
                await asyncio.to_thread(self._write, job.output_location, reply, content_type)
                queue.completed += 1
                await asyncio.to_thread(self._notify, queue.name, config, job, True, reply, content_type, None)
            else:
                reason = f"ClientError: Received {'client' if status < 500 else 'server'} error ({status}) from model"
                await asyncio.to_thread(self._write, job.failure_location, reply, content_type)
                queue.failed += 1
                await asyncio.to_thread(self._notify, queue.name, config, job, False, reply, content_type, reason)
        finally:
            queue.in_flight -= 1

    def _read(self, location: str) -> bytes:
        bucket, key = split_s3(location)
        try:
            return bytes(self._s3.get_object(Bucket=bucket, Key=key)["Body"].read())
        except ClientError as exc:
            raise _Failed(400, f"could not read the input {location}: {exc.response['Error'].get('Code')}") from None
        except BotoCoreError as exc:
            raise _Failed(500, f"could not read the input {location}: {exc}") from None

    def _write(self, location: str, body: bytes, content_type: str) -> None:
        bucket, key = split_s3(location)
        self._s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type)

    def _notify(
        self,
        endpoint: str,
        config: dict[str, Any],
        job: Job,
        succeeded: bool,
        reply: bytes,
        content_type: str,
        reason: str | None,
    ) -> None:
        notification = config["OutputConfig"].get("NotificationConfig") or {}
        topic = notification.get("SuccessTopic" if succeeded else "ErrorTopic")
        if not topic:
            return
        message: dict[str, Any] = {
            "awsRegion": self.region,
            "eventTime": _iso(datetime.now(UTC)),
            "receivedTime": _iso(job.received),
            "invocationStatus": "Completed" if succeeded else "Failed",
            "requestParameters": {
                "contentType": job.content_type,
                "endpointName": endpoint,
                "inputLocation": job.input_location,
            },
            "responseParameters": {"contentType": content_type}
            | ({"outputLocation": job.output_location} if succeeded else {"failureLocation": job.failure_location}),
            "inferenceId": job.inference_id,
            "eventVersion": "1.0",
            "eventSource": "aws:sagemaker",
            "eventName": "InferenceResult",
        }
        if reason:
            message["failureReason"] = reason
        included = notification.get("IncludeInferenceResponseIn") or []
        wanted = "SUCCESS_NOTIFICATION_TOPIC" if succeeded else "ERROR_NOTIFICATION_TOPIC"
        if wanted in included and len(reply) <= 128 * 1024:  # AWS includes responses up to 128 KB
            message["responseBody"] = {"content": reply.decode(errors="replace"), "encoding": "UTF-8"}
        with contextlib.suppress(ClientError, BotoCoreError):
            self._sns.publish(TopicArn=topic, Message=json.dumps(message))

    def _publish_backlog(self, queue: EndpointQueue, instances: int) -> None:
        backlog = queue.pending.qsize() + queue.in_flight
        values: dict[str, float] = {
            "ApproximateBacklogSize": backlog,
            "HasBacklogWithoutCapacity": int(bool(backlog) and not instances),
        }
        if instances:
            values["ApproximateBacklogSizePerInstance"] = backlog / instances
        dimensions = [{"Name": "EndpointName", "Value": queue.name}]
        data = [{"MetricName": name, "Dimensions": dimensions, "Value": value} for name, value in values.items()]
        with contextlib.suppress(ClientError, BotoCoreError):
            self._cloudwatch.put_metric_data(Namespace="AWS/SageMaker", MetricData=data)


class _Failed(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message

"""Endpoint status, per-variant instance counts, scaling bounds and recent autoscaling activity."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from .errors import LlmctlError

TERMINAL = {"InService", "Failed", "OutOfService"}


@dataclass
class VariantStatus:
    name: str
    current_instances: int | None
    desired_instances: int | None
    min_capacity: int | None = None
    max_capacity: int | None = None
    activities: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ComponentStatus:
    """An inference component: its copies (desired/current), copy autoscaling bounds and recent activity."""

    name: str
    status: str
    desired_copies: int | None
    current_copies: int | None
    min_copies: int | None = None
    max_copies: int | None = None
    activities: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class AsyncStatus:
    """An asynchronous endpoint's queue, from its configuration and its AWS/SageMaker backlog metrics."""

    max_concurrent_per_instance: int
    output_s3_uri: str
    failure_s3_uri: str | None
    topics: dict[str, str]
    backlog: float | None = None  # ApproximateBacklogSize: queued + being processed
    backlog_without_capacity: bool | None = None  # HasBacklogWithoutCapacity
    in_flight: int | None = None  # at most concurrency × instances of the backlog
    queued: int | None = None
    scales_to_zero: bool = False
    from_zero_alarm: str | None = None  # the HasBacklogWithoutCapacity alarm's state


@dataclass
class EndpointStatus:
    name: str
    status: str
    failure_reason: str | None
    variants: list[VariantStatus]
    notes: list[str] = field(default_factory=list)
    components: list[ComponentStatus] = field(default_factory=list)
    asynchronous: AsyncStatus | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "endpoint": self.name,
            "status": self.status,
            "failure_reason": self.failure_reason,
            "variants": [v.__dict__ for v in self.variants],
            "inference_components": [c.__dict__ for c in self.components],
            "async": None if self.asynchronous is None else self.asynchronous.__dict__,
            "notes": self.notes,
        }


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _short(exc: Exception) -> str:
    """One line for an AWS error: its code and the first line of its message (bodies may be HTML)."""
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        message = str(error.get("Message", "")).strip().splitlines()
        text = message[0][:160] if message and not message[0].startswith("<") else ""
        operation = getattr(exc, "operation_name", "call")
        return f"{operation}: {error.get('Code', 'error')}{' ' + text if text else ''}"
    return str(exc).splitlines()[0][:160]


def describe_endpoint(sagemaker: Any, name: str) -> dict[str, Any]:
    try:
        return dict(sagemaker.describe_endpoint(EndpointName=name))
    except ClientError as exc:
        message = exc.response.get("Error", {}).get("Message", str(exc))
        if "Could not find" in message or "not found" in message.lower():
            raise LlmctlError(f"endpoint {name} does not exist in this account and region.", 3) from None
        raise LlmctlError(f"DescribeEndpoint for {name} failed: {message}", 5) from None
    except BotoCoreError as exc:
        raise LlmctlError(f"DescribeEndpoint for {name} failed: {exc}", 5) from None


def read_status(
    sagemaker: Any, autoscaling: Any | None, name: str, activities: int = 5, cloudwatch: Any | None = None
) -> EndpointStatus:
    described = describe_endpoint(sagemaker, name)
    variants = [
        VariantStatus(v["VariantName"], v.get("CurrentInstanceCount"), v.get("DesiredInstanceCount"))
        for v in described.get("ProductionVariants", [])
    ]
    status = EndpointStatus(name, described["EndpointStatus"], described.get("FailureReason"), variants)
    _add_components(sagemaker, status, described)
    if autoscaling is not None and variants:
        _add_scaling(autoscaling, status, activities)
    if cloudwatch is not None:
        _add_async(sagemaker, cloudwatch, status, described)
    return status


def _latest(cloudwatch: Any, endpoint: str, metric: str) -> float | None:
    """The newest one-minute maximum of an AWS/SageMaker endpoint metric in the last 10 minutes."""
    now = datetime.now(UTC)
    points = cloudwatch.get_metric_statistics(
        Namespace="AWS/SageMaker",
        MetricName=metric,
        Dimensions=[{"Name": "EndpointName", "Value": endpoint}],
        StartTime=now - timedelta(minutes=10),
        EndTime=now + timedelta(minutes=1),
        Period=60,
        Statistics=["Maximum"],
    ).get("Datapoints", [])
    return max(points, key=lambda p: p["Timestamp"])["Maximum"] if points else None


def _add_async(sagemaker: Any, cloudwatch: Any, status: EndpointStatus, described: dict[str, Any]) -> None:
    """Asynchronous endpoints: the queue's settings, its backlog and whether it waits for an instance."""
    try:
        config = sagemaker.describe_endpoint_config(EndpointConfigName=described["EndpointConfigName"])
    except (ClientError, BotoCoreError, KeyError) as exc:
        status.notes.append(f"endpoint configuration unavailable ({_short(exc)})")
        return
    settings = config.get("AsyncInferenceConfig")
    if not settings:
        return
    output = settings.get("OutputConfig", {})
    notification = output.get("NotificationConfig") or {}
    queue = AsyncStatus(
        max_concurrent_per_instance=int(
            settings.get("ClientConfig", {}).get("MaxConcurrentInvocationsPerInstance") or 0
        ),
        output_s3_uri=output.get("S3OutputPath", ""),
        failure_s3_uri=output.get("S3FailurePath"),
        topics={
            k: v
            for k, v in (("success", notification.get("SuccessTopic")), ("error", notification.get("ErrorTopic")))
            if v
        },
        scales_to_zero=any(v.min_capacity == 0 for v in status.variants),
    )
    status.asynchronous = queue
    try:
        queue.backlog = _latest(cloudwatch, status.name, "ApproximateBacklogSize")
        without = _latest(cloudwatch, status.name, "HasBacklogWithoutCapacity")
        queue.backlog_without_capacity = None if without is None else without >= 1
        alarms = cloudwatch.describe_alarms(AlarmNames=[f"{status.name}-async-from-zero"]).get("MetricAlarms", [])
        queue.from_zero_alarm = alarms[0]["StateValue"] if alarms else None
    except (ClientError, BotoCoreError) as exc:
        status.notes.append(f"backlog metrics unavailable ({_short(exc)}); check cloudwatch:GetMetricStatistics")
    if queue.backlog is not None:
        instances = sum(v.current_instances or 0 for v in status.variants)
        queue.in_flight = int(min(queue.backlog, queue.max_concurrent_per_instance * instances))
        queue.queued = int(queue.backlog) - queue.in_flight


def _add_components(sagemaker: Any, status: EndpointStatus, described: dict[str, Any]) -> None:
    """Component endpoints: each component's copies, and the variant's managed instance scaling bounds."""
    try:
        listed = sagemaker.list_inference_components(EndpointNameEquals=status.name).get("InferenceComponents", [])
        for summary in sorted(listed, key=lambda c: c["InferenceComponentName"]):
            component = sagemaker.describe_inference_component(InferenceComponentName=summary["InferenceComponentName"])
            runtime = component.get("RuntimeConfig", {})
            status.components.append(
                ComponentStatus(
                    component["InferenceComponentName"],
                    component.get("InferenceComponentStatus", "?"),
                    runtime.get("DesiredCopyCount"),
                    runtime.get("CurrentCopyCount"),
                )
            )
        if status.components:
            config = sagemaker.describe_endpoint_config(EndpointConfigName=described["EndpointConfigName"])
            managed = {v["VariantName"]: v.get("ManagedInstanceScaling") or {} for v in config["ProductionVariants"]}
            for variant in status.variants:
                bounds = managed.get(variant.name, {})
                if bounds.get("Status") == "ENABLED":
                    variant.min_capacity = bounds.get("MinInstanceCount")
                    variant.max_capacity = bounds.get("MaxInstanceCount")
    except (ClientError, BotoCoreError) as exc:
        status.notes.append(
            f"inference components unavailable ({_short(exc)}); check sagemaker:ListInferenceComponents"
        )


def _activities(autoscaling: Any, resource_id: str, limit: int) -> list[dict[str, Any]]:
    page = autoscaling.describe_scaling_activities(
        ServiceNamespace="sagemaker", ResourceId=resource_id, MaxResults=limit
    )
    return [
        {
            "start": _iso(a.get("StartTime")),
            "end": _iso(a.get("EndTime")),
            "status": a.get("StatusCode"),
            "description": a.get("Description"),
            "cause": a.get("Cause"),
        }
        for a in page.get("ScalingActivities", [])[:limit]
    ]


def _add_scaling(autoscaling: Any, status: EndpointStatus, limit: int) -> None:
    resource_ids: dict[str, VariantStatus | ComponentStatus] = {
        f"endpoint/{status.name}/variant/{v.name}": v for v in status.variants
    }
    resource_ids.update({f"inference-component/{c.name}": c for c in status.components})
    try:
        targets = autoscaling.describe_scalable_targets(ServiceNamespace="sagemaker", ResourceIds=list(resource_ids))
        for target in targets.get("ScalableTargets", []):
            found = resource_ids.get(target["ResourceId"])
            if isinstance(found, VariantStatus):
                found.min_capacity, found.max_capacity = target["MinCapacity"], target["MaxCapacity"]
            elif isinstance(found, ComponentStatus):
                found.min_copies, found.max_copies = target["MinCapacity"], target["MaxCapacity"]
        for resource_id, item in resource_ids.items():
            item.activities = _activities(autoscaling, resource_id, limit)
    except (ClientError, BotoCoreError) as exc:
        status.notes.append(
            f"autoscaling details unavailable ({_short(exc)}); check application-autoscaling:Describe* permissions"
        )
    scaled = [v.min_capacity for v in status.variants] + [c.min_copies for c in status.components]
    if all(bound is None for bound in scaled) and not status.notes:
        status.notes.append("no Application Auto Scaling target is registered for this endpoint")


def watch(
    sagemaker: Any,
    autoscaling: Any | None,
    name: str,
    interval: float,
    max_wait: float,
    console: Any,
    activities: int = 5,
    cloudwatch: Any | None = None,
) -> EndpointStatus:
    """Poll until the endpoint is InService, Failed or OutOfService, with a spinner; exit 5 after max_wait seconds."""
    status = read_status(sagemaker, autoscaling, name, activities, cloudwatch)
    started = time.monotonic()
    with console.status(f"{name}: {status.status}") as spinner:
        while status.status not in TERMINAL:
            elapsed = time.monotonic() - started
            if elapsed >= max_wait:
                raise LlmctlError(f"{name} is still {status.status} after {elapsed:.0f} s.", 5)
            time.sleep(min(interval, max(0.0, max_wait - elapsed)))
            status = read_status(sagemaker, autoscaling, name, activities, cloudwatch)
            spinner.update(f"{name}: {status.status} ({time.monotonic() - started:.0f} s)")
    return status

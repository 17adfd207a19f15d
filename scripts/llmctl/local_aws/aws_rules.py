"""AWS rules the local control plane enforces on top of moto, so a test sees them fail locally the way a real account
fails them (docs/updates.md gives each rule's source):

- UpdateEndpoint refuses a new instance type for a variant registered with Application Auto Scaling;
- UpdateEndpoint without RetainAllVariantProperties restarts each variant at the new configuration's initial count
  (with it, the current counts are kept); UpdateEndpointWeightsAndCapacities sets a variant's desired count, as the
  autoscaler does;
- DeleteEndpoint deregisters its variants' scalable targets, and deregistering a target deletes its scaling policies
  and scheduled actions;
- PutScalingPolicy rejects step adjustments AWS rejects, PutMetricAlarm an evaluation range over a day (a week for
  hourly periods), PutScheduledAction a cron expression without six fields;
- an update whose new fleet fails rolls back: the endpoint returns to InService on its old configuration, with the
  cause in FailureReason, when one of the deployment's rollback alarms is in ALARM or the new fleet fails its health
  check (test hook: a model whose environment sets FAIL_HEALTH_CHECK_ENV). A new endpoint that fails its health
  check ends Failed. The rollback is immediate here (on AWS it takes the baking period and minutes of RollingBack),
  so the provider's first DescribeEndpoint already sees InService, as it may on AWS when it polls past the rollback;
- Service Quotas lists "<type> for endpoint usage" for every instance type llmctl knows (`--endpoint-quota`, default
  DEFAULT_ENDPOINT_QUOTA), and CreateEndpoint/UpdateEndpoint fail with ResourceLimitExceeded when the instances the
  account runs of a type plus the new fleet exceed it (an update's new fleet runs beside the old one).
"""

from __future__ import annotations

import json
import re
from typing import Any

VARIANT_DIMENSION = "sagemaker:variant:DesiredInstanceCount"
# Test hook, like the emulated container's FAIL_* prompts: a model with this variable set fails its health check.
FAIL_HEALTH_CHECK_ENV = "LLM_EMULATOR_FAIL_HEALTH_CHECK"
_CRON = re.compile(r"^cron\(\S+( \S+){5}\)$")
DEFAULT_ENDPOINT_QUOTA = 8
endpoint_quota = DEFAULT_ENDPOINT_QUOTA  # set by `python -m llmctl.local_aws.server --endpoint-quota N`


def _autoscaling_backend(account: str, region: str) -> Any:
    from moto.applicationautoscaling.models import applicationautoscaling_backends

    return applicationautoscaling_backends[account][region]


def _variant_resource(endpoint: str, variant: str) -> str:
    return f"endpoint/{endpoint}/variant/{variant}"


def deregister(backend: Any, resource_id: str, dimension: str) -> None:
    """Remove a scalable target with its policies and scheduled actions, as AWS does."""
    backend.targets.get(dimension, {}).pop(resource_id, None)
    for key, policy in list(backend.policies.items()):
        if policy.resource_id == resource_id and policy.scalable_dimension == dimension:
            policy.delete_alarms(backend.account_id, backend.region_name)
            del backend.policies[key]
    backend.scheduled_actions[:] = [
        a for a in backend.scheduled_actions if not (a.resource_id == resource_id and a.scalable_dimension == dimension)
    ]


def check_instance_type_change(response: Any, endpoint: Any, new_variants: list[dict[str, Any]]) -> None:
    from moto.sagemaker.exceptions import ValidationError

    backend = response.sagemaker_backend
    old_config = backend.describe_endpoint_config(endpoint.endpoint_config_name)
    old_types = {v["VariantName"]: v.get("InstanceType") for v in old_config["ProductionVariants"]}
    targets = _autoscaling_backend(response.current_account, response.region).targets.get(VARIANT_DIMENSION, {})
    blocked = [
        v["VariantName"]
        for v in new_variants
        if _variant_resource(endpoint.endpoint_name, v["VariantName"]) in targets
        and old_types.get(v["VariantName"]) not in (None, v.get("InstanceType"))
    ]
    if blocked:
        raise ValidationError(
            message=f'The variant(s) "{blocked}" must be deregistered as scalable targets with AWS Application Auto '
            "Scaling before they can be removed or have their instance type updated."
        )


def check_async_switch(backend: Any, endpoint: Any, new_config_name: str) -> None:
    """UpdateEndpoint cannot turn a real-time endpoint asynchronous or back (the first sentence is SageMaker's, quoted
    in aws/sagemaker-python-sdk#3124; the addition's wording is the same rule's, inferred)."""
    from moto.sagemaker.exceptions import ValidationError

    old = bool(backend.describe_endpoint_config(endpoint.endpoint_config_name).get("AsyncInferenceConfig"))
    new = bool(backend.describe_endpoint_config(new_config_name).get("AsyncInferenceConfig"))
    if old != new:
        verb = "removed from" if old else "added to"
        raise ValidationError(
            message=f"The AsyncInferenceConfig parameter cannot be {verb} this endpoint {endpoint.endpoint_name}. To "
            "change the endpoint type, create a new endpoint."
        )


def keep_counts(old_variants: list[dict[str, Any]], new_variants: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """RetainAllVariantProperties: each variant keeps its current and desired instance counts."""
    old = {v["VariantName"]: v for v in old_variants}
    for variant in new_variants:
        for key in ("CurrentInstanceCount", "DesiredInstanceCount"):
            if key in old.get(variant["VariantName"], {}):
                variant[key] = old[variant["VariantName"]][key]
    return new_variants


def health_check_failure(sagemaker_backend: Any, variants: list[dict[str, Any]]) -> str | None:
    """AWS's FailureReason for a fleet whose container never answers /ping, or None if every model starts."""
    for variant in variants:
        model = sagemaker_backend._models.get(variant.get("ModelName"))
        environment = (getattr(model, "primary_container", None) or {}).get("Environment") or {}
        if environment.get(FAIL_HEALTH_CHECK_ENV):
            return (
                f"The primary container for production variant {variant['VariantName']} did not pass the ping health "
                "check. Please check CloudWatch logs for this endpoint."
            )
    return None


def alarms_in_alarm(account: str, region: str, deployment: dict[str, Any] | None) -> list[str]:
    """The deployment's rollback alarms that are in ALARM: any one of them rolls the deployment back."""
    from moto.cloudwatch.models import cloudwatch_backends

    names = [a["AlarmName"] for a in ((deployment or {}).get("AutoRollbackConfiguration") or {}).get("Alarms", [])]
    alarms = cloudwatch_backends[account][region].get_alarms_by_alarm_names(names)
    return sorted(alarm.name for alarm in alarms if alarm.state_value == "ALARM")


def rollback_reason(response: Any, variants: list[dict[str, Any]], deployment: dict[str, Any] | None) -> str | None:
    """Why SageMaker would roll this update back (its FailureReason), or None if the new fleet takes the traffic."""
    fired = alarms_in_alarm(response.current_account, response.region, deployment)
    if fired:
        # Modelled on AWS's wording, not captured from a response.
        return f"Rolled back the deployment because alarm(s) {', '.join(fired)} went into ALARM state."
    failure = health_check_failure(response.sagemaker_backend, variants)
    return f"Rolled back the deployment: {failure}" if failure else None


def instances_in_use(sagemaker_backend: Any) -> dict[str, int]:
    """Instances the account's endpoints run now, by type (a Failed endpoint runs none)."""
    used: dict[str, int] = {}
    for endpoint in sagemaker_backend.endpoints.values():
        config = sagemaker_backend.endpoint_configs.get(endpoint.endpoint_config_name)
        if endpoint.endpoint_status == "Failed" or config is None:
            continue
        types = {v["VariantName"]: v.get("InstanceType") for v in config.production_variants}
        for variant in endpoint.production_variants:
            instance = types.get(variant["VariantName"])
            if instance:
                used[instance] = used.get(instance, 0) + int(variant.get("CurrentInstanceCount") or 0)
    return used


def check_quota(sagemaker_backend: Any, new_variants: list[dict[str, Any]]) -> None:
    """ResourceLimitExceeded when running instances plus the new fleet exceed a type's endpoint-usage quota."""
    from moto.sagemaker.exceptions import SagemakerClientError

    class ResourceLimitExceeded(SagemakerClientError):
        code = "ResourceLimitExceeded"

    used = instances_in_use(sagemaker_backend)
    delta: dict[str, int] = {}
    for variant in new_variants:
        if variant.get("InstanceType"):
            delta[variant["InstanceType"]] = delta.get(variant["InstanceType"], 0) + int(
                variant.get("InitialInstanceCount") or 0
            )
    for instance, more in sorted(delta.items()):
        if used.get(instance, 0) + more > endpoint_quota:
            raise ResourceLimitExceeded(
                f"The account-level service limit '{instance} for endpoint usage' is {endpoint_quota} Instances, with "
                f"current utilization of {used.get(instance, 0)} Instances and a request delta of {more} Instances. "
                "Please use AWS Service Quotas to request an increase for this quota."
            )


def endpoint_quotas(account: str, region: str) -> list[dict[str, Any]]:
    """Service Quotas' SageMaker entries for endpoint usage, one per instance type llmctl knows."""
    from ..instances import INSTANCE_TYPES

    return [
        {
            "ServiceCode": "sagemaker",
            "ServiceName": "Amazon SageMaker",
            "QuotaArn": f"arn:aws:servicequotas:{region}:{account}:sagemaker/L-LOCAL{index:03d}",
            "QuotaCode": f"L-LOCAL{index:03d}",
            "QuotaName": f"{instance} for endpoint usage",
            "Value": float(endpoint_quota),
            "Unit": "None",
            "Adjustable": True,
            "GlobalQuota": False,
        }
        for index, instance in enumerate(sorted(INSTANCE_TYPES))
    ]


def _step_problem(steps: list[dict[str, Any]]) -> str | None:
    lowers = [s.get("MetricIntervalLowerBound") for s in steps]
    uppers = [s.get("MetricIntervalUpperBound") for s in steps]
    if lowers.count(None) > 1 or uppers.count(None) > 1:
        return "At most one step adjustment may have a null lower bound and one a null upper bound"
    if any(b is not None and float(b) < 0 for b in lowers) and None not in lowers:
        return "A step adjustment with a negative lower bound requires one with a null lower bound"
    if any(b is not None and float(b) > 0 for b in uppers) and None not in uppers:
        return "A step adjustment with a positive upper bound requires one with a null upper bound"
    return None


def apply() -> None:
    """Patch moto's responses in this process (called from patches.apply)."""
    from moto.applicationautoscaling.exceptions import AWSValidationException
    from moto.applicationautoscaling.responses import ApplicationAutoScalingResponse as Scaling
    from moto.cloudwatch.exceptions import ValidationError as AlarmValidationError
    from moto.cloudwatch.responses import CloudWatchResponse
    from moto.core.responses import ActionResult
    from moto.sagemaker.exceptions import ValidationError
    from moto.sagemaker.responses import SageMakerResponse as SageMaker

    delete_endpoint = SageMaker.delete_endpoint

    def delete_endpoint_and_its_scaling(self: Any) -> Any:
        name = self._get_param("EndpointName")
        endpoint = self.sagemaker_backend.endpoints.get(name)
        if endpoint is not None:
            backend = _autoscaling_backend(self.current_account, self.region)
            for variant in endpoint.production_variants:
                deregister(backend, _variant_resource(name, variant["VariantName"]), VARIANT_DIMENSION)
        return delete_endpoint(self)

    def update_endpoint_weights_and_capacities(self: Any) -> Any:
        name = self._get_param("EndpointName")
        endpoint = self.sagemaker_backend.endpoints.get(name)
        if endpoint is None:
            raise ValidationError(message=f'Could not find endpoint "{name}".')
        wanted = {d["VariantName"]: d for d in self._get_param("DesiredWeightsAndCapacities") or []}
        for variant in endpoint.production_variants:
            desired = wanted.get(variant["VariantName"], {})
            if "DesiredInstanceCount" in desired:
                variant["DesiredInstanceCount"] = variant["CurrentInstanceCount"] = desired["DesiredInstanceCount"]
        return ActionResult({"EndpointArn": endpoint.arn})

    deregister_scalable_target = Scaling.deregister_scalable_target

    def deregister_with_policies(self: Any) -> str:
        body: str = deregister_scalable_target(self)
        deregister(
            self.applicationautoscaling_backend, self._get_param("ResourceId"), self._get_param("ScalableDimension")
        )
        return body

    put_scaling_policy = Scaling.put_scaling_policy

    def put_scaling_policy_checked(self: Any) -> str:
        steps = (self._get_param("StepScalingPolicyConfiguration") or {}).get("StepAdjustments") or []
        problem = _step_problem(steps) if steps else None
        if problem:
            raise AWSValidationException(problem)
        result: str = put_scaling_policy(self)
        return result

    put_scheduled_action = Scaling.put_scheduled_action

    def put_scheduled_action_checked(self: Any) -> str:
        schedule = self._get_param("Schedule") or ""
        if schedule.startswith("cron(") and not _CRON.match(schedule):
            raise AWSValidationException(f"Schedule {schedule} is not a valid cron expression (six fields)")
        result: str = put_scheduled_action(self)
        return result

    put_metric_alarm = CloudWatchResponse.put_metric_alarm

    def put_metric_alarm_checked(self: Any) -> Any:
        period = int(self._get_param("Period") or 60)
        evaluations = int(self._get_param("EvaluationPeriods") or 1)
        limit = 604800 if period >= 3600 else 86400
        if period * evaluations > limit:
            raise AlarmValidationError(
                f"The evaluation period (Period × EvaluationPeriods = {period * evaluations} s) can be no longer "
                f"than {limit} seconds.",
            )
        return put_metric_alarm(self)

    from moto.servicequotas.responses import ServiceQuotasResponse

    def list_service_quotas(self: Any) -> str:
        service = json.loads(self.body).get("ServiceCode")
        quotas = endpoint_quotas(self.current_account, self.region) if service == "sagemaker" else []
        return json.dumps({"Quotas": quotas})

    ServiceQuotasResponse.list_service_quotas = list_service_quotas  # type: ignore[attr-defined]
    SageMaker.delete_endpoint = delete_endpoint_and_its_scaling  # type: ignore[method-assign]
    SageMaker.update_endpoint_weights_and_capacities = update_endpoint_weights_and_capacities  # type: ignore[method-assign]
    Scaling.deregister_scalable_target = deregister_with_policies  # type: ignore[method-assign]
    Scaling.put_scaling_policy = put_scaling_policy_checked  # type: ignore[method-assign]
    Scaling.put_scheduled_action = put_scheduled_action_checked  # type: ignore[method-assign]
    CloudWatchResponse.put_metric_alarm = put_metric_alarm_checked  # type: ignore[method-assign]

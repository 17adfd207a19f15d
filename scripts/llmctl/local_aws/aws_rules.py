"""AWS rules the local control plane enforces on top of moto, so a test sees them fail locally the way a real account
fails them (docs/updates.md gives each rule's source):

- UpdateEndpoint refuses a new instance type for a variant registered with Application Auto Scaling;
- UpdateEndpoint without RetainAllVariantProperties restarts each variant at the new configuration's initial count
  (with it, the current counts are kept); UpdateEndpointWeightsAndCapacities sets a variant's desired count, as the
  autoscaler does;
- DeleteEndpoint deregisters its variants' scalable targets, and deregistering a target deletes its scaling policies
  and scheduled actions;
- PutScalingPolicy rejects step adjustments AWS rejects, PutMetricAlarm an evaluation range over a day (a week for
  hourly periods), PutScheduledAction a cron expression without six fields.
"""

from __future__ import annotations

import re
from typing import Any

VARIANT_DIMENSION = "sagemaker:variant:DesiredInstanceCount"
_CRON = re.compile(r"^cron\(\S+( \S+){5}\)$")


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


def keep_counts(old_variants: list[dict[str, Any]], new_variants: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """RetainAllVariantProperties: each variant keeps its current and desired instance counts."""
    old = {v["VariantName"]: v for v in old_variants}
    for variant in new_variants:
        for key in ("CurrentInstanceCount", "DesiredInstanceCount"):
            if key in old.get(variant["VariantName"], {}):
                variant[key] = old[variant["VariantName"]][key]
    return new_variants


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

    SageMaker.delete_endpoint = delete_endpoint_and_its_scaling  # type: ignore[method-assign]
    SageMaker.update_endpoint_weights_and_capacities = update_endpoint_weights_and_capacities  # type: ignore[method-assign]
    Scaling.deregister_scalable_target = deregister_with_policies  # type: ignore[method-assign]
    Scaling.put_scaling_policy = put_scaling_policy_checked  # type: ignore[method-assign]
    Scaling.put_scheduled_action = put_scheduled_action_checked  # type: ignore[method-assign]
    CloudWatchResponse.put_metric_alarm = put_metric_alarm_checked  # type: ignore[method-assign]

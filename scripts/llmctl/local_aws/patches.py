"""What moto 5.2 lacks for the `local` Terraform environment, added at server start (never in the modules).

1. moto validates endpoint-configuration instance types against a pre-2020 list, so ml.g5/g6/g6e/p4d/p5 are
   rejected; the GPU types llmctl supports are added to the accepted set.
2. moto does not implement Application Auto Scaling's ListTagsForResource / TagResource / UntagResource (nor
   DescribeScalingActivities, answered with none: nothing scales locally); the AWS
   provider reads tags after creating a scalable target and retries the 500 for minutes. The three calls are added,
   with tags kept per resource ARN (including the Tags given to RegisterScalableTarget).
3. SageMaker fidelity that Terraform reads back: CreateModel/CreateEndpoint refuse an existing name (as AWS does,
   so a model-name collision fails locally too), empty VpcConfig/DataCaptureConfig are omitted, the endpoint keeps
   its deployment config (returned as LastDeploymentConfig) and the model its EnableNetworkIsolation, and
   UpdateEndpoint exists. Without these the provider sees drift and replaces the endpoint on every plan.
4. AWS's own rules for updates, rollbacks and scaling that moto does not enforce (aws_rules.py).
5. Inference components, which moto lacks (components.py).
"""

from __future__ import annotations

import json
from typing import Any

from . import aws_rules, components, iam_mode

_applied = False


def _extend_instance_types() -> None:
    from moto.sagemaker import models

    from ..instances import INSTANCE_TYPES

    original = models.FakeEndpointConfig.validate_instance_type

    def validate_instance_type(self: Any, instance_type: str) -> None:
        if instance_type in INSTANCE_TYPES:
            return
        original(self, instance_type)

    models.FakeEndpointConfig.validate_instance_type = validate_instance_type  # type: ignore[method-assign]


def _tag_store(response: Any) -> dict[str, dict[str, str]]:
    backend = response.applicationautoscaling_backend
    if not hasattr(backend, "llmctl_tags"):
        backend.llmctl_tags = {}
    store: dict[str, dict[str, str]] = backend.llmctl_tags
    return store


def _add_autoscaling_tags() -> None:
    from moto.applicationautoscaling.responses import ApplicationAutoScalingResponse as Response

    register = Response.register_scalable_target

    def register_scalable_target(self: Any) -> str:
        body = register(self)
        tags = self._get_param("Tags") or {}
        if tags:
            _tag_store(self).setdefault(json.loads(body)["ScalableTargetARN"], {}).update(tags)
        return body

    def list_tags_for_resource(self: Any) -> str:
        return json.dumps({"Tags": _tag_store(self).get(self._get_param("ResourceARN"), {})})

    def tag_resource(self: Any) -> str:
        _tag_store(self).setdefault(self._get_param("ResourceARN"), {}).update(self._get_param("Tags") or {})
        return "{}"

    def untag_resource(self: Any) -> str:
        tags = _tag_store(self).get(self._get_param("ResourceARN"), {})
        for key in self._get_param("TagKeys") or []:
            tags.pop(key, None)
        return "{}"

    def describe_scaling_activities(self: Any) -> str:
        # Nothing scales in the local control plane, so there is never an activity to report.
        return json.dumps({"ScalingActivities": []})

    Response.register_scalable_target = register_scalable_target  # type: ignore[method-assign]
    Response.list_tags_for_resource = list_tags_for_resource  # type: ignore[attr-defined]
    Response.tag_resource = tag_resource  # type: ignore[attr-defined]
    Response.untag_resource = untag_resource  # type: ignore[attr-defined]
    Response.describe_scaling_activities = describe_scaling_activities  # type: ignore[attr-defined]


def _describe_without_empty(response_cls: Any, action: str, keys: tuple[str, ...], extra: Any = None) -> None:
    """Wrap a Describe* response: drop empty blocks AWS omits, add what moto does not keep (`extra(backend, body)`)."""
    from moto.core.responses import ActionResult

    original = getattr(response_cls, action)

    def describe(self: Any) -> Any:
        body = dict(original(self).result)
        for key in keys:
            if body.get(key) in ({}, None):
                body.pop(key, None)
        if extra is not None:
            body.update(extra(self.sagemaker_backend, body))
        return ActionResult(body)

    setattr(response_cls, action, describe)


def _sagemaker_fidelity() -> None:
    from moto.core.responses import ActionResult
    from moto.sagemaker import models
    from moto.sagemaker.exceptions import ValidationError
    from moto.sagemaker.responses import SageMakerResponse as Response

    _describe_without_empty(
        Response,
        "describe_model",
        ("VpcConfig",),
        lambda backend, body: {
            "EnableNetworkIsolation": bool(
                getattr(backend._models[body["ModelName"]], "llmctl_network_isolation", False)
            )
        },
    )
    _describe_without_empty(
        Response, "describe_endpoint_config", ("DataCaptureConfig", "AsyncInferenceConfig", "KmsKeyId")
    )
    _describe_without_empty(
        Response,
        "describe_endpoint",
        ("DataCaptureConfig",),
        lambda backend, body: {
            key: value
            for key, value in [
                ("LastDeploymentConfig", getattr(backend.endpoints[body["EndpointName"]], "llmctl_deployment", None))
            ]
            if value
        },
    )

    create_model = Response.create_model

    def create_model_once(self: Any) -> Any:
        name = self._get_param("ModelName")
        if name in self.sagemaker_backend._models:
            arn = models.arn_formatter("model", name, self.current_account, self.region)
            raise ValidationError(message=f'Cannot create already existing model "{arn}".')
        result = create_model(self)
        self.sagemaker_backend._models[name].llmctl_network_isolation = self._get_param("EnableNetworkIsolation")
        return result

    create_endpoint = Response.create_endpoint

    def create_endpoint_once(self: Any) -> Any:
        name = self._get_param("EndpointName")
        if name in self.sagemaker_backend.endpoints:
            raise ValidationError(message=f'Cannot create already existing endpoint "{name}".')
        config_name = self._get_param("EndpointConfigName")
        if config_name in self.sagemaker_backend.endpoint_configs:
            config = self.sagemaker_backend.describe_endpoint_config(config_name)
            aws_rules.check_quota(self.sagemaker_backend, config["ProductionVariants"])
        result = create_endpoint(self)
        endpoint = self.sagemaker_backend.endpoints[name]
        endpoint.llmctl_deployment = self._get_param("DeploymentConfig")
        config = self.sagemaker_backend.describe_endpoint_config(endpoint.endpoint_config_name)
        failure = aws_rules.health_check_failure(self.sagemaker_backend, config["ProductionVariants"])
        if failure:
            endpoint.endpoint_status, endpoint.failure_reason = "Failed", failure
        return result

    def update_endpoint(self: Any) -> Any:
        backend = self.sagemaker_backend
        name = self._get_param("EndpointName")
        if name not in backend.endpoints:
            raise ValidationError(message=f'Could not find endpoint "{name}".')
        config_name = self._get_param("EndpointConfigName")
        config = backend.describe_endpoint_config(config_name)
        endpoint = backend.endpoints[name]
        aws_rules.check_instance_type_change(self, endpoint, config["ProductionVariants"])
        aws_rules.check_async_switch(backend, endpoint, config_name)
        aws_rules.check_quota(backend, config["ProductionVariants"])
        deployment = self._get_param("DeploymentConfig") or endpoint.llmctl_deployment
        endpoint.llmctl_deployment = deployment
        endpoint.last_modified_time = models.utcnow()
        endpoint.failure_reason = aws_rules.rollback_reason(self, config["ProductionVariants"], deployment)
        if endpoint.failure_reason:
            return ActionResult({"EndpointArn": endpoint.arn})  # rolled back: old configuration and fleet
        variants = endpoint._process_production_variants(config["ProductionVariants"])
        if self._get_param("RetainAllVariantProperties"):
            variants = aws_rules.keep_counts(endpoint.production_variants, variants)
        endpoint.endpoint_config_name = config_name
        endpoint.production_variants = variants
        return ActionResult({"EndpointArn": endpoint.arn})

    Response.create_model = create_model_once  # type: ignore[method-assign]
    Response.create_endpoint = create_endpoint_once  # type: ignore[method-assign]
    Response.update_endpoint = update_endpoint  # type: ignore[attr-defined]


def apply() -> None:
    """Patch moto in this process; idempotent."""
    global _applied
    if _applied:
        return
    _extend_instance_types()
    _add_autoscaling_tags()
    _sagemaker_fidelity()
    aws_rules.apply()
    components.apply()
    iam_mode.apply()
    _applied = True

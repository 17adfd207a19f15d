"""Inference components in the local control plane: moto 5.2 has none (its ListInferenceComponents answers 500,
its CloudFormation fails on the resource). Added at server start, with the rules AWS applies:

- an endpoint configuration may leave a variant without a model (component endpoints), then carries
  ExecutionRoleArn, ManagedInstanceScaling and RoutingConfig, which DescribeEndpointConfig returns;
- CreateInferenceComponent refuses an endpoint whose variant has a model ("Inference Components are not supported in
  this Endpoint…"), an unknown endpoint, variant or model, an existing name, and a copy that needs more GPUs, CPU
  cores or memory than one instance of the variant has;
- Describe / List / UpdateInferenceComponent / UpdateInferenceComponentRuntimeConfig / Delete, copies applied at
  once (locally there is no provisioning time) and RuntimeConfig reporting desired and current copies;
- Application Auto Scaling of copies (`inference-component/<name>`, DesiredCopyCount) for components that exist;
- CloudFormation's AWS::SageMaker::InferenceComponent, EndpointConfig's ExecutionRoleArn, and the Endpoint's and
  EndpointConfig's own names (moto generates them), so a stack creates what a template names.
"""

from __future__ import annotations

from typing import Any

COPY_DIMENSION = "sagemaker:inference-component:DesiredCopyCount"
NOT_COMPONENT_ENDPOINT = (
    "Inference Components are not supported in this Endpoint. Please make sure this endpoint can deploy inference "
    "components."
)


def _error(message: str) -> Exception:
    from moto.sagemaker.exceptions import ValidationError

    return ValidationError(message=message)


def _store(backend: Any) -> dict[str, dict[str, Any]]:
    if not hasattr(backend, "llmctl_components"):
        backend.llmctl_components = {}
    store: dict[str, dict[str, Any]] = backend.llmctl_components
    return store


def _variant(backend: Any, endpoint_name: str, variant_name: str) -> dict[str, Any]:
    if endpoint_name not in backend.endpoints:
        raise _error(f'Could not find endpoint "{endpoint_name}".')
    endpoint = backend.endpoints[endpoint_name]
    config = backend.describe_endpoint_config(endpoint.endpoint_config_name)
    for variant in config["ProductionVariants"]:
        if variant["VariantName"] == variant_name:
            if variant.get("ModelName"):
                raise _error(NOT_COMPONENT_ENDPOINT)
            return dict(variant)
    raise _error(f"Endpoint {endpoint_name} has no production variant named {variant_name}.")


def _check_fits(variant: dict[str, Any], requirements: dict[str, Any], name: str) -> None:
    from ..instances import INSTANCE_TYPES

    instance = INSTANCE_TYPES.get(variant.get("InstanceType", ""))
    if instance is None:
        return
    asks = {
        "accelerators": (requirements.get("NumberOfAcceleratorDevicesRequired") or 0, instance.gpu_count),
        "CPU cores": (requirements.get("NumberOfCpuCoresRequired") or 0, instance.vcpus),
        "MB of memory": (requirements.get("MinMemoryRequiredInMb") or 0, instance.memory_gib * 1024),
    }
    for what, (needed, available) in asks.items():
        if needed > available:
            raise _error(
                f"Inference component {name} requires {needed:g} {what} per copy, more than an instance of type "
                f"{instance.name} has ({available})."
            )


def create(backend: Any, params: dict[str, Any], account_id: str, region: str) -> dict[str, Any]:
    from moto.core.utils import utcnow

    name = params["InferenceComponentName"]
    store = _store(backend)
    if name in store:
        raise _error(f'Cannot create already existing inference component "{name}".')
    variant = _variant(backend, params["EndpointName"], params["VariantName"])
    specification = dict(params.get("Specification") or {})
    model_name = specification.get("ModelName")
    if model_name and model_name not in backend._models:
        raise _error(f"Could not find model '{model_name}'.")
    _check_fits(variant, specification.get("ComputeResourceRequirements") or {}, name)
    copies = int((params.get("RuntimeConfig") or {}).get("CopyCount", 1))
    now = utcnow()
    store[name] = {
        "InferenceComponentName": name,
        "InferenceComponentArn": f"arn:aws:sagemaker:{region}:{account_id}:inference-component/{name}",
        "EndpointName": params["EndpointName"],
        "EndpointArn": backend.endpoints[params["EndpointName"]].arn,
        "VariantName": params["VariantName"],
        "Specification": specification,
        "RuntimeConfig": {"DesiredCopyCount": copies, "CurrentCopyCount": copies},
        "InferenceComponentStatus": "InService",
        "CreationTime": now,
        "LastModifiedTime": now,
    }
    return store[name]


def describe(backend: Any, name: str) -> dict[str, Any]:
    found = _store(backend).get(name)
    if found is None:
        raise _error(f'Could not find inference component "{name}".')
    return found


def set_copies(backend: Any, name: str, copies: int) -> dict[str, Any]:
    from moto.core.utils import utcnow

    component = describe(backend, name)
    component["RuntimeConfig"] = {"DesiredCopyCount": copies, "CurrentCopyCount": copies}
    component["LastModifiedTime"] = utcnow()
    return component


def apply() -> None:
    _model_less_variants()
    _component_api()
    _cloudformation()
    _copy_autoscaling()


def _copy_autoscaling() -> None:
    """moto knows the variant's scalable dimension only; components scale `inference-component/<name>` by
    `sagemaker:inference-component:DesiredCopyCount`, and AWS refuses a target for a component that does not exist."""
    from moto.applicationautoscaling import models
    from moto.sagemaker.models import sagemaker_backends

    valid = models._target_params_are_valid

    def target_params_are_valid(namespace: str, r_id: str, dimension: str) -> bool:
        if dimension == COPY_DIMENSION and namespace == "sagemaker" and r_id.startswith("inference-component/"):
            return True
        return bool(valid(namespace, r_id, dimension))

    models._target_params_are_valid = target_params_are_valid

    from moto.applicationautoscaling.responses import ApplicationAutoScalingResponse as Response

    validate_params = Response._validate_params

    def validate_params_with_copies(self: Any) -> None:
        if (
            self._get_param("ScalableDimension") == COPY_DIMENSION
            and self._get_param("ServiceNamespace") == "sagemaker"
        ):
            return
        validate_params(self)

    Response._validate_params = validate_params_with_copies  # type: ignore[method-assign]

    register = models.ApplicationAutoscalingBackend.register_scalable_target

    def register_scalable_target(
        self: Any, namespace: str, r_id: str, dimension: str, *args: Any, **kwargs: Any
    ) -> Any:
        if dimension == COPY_DIMENSION:
            name = r_id.split("/", 1)[1]
            if name not in _store(sagemaker_backends[self.account_id][self.region_name]):
                raise models.AWSValidationException(f"Inference component {name} does not exist.")
        return register(self, namespace, r_id, dimension, *args, **kwargs)

    models.ApplicationAutoscalingBackend.register_scalable_target = register_scalable_target  # type: ignore[method-assign]


def _model_less_variants() -> None:
    from moto.sagemaker import models
    from moto.sagemaker.responses import SageMakerResponse

    validate = models.SageMakerModelBackend.validate_production_variants

    def validate_with_models_only(self: Any, production_variants: list[dict[str, Any]]) -> None:
        validate(self, [v for v in production_variants if v.get("ModelName")])

    models.SageMakerModelBackend.validate_production_variants = validate_with_models_only  # type: ignore[method-assign]

    create_config = SageMakerResponse.create_endpoint_config

    def create_endpoint_config(self: Any) -> Any:
        variants = self._get_param("ProductionVariants") or []
        role = self._get_param("ExecutionRoleArn")
        if any(not v.get("ModelName") for v in variants) and not role:
            raise _error("ExecutionRoleArn is required for an endpoint configuration whose variant has no model.")
        result = create_config(self)
        _keep_component_settings(self.sagemaker_backend, self._get_param("EndpointConfigName"), role, variants)
        return result

    SageMakerResponse.create_endpoint_config = create_endpoint_config  # type: ignore[method-assign]

    original_response = models.FakeEndpointConfig.response_object.fget  # type: ignore[attr-defined]

    def response_object(self: Any) -> dict[str, Any]:
        body: dict[str, Any] = original_response(self)
        if getattr(self, "llmctl_execution_role_arn", None):
            body["ExecutionRoleArn"] = self.llmctl_execution_role_arn
        return body

    models.FakeEndpointConfig.response_object = property(response_object)  # type: ignore[assignment]


def _keep_component_settings(backend: Any, config_name: str, role: str | None, variants: list[dict[str, Any]]) -> None:
    """moto drops ExecutionRoleArn, ManagedInstanceScaling and RoutingConfig: keep them for Describe."""
    config = backend.endpoint_configs[config_name]
    config.llmctl_execution_role_arn = role
    for kept, given in zip(config.production_variants, variants, strict=False):
        for key in ("ManagedInstanceScaling", "RoutingConfig"):
            if key in given:
                kept[key] = given[key]


def _component_api() -> None:
    from moto.core.responses import ActionResult, EmptyResult
    from moto.sagemaker.responses import SageMakerResponse

    def create_inference_component(self: Any) -> Any:
        params = {
            key: self._get_param(key)
            for key in ("InferenceComponentName", "EndpointName", "VariantName", "Specification", "RuntimeConfig")
        }
        component = create(self.sagemaker_backend, params, self.current_account, self.region)
        return ActionResult({"InferenceComponentArn": component["InferenceComponentArn"]})

    def describe_inference_component(self: Any) -> Any:
        return ActionResult(describe(self.sagemaker_backend, self._get_param("InferenceComponentName")))

    def list_inference_components(self: Any) -> Any:
        endpoint = self._get_param("EndpointNameEquals")
        summaries = [
            {
                key: component[key]
                for key in (
                    "InferenceComponentName",
                    "InferenceComponentArn",
                    "EndpointName",
                    "EndpointArn",
                    "VariantName",
                    "InferenceComponentStatus",
                    "CreationTime",
                    "LastModifiedTime",
                )
            }
            for component in _store(self.sagemaker_backend).values()
            if endpoint is None or component["EndpointName"] == endpoint
        ]
        return ActionResult({"InferenceComponents": summaries})

    def update_inference_component_runtime_config(self: Any) -> Any:
        copies = int(self._get_param("DesiredRuntimeConfig")["CopyCount"])
        component = set_copies(self.sagemaker_backend, self._get_param("InferenceComponentName"), copies)
        return ActionResult({"InferenceComponentArn": component["InferenceComponentArn"]})

    def update_inference_component(self: Any) -> Any:
        component = describe(self.sagemaker_backend, self._get_param("InferenceComponentName"))
        specification = self._get_param("Specification")
        if specification:
            variant = _variant(self.sagemaker_backend, component["EndpointName"], component["VariantName"])
            _check_fits(
                variant, specification.get("ComputeResourceRequirements") or {}, component["InferenceComponentName"]
            )
            component["Specification"] = specification
        runtime = self._get_param("RuntimeConfig")
        if runtime:
            set_copies(self.sagemaker_backend, component["InferenceComponentName"], int(runtime["CopyCount"]))
        return ActionResult({"InferenceComponentArn": component["InferenceComponentArn"]})

    def delete_inference_component(self: Any) -> Any:
        name = self._get_param("InferenceComponentName")
        describe(self.sagemaker_backend, name)
        del _store(self.sagemaker_backend)[name]
        return EmptyResult()

    for handler in (
        create_inference_component,
        describe_inference_component,
        list_inference_components,
        update_inference_component_runtime_config,
        update_inference_component,
        delete_inference_component,
    ):
        setattr(SageMakerResponse, handler.__name__, handler)


def _cloudformation() -> None:
    from moto.core.common_models import CloudFormationModel
    from moto.sagemaker import models

    original = models.FakeEndpointConfig.create_from_cloudformation_json.__func__  # type: ignore[attr-defined]

    def endpoint_config_from_cloudformation(
        cls: Any, resource_name: str, cloudformation_json: Any, *args: Any, **kwargs: Any
    ) -> Any:
        properties = cloudformation_json["Properties"]
        variants = properties["ProductionVariants"]
        role = properties.get("ExecutionRoleArn")
        if any(not v.get("ModelName") for v in variants) and not role:
            raise _error("ExecutionRoleArn is required for an endpoint configuration whose variant has no model.")
        config = original(cls, resource_name, cloudformation_json, *args, **kwargs)
        account_id, region = args[0], args[1]
        backend = models.sagemaker_backends[account_id][region]
        _keep_component_settings(backend, config.endpoint_config_name, role, variants)
        return config

    # moto names stack-made endpoints and configurations itself; CloudFormation uses their Name properties.
    models.FakeEndpoint.cloudformation_name_type = staticmethod(lambda: "EndpointName")  # type: ignore[method-assign]
    models.FakeEndpointConfig.cloudformation_name_type = staticmethod(lambda: "EndpointConfigName")  # type: ignore[method-assign]
    models.FakeEndpointConfig.create_from_cloudformation_json = classmethod(endpoint_config_from_cloudformation)  # type: ignore[method-assign,assignment]

    class FakeInferenceComponent(CloudFormationModel):
        def __init__(self, backend: Any, component: dict[str, Any]) -> None:
            self.backend, self.component = backend, component

        @property
        def physical_resource_id(self) -> str:
            return str(self.component["InferenceComponentArn"])

        @staticmethod
        def cloudformation_name_type() -> str:
            return "InferenceComponentName"

        @staticmethod
        def cloudformation_type() -> str:
            return "AWS::SageMaker::InferenceComponent"

        @classmethod
        def has_cfn_attr(cls, attr: str) -> bool:
            return attr == "InferenceComponentArn"  # CloudFormation's only name-like attribute (cfn-lint E6101)

        def get_cfn_attribute(self, attribute_name: str) -> Any:
            return self.component[attribute_name]

        @classmethod
        def create_from_cloudformation_json(
            cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any
        ) -> FakeInferenceComponent:
            backend = models.sagemaker_backends[account_id][region_name]
            properties = dict(cloudformation_json["Properties"])
            properties.setdefault("InferenceComponentName", resource_name)
            return cls(backend, create(backend, properties, account_id, region_name))

        @classmethod
        def delete_from_cloudformation_json(
            cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str
        ) -> None:
            backend = models.sagemaker_backends[account_id][region_name]
            store = _store(backend)
            for name, component in list(store.items()):
                if resource_name in (name, component["InferenceComponentArn"]):
                    del store[name]

    models.FakeInferenceComponent = FakeInferenceComponent  # type: ignore[attr-defined]
    from moto.cloudformation import parsing

    for cached in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
        cached.cache_clear()  # the resource types are collected once, from CloudFormationModel's subclasses

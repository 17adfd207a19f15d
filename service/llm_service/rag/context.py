"""How many prompt tokens the LLM's container accepts: read from its environment, as the container reads it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import RagError


@dataclass(frozen=True)
class ContextLimit:
    max_input_tokens: int | None  # the prompt alone
    max_total_tokens: int | None  # prompt + generated tokens

    def prompt_budget(self, max_new_tokens: int) -> int:
        """Tokens the prompt may take when `max_new_tokens` are asked for."""
        budgets = [b for b in (self.max_input_tokens,) if b]
        if self.max_total_tokens:
            budgets.append(self.max_total_tokens - max_new_tokens)
        if not budgets:
            raise RagError("the LLM's context length is unknown; set LLM_SERVICE_RAG_MAX_INPUT_TOKENS.", status=500)
        return min(budgets)


def container_flavor(image: str, env: Mapping[str, str]) -> str:
    """tgi, vllm, lmi or trtllm (LMI with the TensorRT-LLM engine), from the image repository and env."""
    repository = image.rsplit("/", 1)[-1].split(":", 1)[0]
    if "djl" in repository:
        return "trtllm" if env.get("OPTION_ROLLING_BATCH") == "trtllm" else "lmi"
    return "vllm" if "vllm" in repository else "tgi"


def _int(value: str | None) -> int | None:
    return int(value) if value and value.strip().isdigit() else None


def container_limits(image: str, env: Mapping[str, str]) -> ContextLimit:
    flavor = container_flavor(image, env)
    if flavor == "tgi":
        return ContextLimit(
            _int(env.get("MAX_INPUT_TOKENS") or env.get("MAX_INPUT_LENGTH")), _int(env.get("MAX_TOTAL_TOKENS"))
        )
    if flavor == "trtllm":  # the compiled engine's limits (trtllm-build --max_input_len / --max_seq_len)
        return ContextLimit(_int(env.get("OPTION_MAX_INPUT_LEN")), _int(env.get("OPTION_MAX_SEQ_LEN")))
    total_key = "OPTION_MAX_MODEL_LEN" if flavor == "lmi" else "SM_VLLM_MAX_MODEL_LEN"
    return ContextLimit(None, _int(env.get(total_key)))


def endpoint_limits(sagemaker: Any, endpoint_name: str, inference_component: str | None = None) -> ContextLimit:
    """The serving model's limits: DescribeEndpoint → DescribeEndpointConfig (or DescribeInferenceComponent) →
    DescribeModel's container image and environment."""
    if inference_component:
        spec = sagemaker.describe_inference_component(InferenceComponentName=inference_component)["Specification"]
        model_name = spec.get("ModelName")
    else:
        config_name = sagemaker.describe_endpoint(EndpointName=endpoint_name)["EndpointConfigName"]
        variants = sagemaker.describe_endpoint_config(EndpointConfigName=config_name)["ProductionVariants"]
        model_name = variants[0].get("ModelName")
    if not model_name:
        raise RagError(
            f"{endpoint_name} does not name its model; set LLM_SERVICE_RAG_MAX_INPUT_TOKENS (or --max-input-tokens).",
            status=500,
        )
    container = sagemaker.describe_model(ModelName=model_name).get("PrimaryContainer") or {}
    return container_limits(container.get("Image", ""), container.get("Environment") or {})

"""Service Quotas for endpoint instances: the quota "<type> for endpoint usage" and what the account runs of that
type now. Blue/green runs the new fleet beside the old one, so an update needs room for both; a team at its quota
would otherwise learn it from ResourceLimitExceeded well into the apply. The plan role needs exactly
servicequotas:ListServiceQuotas, sagemaker:ListEndpoints, sagemaker:DescribeEndpoint and
sagemaker:DescribeEndpointConfig (docs/updates.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

IN_USE_STATUSES = {"InService", "Creating", "Updating", "SystemUpdating", "RollingBack", "UpdateRollbackFailed"}


@dataclass(frozen=True)
class EndpointQuota:
    instance_type: str
    quota: float | None  # None: the account has no such quota (Service Quotas does not list it)
    in_use: int


def quota_name(instance_type: str) -> str:
    return f"{instance_type} for endpoint usage"


def endpoint_quotas(service_quotas: Any, instance_types: set[str]) -> dict[str, float]:
    """Applied quota values by instance type, from one paginated ListServiceQuotas of SageMaker."""
    wanted = {quota_name(t): t for t in instance_types}
    found: dict[str, float] = {}
    for page in service_quotas.get_paginator("list_service_quotas").paginate(ServiceCode="sagemaker"):
        for quota in page.get("Quotas", []):
            if quota.get("QuotaName") in wanted:
                found[wanted[quota["QuotaName"]]] = float(quota["Value"])
    return found


def instances_in_use(sagemaker: Any, instance_types: set[str]) -> dict[str, int]:
    """Instances of each type the account's endpoints run now (current counts, by their configurations' types)."""
    used = dict.fromkeys(instance_types, 0)
    for page in sagemaker.get_paginator("list_endpoints").paginate():
        for summary in page.get("Endpoints", []):
            if summary.get("EndpointStatus") not in IN_USE_STATUSES:
                continue
            endpoint = sagemaker.describe_endpoint(EndpointName=summary["EndpointName"])
            config = sagemaker.describe_endpoint_config(EndpointConfigName=endpoint["EndpointConfigName"])
            types = {v["VariantName"]: v.get("InstanceType") for v in config.get("ProductionVariants", [])}
            for variant in endpoint.get("ProductionVariants", []):
                instance = types.get(variant["VariantName"])
                if instance in used:
                    used[instance] += int(variant.get("CurrentInstanceCount") or 0)
    return used


def read(service_quotas: Any, sagemaker: Any, instance_types: set[str]) -> list[EndpointQuota]:
    quotas = endpoint_quotas(service_quotas, instance_types)
    used = instances_in_use(sagemaker, instance_types)
    return [EndpointQuota(t, quotas.get(t), used[t]) for t in sorted(instance_types)]

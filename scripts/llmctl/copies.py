"""Inference-component copies: how many copies of one model fit on an instance, by GPUs, CPU cores and host memory,
and the ComputeResourceRequirements each copy asks SageMaker for.

SageMaker keeps part of every instance of a component endpoint for itself, but publishes no figure: not the API
reference (InferenceComponentComputeResourceRequirements: MinMemoryRequiredInMb >= 128, NumberOfCpuCoresRequired
>= 0.25), not the CloudFormation specification, not the sagemaker SDK (ModelBuilder only caps a request at the
instance's vCPUs, from EC2 DescribeInstanceTypes) — checked 2026-11-30. llmctl therefore keeps a documented default
out of the split (HOST_RESERVE_*, docs/sizing.md); a copy that fits only inside it is refused here, not 15 minutes
into CreateInferenceComponent.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .instances import InstanceType

HOST_RESERVE_VCPUS = 1  # SageMaker's agents; no published figure (module docstring)
HOST_RESERVE_MIB = 4 * 1024
# Host memory a copy needs besides its weights: the launcher, router and tokenizers, the CUDA context per shard.
RUNTIME_HOST_MIB = 2 * 1024
MIB = 1024 * 1024


@dataclass(frozen=True)
class Copies:
    instance: InstanceType
    gpus_per_copy: int
    by_gpus: int
    by_cpu_cores: int
    by_memory: int
    cpu_cores_needed: int  # one per GPU shard plus the router
    memory_mib_needed: int  # the copy's weights pass through host memory while loading, plus the runtime

    @property
    def per_instance(self) -> int:
        return min(self.by_gpus, self.by_cpu_cores, self.by_memory)

    @property
    def limited_by(self) -> str:
        limits = {"GPUs": self.by_gpus, "CPU cores": self.by_cpu_cores, "host memory": self.by_memory}
        return min(limits, key=lambda name: limits[name])

    @property
    def idle_gpus(self) -> int:
        return self.instance.gpu_count - self.per_instance * self.gpus_per_copy

    @property
    def cpu_cores_per_copy(self) -> int:
        """NumberOfCpuCoresRequired: the instance's cores (less the reserve) in proportion to the copy's GPUs, so
        copies of several models packed by GPU never ask for more cores than the instance has."""
        usable = self.instance.vcpus - HOST_RESERVE_VCPUS
        return max(self.cpu_cores_needed, usable * self.gpus_per_copy // self.instance.gpu_count)

    def compute_requirements(self) -> dict[str, int]:
        """The component's ComputeResourceRequirements, as the API and CloudFormation spell them."""
        return {
            "NumberOfAcceleratorDevicesRequired": self.gpus_per_copy,
            "NumberOfCpuCoresRequired": self.cpu_cores_per_copy,
            "MinMemoryRequiredInMb": self.memory_mib_needed,
        }


def fit(instance: InstanceType, gpus_per_copy: int, weight_bytes: int) -> Copies:
    cores = gpus_per_copy + 1
    memory = math.ceil((weight_bytes / MIB + RUNTIME_HOST_MIB) / 1024) * 1024
    return Copies(
        instance=instance,
        gpus_per_copy=gpus_per_copy,
        by_gpus=instance.gpu_count // gpus_per_copy,
        by_cpu_cores=(instance.vcpus - HOST_RESERVE_VCPUS) // cores,
        by_memory=(instance.memory_gib * 1024 - HOST_RESERVE_MIB) // memory,
        cpu_cores_needed=cores,
        memory_mib_needed=memory,
    )

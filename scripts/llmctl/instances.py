"""SageMaker GPU instance types: GPU model, count, memory and local storage.

Memory is the per-GPU total the serving frameworks size from: they multiply their memory fraction by
`torch.cuda.mem_get_info()`'s total, which is below nvidia-smi's (an H100 80GB: 81079 MiB against 81559). Where that
figure has been observed it is used (sources in docs/sizing.md); elsewhere nvidia-smi's total stands, marked below.
The sagemaker SDK's instance_gpu_info.json covers only older families and rounds A10G up to 24576 MiB on some sizes;
tests compare the two where both know a type.
Every family here but p3 has NVMe instance storage, so SageMaker rejects VolumeSizeInGB for them (see the
SDK's `volume_size_supported`); the instance store size is what bounds a Hub download instead. p3 has none: its
weights go to an EBS ML storage volume, sized by render (1–512 GB).
Host memory (GiB) is EC2's figure for the same instance type; inference components split it, and the vCPUs, between
model copies.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import LlmctlError, close_matches


@dataclass(frozen=True)
class Gpu:
    model: str
    memory_mib: int
    compute_capability: float

    @property
    def supports_bf16(self) -> bool:
        return self.compute_capability >= 8.0

    @property
    def native_fp8(self) -> bool:
        return self.compute_capability >= 8.9


V100 = Gpu("NVIDIA V100 16GB", 16160, 7.0)  # nvidia-smi; torch's total not observed
T4 = Gpu("NVIDIA T4", 15104, 7.5)  # torch: 14.75 GiB total (nvidia-smi 15360)
A10G = Gpu("NVIDIA A10G", 22732, 8.6)  # torch: 22.20 GiB total (nvidia-smi 23028)
L4 = Gpu("NVIDIA L4", 23034, 8.9)  # nvidia-smi; torch's total not observed
L40S = Gpu("NVIDIA L40S", 46068, 8.9)  # nvidia-smi; torch's total not observed
A100_40 = Gpu("NVIDIA A100 40GB", 40960, 8.0)  # nvidia-smi; torch's total not observed
A100_80 = Gpu("NVIDIA A100 80GB", 81920, 8.0)  # nvidia-smi; torch's total not observed
H100 = Gpu("NVIDIA H100 80GB", 81079, 9.0)  # torch.cuda.mem_get_info (nvidia-smi 81559)
# torch.cuda.mem_get_info total on an H200 141GB (driver 580.159.04, torch 2.11; nvidia-smi 143771), REFERENCE.md
H200 = Gpu("NVIDIA H200 141GB", 143156, 9.0)


@dataclass(frozen=True)
class InstanceType:
    name: str
    gpu: Gpu
    gpu_count: int
    vcpus: int
    instance_store_gb: int
    memory_gib: int

    @property
    def family(self) -> str:
        return self.name.split(".")[1]

    @property
    def ebs_only(self) -> bool:
        """No instance store: SageMaker attaches an ML storage volume (VolumeSizeInGB) instead."""
        return self.instance_store_gb == 0

    @property
    def total_gpu_mib(self) -> int:
        return self.gpu.memory_mib * self.gpu_count


# size → (gpus, vCPUs) for the g families; instance store (GB) differs per family.
_G_SIZES = {
    "xlarge": (1, 4),
    "2xlarge": (1, 8),
    "4xlarge": (1, 16),
    "8xlarge": (1, 32),
    "16xlarge": (1, 64),
    "12xlarge": (4, 48),
    "24xlarge": (4, 96),
    "48xlarge": (8, 192),
}
_G_STORE = {
    "g5": {
        "xlarge": 250,
        "2xlarge": 450,
        "4xlarge": 600,
        "8xlarge": 900,
        "16xlarge": 1900,
        "12xlarge": 3800,
        "24xlarge": 3800,
        "48xlarge": 7600,
    },
    "g6": {
        "xlarge": 250,
        "2xlarge": 450,
        "4xlarge": 600,
        "8xlarge": 900,
        "16xlarge": 1880,
        "12xlarge": 3760,
        "24xlarge": 3760,
        "48xlarge": 7520,
    },
    "g6e": {
        "xlarge": 250,
        "2xlarge": 450,
        "4xlarge": 600,
        "8xlarge": 900,
        "16xlarge": 1900,
        "12xlarge": 3800,
        "24xlarge": 3800,
        "48xlarge": 7600,
    },
}
_G_GPU = {"g5": A10G, "g6": L4, "g6e": L40S}
# Host memory (GiB) per size: g5 and g6 alike, g6e twice theirs.
_G_MEMORY = {
    "xlarge": 16,
    "2xlarge": 32,
    "4xlarge": 64,
    "8xlarge": 128,
    "16xlarge": 256,
    "12xlarge": 192,
    "24xlarge": 384,
    "48xlarge": 768,
}
_G_MEMORY_FACTOR = {"g5": 1, "g6": 1, "g6e": 2}


def _build() -> dict[str, InstanceType]:
    types: dict[str, InstanceType] = {}
    for family, gpu in _G_GPU.items():
        for size, (gpus, vcpus) in _G_SIZES.items():
            name = f"ml.{family}.{size}"
            memory = _G_MEMORY[size] * _G_MEMORY_FACTOR[family]
            types[name] = InstanceType(name, gpu, gpus, vcpus, _G_STORE[family][size], memory)
    g4dn = {
        "xlarge": (1, 4, 125, 16),
        "2xlarge": (1, 8, 225, 32),
        "4xlarge": (1, 16, 225, 64),
        "8xlarge": (1, 32, 900, 128),
        "16xlarge": (1, 64, 900, 256),
        "12xlarge": (4, 48, 900, 192),
    }
    for size, (gpus, vcpus, store, memory) in g4dn.items():
        types[f"ml.g4dn.{size}"] = InstanceType(f"ml.g4dn.{size}", T4, gpus, vcpus, store, memory)
    for size, (gpus, vcpus, memory) in {
        "2xlarge": (1, 8, 61),
        "8xlarge": (4, 32, 244),
        "16xlarge": (8, 64, 488),
    }.items():
        types[f"ml.p3.{size}"] = InstanceType(f"ml.p3.{size}", V100, gpus, vcpus, 0, memory)
    for name, gpu, store, memory in [
        ("ml.p4d.24xlarge", A100_40, 8000, 1152),
        ("ml.p4de.24xlarge", A100_80, 8000, 1152),
        ("ml.p5.48xlarge", H100, 30400, 2048),
        ("ml.p5e.48xlarge", H200, 30400, 2048),
        ("ml.p5en.48xlarge", H200, 30400, 2048),
    ]:
        types[name] = InstanceType(name, gpu, 8, 96 if name.startswith("ml.p4") else 192, store, memory)
    return types


INSTANCE_TYPES: dict[str, InstanceType] = _build()
# Families SageMaker offers for hosting that have no NVIDIA GPU: named so the error can say so.
_NON_GPU_PREFIXES = ("ml.c", "ml.m", "ml.r", "ml.t", "ml.inf", "ml.trn", "ml.x")


def get_instance(name: str) -> InstanceType:
    """Look up a SageMaker GPU instance type; unknown or CPU-only types raise with close names."""
    normalized = name.strip().lower()
    if normalized and not normalized.startswith("ml."):
        normalized = "ml." + normalized
    found = INSTANCE_TYPES.get(normalized)
    if found is not None:
        return found
    if normalized.startswith(_NON_GPU_PREFIXES):
        raise LlmctlError(
            f"{name} has no NVIDIA GPU; choose a GPU instance type such as ml.g5.2xlarge, ml.g6e.xlarge "
            "or ml.p4d.24xlarge (see `llmctl instances`)."
        )
    hint = close_matches(normalized, list(INSTANCE_TYPES))
    raise LlmctlError(
        f"{name} is not a SageMaker GPU instance type this tool knows (g4dn, g5, g6, g6e, p3, p4d, p4de, p5, "
        f"p5e, p5en).{hint}"
    )


def by_size() -> list[InstanceType]:
    """Instance types from smallest to largest: total GPU memory, then GPU count, then vCPUs."""
    return sorted(INSTANCE_TYPES.values(), key=lambda t: (t.total_gpu_mib, t.gpu_count, t.vcpus))

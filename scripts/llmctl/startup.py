"""Endpoint startup timeouts and disk needs, scaled to the model's size.

Assumptions (docs/sizing.md): weights arrive at 150 MB/s (S3 or the Hub into the instance), load into
GPU memory at 1 GB/s, and warm-up (CUDA graphs, KV-cache profiling) takes 180 s plus 60 s when sharded.
Each estimate gets a 1.5× margin and is rounded up to a whole minute within SageMaker's 60–3600 s range.
With weights in S3, SageMaker downloads them and then starts the container, all inside the AWS provider's fixed
60-minute wait for InService: when the two timeouts add up to more, the margin is cut until they fit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

DOWNLOAD_BYTES_PER_S = 150e6
LOAD_BYTES_PER_S = 1e9
WARMUP_S = 180
SHARDED_WARMUP_S = 60
MARGIN = 1.5
MIN_TIMEOUT_S, MAX_TIMEOUT_S = 60, 3600
PROVIDER_WAIT_S = 3600  # hashicorp/aws waits at most 60 minutes for an endpoint to be InService
DISK_MARGIN = 1.1
DISK_SCRATCH_GB = 10


@dataclass(frozen=True)
class Startup:
    model_data_download_timeout_s: int
    container_startup_health_check_timeout_s: int
    disk_required_gb: int
    margin_cut_to_fit: bool = False  # S3 weights: the 1.5× margin was reduced to fit the provider's hour


class TooSlowToStart(ValueError):
    """Even without margin, download and startup take longer than the provider waits."""


def _clamp_minutes(seconds: float) -> int:
    rounded = math.ceil(seconds / 60) * 60
    return max(MIN_TIMEOUT_S, min(MAX_TIMEOUT_S, rounded))


def estimate(
    download_bytes: int,
    weights_from_hub: bool,
    tensor_parallel_degree: int,
    min_startup_s: int = 0,
    compile_s: float = 0,
) -> Startup:
    """`compile_s`: an engine built at startup before it serves (TensorRT-LLM's JIT compile)."""
    download_s = download_bytes / DOWNLOAD_BYTES_PER_S
    load_s = download_bytes / LOAD_BYTES_PER_S + compile_s
    warmup_s = WARMUP_S + (SHARDED_WARMUP_S if tensor_parallel_degree > 1 else 0)
    # From the Hub the container downloads during startup; from S3 SageMaker downloads before it starts.
    startup_s = (load_s + warmup_s + (download_s if weights_from_hub else 0)) * MARGIN
    download_timeout = _clamp_minutes(download_s * MARGIN + 60)
    startup_timeout = max(_clamp_minutes(startup_s), min_startup_s)
    disk_gb = math.ceil(download_bytes / 1e9 * DISK_MARGIN + DISK_SCRATCH_GB)
    if weights_from_hub or download_timeout + startup_timeout <= PROVIDER_WAIT_S:
        return Startup(download_timeout, startup_timeout, disk_gb)
    bare_download = download_s + 60
    bare_startup = max(load_s + warmup_s, min_startup_s)
    if bare_download + bare_startup > PROVIDER_WAIT_S:
        raise TooSlowToStart(round(bare_download + bare_startup))
    scale = PROVIDER_WAIT_S / (download_timeout + startup_timeout)
    download_timeout = max(math.floor(download_timeout * scale / 60) * 60, MIN_TIMEOUT_S)
    startup_timeout = max(PROVIDER_WAIT_S - download_timeout, min_startup_s)
    return Startup(download_timeout, startup_timeout, disk_gb, margin_cut_to_fit=True)

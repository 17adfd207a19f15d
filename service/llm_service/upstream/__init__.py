"""Where the service sends inference: the SageMaker runtime, or a TGI/OpenAI-protocol container URL."""

from .base import Upstream
from .http import HttpUpstream
from .sagemaker import SageMakerUpstream

__all__ = ["HttpUpstream", "SageMakerUpstream", "Upstream"]

"""`llmctl plan-review`: a reviewer's summary of a Terraform plan of this stack (replacements and why, SageMaker
rolls versus outages, IAM changes, $/hour before and after, danger flags). Layers: plan (load, classify) →
sagemaker / iam / cost / flags (findings) → review (the whole) → markdown / terminal (output)."""

from .review import Review, review

__all__ = ["Review", "review"]

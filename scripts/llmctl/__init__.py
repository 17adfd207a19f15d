"""llmctl: operator CLI for SageMaker LLM Stack (render → tfvars → Terraform → endpoint → client)."""

__version__ = "0.1.0"

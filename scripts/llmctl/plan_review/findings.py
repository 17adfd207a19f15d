"""What the analyses report: notes for the reviewer, and flags a CI can gate on (`--fail-on`)."""

from __future__ import annotations

from dataclasses import dataclass, field

# Flag ids: each names one rule (README: "Plan review").
FLAGS = {
    "replace-endpoint": "an endpoint is deleted and created again: no traffic is served until the new one is InService",
    "delete-endpoint": "an endpoint is deleted",
    "delete-data": "the model-artifacts bucket, the ECR repository or the KMS key is deleted or replaced",
    "disable-encryption": "encryption at rest is removed or weakened (KMS → AWS-managed or none)",
    "public-access": "an S3 public access block is removed or relaxed, or a bucket policy allows Principal *",
    "iam-wildcard": "an added IAM statement has a wildcard action, or Resource * for actions that can be scoped",
    "cost-increase": "the endpoint costs more per hour at its maximum capacity after the change",
    "capacity-drop": "an update restarts a variant at its configured initial count, below what autoscaling may run",
    "rollback-risk": "an update deletes the configuration a SageMaker rollback would return to",
    "autoscaled-instance-type": "an update changes the instance type of a variant registered with autoscaling",
    "invocation-mode": "an endpoint switches between real-time and asynchronous: it is replaced (UpdateEndpoint "
    "cannot add or remove AsyncInferenceConfig) and its callers' API changes (InvokeEndpoint ↔ InvokeEndpointAsync)",
    "quota": "the instances running plus those the plan starts exceed the Service Quotas value for that type",
}


@dataclass(frozen=True)
class Flag:
    id: str
    message: str


@dataclass
class Note:
    """One finding for the reviewer: a headline and detail lines."""

    severity: str  # info | warn | danger
    title: str
    details: list[str] = field(default_factory=list)

output "arn" {
  description = "Role ARN, built from its name so that it is known at plan time; available once the policy is attached."
  value       = "arn:${local.partition}:iam::${local.account}:role${var.path}${var.name}"
  # Consumers (CreateModel) must wait until the permissions exist, not only the role.
  depends_on = [aws_iam_role_policy.this]
}

output "name" {
  description = "Role name."
  value       = aws_iam_role.this.name
}

output "policy_json" {
  description = "The inline permissions policy, as JSON (for review and tests)."
  value       = data.aws_iam_policy_document.permissions.json
}

output "trust_policy_json" {
  description = "The trust policy, as JSON."
  value       = data.aws_iam_policy_document.trust.json
}

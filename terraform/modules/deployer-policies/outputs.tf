output "apply_policy_json" {
  description = "The apply role's policy: create, update and delete the stacks' resources, nothing else."
  value       = data.aws_iam_policy_document.apply.json
}

output "plan_policy_json" {
  description = "The plan role's policy: read what a plan refreshes, the state, and write only the state lock."
  value       = data.aws_iam_policy_document.plan.json
}

output "resource_id" {
  description = "Application Auto Scaling resource ID (endpoint/<name>/variant/<variant>)."
  value       = aws_appautoscaling_target.variant.resource_id
}

output "target_tracking_policy_arns" {
  description = "Target tracking policy ARNs by key (invocations, concurrency)."
  value       = { for key, policy in aws_appautoscaling_policy.target_tracking : key => policy.arn }
}

output "step_policy_arns" {
  description = "Step scaling policy ARNs by key."
  value       = { for key, policy in aws_appautoscaling_policy.step : key => policy.arn }
}

output "step_alarm_names" {
  description = "CloudWatch alarms that drive the step scaling policies, by key."
  value       = { for key, alarm in aws_cloudwatch_metric_alarm.step : key => alarm.alarm_name }
}

output "update_barrier" {
  description = "Changes when the instance type does, after the scaling is deregistered: the endpoint update waits for it (llm-endpoint `update_after`)."
  value       = terraform_data.instance_type.id
}

output "backlog_policy_arn" {
  description = "Asynchronous endpoints: the target-tracking policy on ApproximateBacklogSizePerInstance; null otherwise."
  value       = one(aws_appautoscaling_policy.backlog[*].arn)
}

output "scale_from_zero_alarm_name" {
  description = "Asynchronous endpoints at min_capacity 0: the HasBacklogWithoutCapacity alarm that adds the first instance; null otherwise."
  value       = one(aws_cloudwatch_metric_alarm.from_zero[*].alarm_name)
}

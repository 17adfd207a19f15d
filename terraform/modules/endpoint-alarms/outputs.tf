output "alarm_names" {
  description = "All alarm names by kind (errors_5xx, model_latency_p90, gpu_memory)."
  value = {
    errors_5xx        = aws_cloudwatch_metric_alarm.errors_5xx.alarm_name
    model_latency_p90 = aws_cloudwatch_metric_alarm.model_latency_p90.alarm_name
    gpu_memory        = aws_cloudwatch_metric_alarm.gpu_memory.alarm_name
  }
}

output "rollback_alarm_names" {
  description = "Alarms that should roll back a blue/green deployment: 5XX errors and p90 latency."
  value       = [aws_cloudwatch_metric_alarm.errors_5xx.alarm_name, aws_cloudwatch_metric_alarm.model_latency_p90.alarm_name]
}

output "sns_topic_arn" {
  description = "Topic the alarms notify, or null."
  value       = one(local.topic_arns)
}

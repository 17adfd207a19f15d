locals {
  dimensions = { EndpointName = var.endpoint_name, VariantName = var.variant_name }
  prefix     = var.alarm_name_prefix == null ? var.endpoint_name : var.alarm_name_prefix
  topic_arns = var.create_sns_topic ? [aws_sns_topic.alarms[0].arn] : (var.sns_topic_arn == null ? [] : [var.sns_topic_arn])
}

resource "aws_sns_topic" "alarms" {
  count = var.create_sns_topic ? 1 : 0

  name              = "${local.prefix}-alarms"
  kms_master_key_id = var.sns_kms_key_arn
  tags              = var.tags
}

resource "aws_cloudwatch_metric_alarm" "errors_5xx" {
  alarm_name          = "${local.prefix}-5xx-errors"
  alarm_description   = "The model container answered with 5XX errors on ${var.endpoint_name}/${var.variant_name}."
  namespace           = "AWS/SageMaker"
  metric_name         = "Invocation5XXErrors"
  dimensions          = local.dimensions
  statistic           = "Sum"
  period              = var.period_seconds
  evaluation_periods  = var.evaluation_periods
  threshold           = var.errors_5xx_threshold
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.topic_arns
  ok_actions          = local.topic_arns
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "model_latency_p90" {
  alarm_name          = "${local.prefix}-model-latency-p90"
  alarm_description   = "p90 model latency of ${var.endpoint_name}/${var.variant_name} is above ${var.model_latency_p90_ms} ms."
  namespace           = "AWS/SageMaker"
  metric_name         = "ModelLatency"
  dimensions          = local.dimensions
  extended_statistic  = "p90"
  period              = var.period_seconds
  evaluation_periods  = var.evaluation_periods
  threshold           = var.model_latency_p90_ms * 1000 # ModelLatency is in microseconds
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.topic_arns
  ok_actions          = local.topic_arns
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "gpu_memory" {
  alarm_name        = "${local.prefix}-gpu-memory"
  alarm_description = "GPU memory of ${var.endpoint_name}/${var.variant_name} is above ${var.gpu_memory_utilization_percent}% per GPU."
  namespace         = "/aws/sagemaker/Endpoints"
  metric_name       = "GPUMemoryUtilization"
  dimensions        = local.dimensions
  statistic         = "Maximum"
  period            = var.period_seconds
  # GPUMemoryUtilization is the sum over the instance's GPUs (0-100 × GPU count).
  evaluation_periods  = var.evaluation_periods
  threshold           = var.gpu_memory_utilization_percent * var.gpus_per_instance
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "missing"
  alarm_actions       = local.topic_arns
  ok_actions          = local.topic_arns
  tags                = var.tags
}

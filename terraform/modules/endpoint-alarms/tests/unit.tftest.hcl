mock_provider "aws" {}

variables {
  endpoint_name     = "llm-test"
  gpus_per_instance = 4
}

run "three_alarms_no_topic" {
  command = apply

  assert {
    condition     = aws_cloudwatch_metric_alarm.errors_5xx.metric_name == "Invocation5XXErrors" && aws_cloudwatch_metric_alarm.errors_5xx.statistic == "Sum"
    error_message = "5XX errors are summed"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.model_latency_p90.extended_statistic == "p90" && aws_cloudwatch_metric_alarm.model_latency_p90.threshold == 30000000
    error_message = "p90 model latency in microseconds (30 s)"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.gpu_memory.namespace == "/aws/sagemaker/Endpoints" && aws_cloudwatch_metric_alarm.gpu_memory.threshold == 392
    error_message = "GPU memory is summed over 4 GPUs: 98% each is 392"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.errors_5xx.dimensions == tomap({ EndpointName = "llm-test", VariantName = "AllTraffic" })
    error_message = "alarms watch the variant"
  }
  assert {
    condition     = length(aws_sns_topic.alarms) == 0 && length(aws_cloudwatch_metric_alarm.errors_5xx.alarm_actions) == 0
    error_message = "no topic, no actions"
  }
  assert {
    condition     = output.rollback_alarm_names == ["llm-test-5xx-errors", "llm-test-model-latency-p90"]
    error_message = "5XX and latency alarms roll deployments back"
  }
}

run "encrypted_topic" {
  command = plan

  variables {
    create_sns_topic = true
    sns_kms_key_arn  = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  }

  assert {
    condition     = aws_sns_topic.alarms[0].kms_master_key_id == var.sns_kms_key_arn && aws_sns_topic.alarms[0].name == "llm-test-alarms"
    error_message = "the topic is encrypted with the given key"
  }
}

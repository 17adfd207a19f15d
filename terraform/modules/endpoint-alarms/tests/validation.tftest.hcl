mock_provider "aws" {}

variables {
  endpoint_name = "llm-test"
}

run "period_not_minutes" {
  command = plan
  variables {
    period_seconds = 45
  }
  expect_failures = [var.period_seconds]
}

run "zero_evaluation_periods" {
  command = plan
  variables {
    evaluation_periods = 0
  }
  expect_failures = [var.evaluation_periods]
}

run "zero_errors" {
  command = plan
  variables {
    errors_5xx_threshold = 0
  }
  expect_failures = [var.errors_5xx_threshold]
}

run "latency_negative" {
  command = plan
  variables {
    model_latency_p90_ms = -1
  }
  expect_failures = [var.model_latency_p90_ms]
}

run "gpu_memory_over_100" {
  command = plan
  variables {
    gpu_memory_utilization_percent = 120
  }
  expect_failures = [var.gpu_memory_utilization_percent]
}

run "zero_gpus" {
  command = plan
  variables {
    gpus_per_instance = 0
  }
  expect_failures = [var.gpus_per_instance]
}

run "topic_without_key" {
  command = plan
  variables {
    create_sns_topic = true
  }
  expect_failures = [var.sns_kms_key_arn]
}

run "topic_arn_bad" {
  command = plan
  variables {
    sns_topic_arn = "llm-alarms"
  }
  expect_failures = [var.sns_topic_arn]
}

run "both_topics" {
  command = plan
  variables {
    create_sns_topic = true
    sns_kms_key_arn  = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    sns_topic_arn    = "arn:aws:sns:us-east-1:123456789012:alarms"
  }
  expect_failures = [var.sns_topic_arn]
}

run "prefix_with_space" {
  command = plan
  variables {
    alarm_name_prefix = "llm test"
  }
  expect_failures = [var.alarm_name_prefix]
}

run "endpoint_name_with_underscore" {
  command = plan
  variables {
    endpoint_name = "llm_test"
  }
  expect_failures = [var.endpoint_name]
}

run "variant_name_too_long" {
  command = plan
  variables {
    variant_name = "variant-${format("%070d", 0)}"
  }
  expect_failures = [var.variant_name]
}

run "topic_key_is_alias" {
  command = plan
  variables {
    sns_kms_key_arn = "alias/aws/sns"
  }
  expect_failures = [var.sns_kms_key_arn]
}

run "endpoint_name_too_long" {
  command = plan
  variables {
    endpoint_name = format("e%063d", 0)
  }
  expect_failures = [var.endpoint_name]
}

run "variant_name_with_underscore" {
  command = plan
  variables {
    variant_name = "All_Traffic"
  }
  expect_failures = [var.variant_name]
}

run "period_zero" {
  command = plan
  variables {
    period_seconds = 0
  }
  expect_failures = [var.period_seconds]
}

run "period_not_whole_minutes" {
  command = plan
  variables {
    period_seconds = 90
  }
  expect_failures = [var.period_seconds]
}

run "evaluation_periods_over_100" {
  command = plan
  variables {
    evaluation_periods = 101
  }
  expect_failures = [var.evaluation_periods]
}

run "evaluation_periods_not_whole" {
  command = plan
  variables {
    evaluation_periods = 1.5
  }
  expect_failures = [var.evaluation_periods]
}

run "latency_over_an_hour" {
  command = plan
  variables {
    model_latency_p90_ms = 3600001
  }
  expect_failures = [var.model_latency_p90_ms]
}

run "gpu_memory_zero" {
  command = plan
  variables {
    gpu_memory_utilization_percent = 0
  }
  expect_failures = [var.gpu_memory_utilization_percent]
}

run "gpus_over_16" {
  command = plan
  variables {
    gpus_per_instance = 17
  }
  expect_failures = [var.gpus_per_instance]
}

run "gpus_not_whole" {
  command = plan
  variables {
    gpus_per_instance = 1.5
  }
  expect_failures = [var.gpus_per_instance]
}

run "evaluation_range_over_a_day" {
  command = plan
  variables {
    period_seconds     = 1800
    evaluation_periods = 49
  }
  expect_failures = [var.evaluation_periods]
}

mock_provider "aws" {}

variables {
  endpoint_name = "llm-test"
  min_capacity  = 1
  max_capacity  = 4
}

run "concurrency_target_by_default" {
  command = apply

  assert {
    condition = (
      aws_appautoscaling_target.variant.resource_id == "endpoint/llm-test/variant/AllTraffic" &&
      aws_appautoscaling_target.variant.scalable_dimension == "sagemaker:variant:DesiredInstanceCount" &&
      aws_appautoscaling_target.variant.service_namespace == "sagemaker"
    )
    error_message = "the variant's desired instance count is the scalable target"
  }
  assert {
    condition     = aws_appautoscaling_target.variant.min_capacity == 1 && aws_appautoscaling_target.variant.max_capacity == 4
    error_message = "capacity bounds reach the target"
  }
  assert {
    condition     = keys(aws_appautoscaling_policy.target_tracking) == ["concurrency"]
    error_message = "by default one policy tracks concurrent requests"
  }
  assert {
    condition     = aws_appautoscaling_policy.target_tracking["concurrency"].target_tracking_scaling_policy_configuration[0].predefined_metric_specification[0].predefined_metric_type == "SageMakerVariantConcurrentRequestsPerModelHighResolution"
    error_message = "the high-resolution concurrency metric counts streams until their last token"
  }
  assert {
    condition = (
      aws_appautoscaling_policy.target_tracking["concurrency"].target_tracking_scaling_policy_configuration[0].scale_in_cooldown == 300 &&
      aws_appautoscaling_policy.target_tracking["concurrency"].target_tracking_scaling_policy_configuration[0].scale_out_cooldown == 60
    )
    error_message = "scale out after 60 s, in after 300 s"
  }
}

run "all_policy_kinds" {
  command = plan

  variables {
    target_tracking = { invocations_per_instance = 20, concurrent_requests_per_model = 8 }
    step_scaling = {
      backlog = {
        metric_name         = "ConcurrentRequestsPerModel"
        threshold           = 16
        comparison_operator = "GreaterThanOrEqualToThreshold"
        steps               = [{ lower_bound = 0, upper_bound = 10, adjustment = 1 }, { lower_bound = 10, adjustment = 2 }]
      }
    }
    scheduled_actions = {
      nights = { schedule = "cron(0 20 ? * MON-FRI *)", min_capacity = 1, max_capacity = 1, timezone = "Europe/Berlin" }
    }
  }

  assert {
    condition     = length(aws_appautoscaling_policy.target_tracking) == 2
    error_message = "invocations and concurrency policies"
  }
  assert {
    condition     = aws_appautoscaling_policy.target_tracking["invocations"].target_tracking_scaling_policy_configuration[0].predefined_metric_specification[0].predefined_metric_type == "SageMakerVariantInvocationsPerInstance"
    error_message = "invocations per instance policy"
  }
  assert {
    condition     = length(aws_appautoscaling_policy.step["backlog"].step_scaling_policy_configuration[0].step_adjustment) == 2
    error_message = "two steps"
  }
  assert {
    condition = (
      aws_cloudwatch_metric_alarm.step["backlog"].threshold == 16 &&
      aws_cloudwatch_metric_alarm.step["backlog"].dimensions == tomap({ EndpointName = "llm-test", VariantName = "AllTraffic" })
    )
    error_message = "the step policy's alarm watches the variant"
  }
  assert {
    condition     = aws_appautoscaling_scheduled_action.this["nights"].timezone == "Europe/Berlin" && aws_appautoscaling_scheduled_action.this["nights"].scalable_target_action[0].max_capacity == "1"
    error_message = "the scheduled action caps capacity at night"
  }
}

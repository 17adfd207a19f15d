mock_provider "aws" {
  # A policy ARN that the alarm's alarm_actions validation accepts.
  mock_resource "aws_appautoscaling_policy" {
    defaults = {
      arn = "arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:0f0e0d0c-0000-4000-8000-000000000000:resource/sagemaker/endpoint/llm-test/variant/AllTraffic:policyName/llm-test-async-from-zero"
    }
  }
}

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

run "async_backlog_scales_to_zero" {
  command = apply

  variables {
    min_capacity    = 0
    max_capacity    = 3
    target_tracking = {}
    backlog         = { target_per_instance = 3 }
  }

  assert {
    condition     = aws_appautoscaling_target.variant.min_capacity == 0 && length(aws_appautoscaling_policy.target_tracking) == 0
    error_message = "an async variant may scale to zero, on its backlog alone"
  }
  assert {
    condition = (
      aws_appautoscaling_policy.backlog[0].target_tracking_scaling_policy_configuration[0].target_value == 3 &&
      aws_appautoscaling_policy.backlog[0].target_tracking_scaling_policy_configuration[0].customized_metric_specification[0].metric_name == "ApproximateBacklogSizePerInstance" &&
      aws_appautoscaling_policy.backlog[0].target_tracking_scaling_policy_configuration[0].customized_metric_specification[0].namespace == "AWS/SageMaker" &&
      aws_appautoscaling_policy.backlog[0].target_tracking_scaling_policy_configuration[0].customized_metric_specification[0].statistic == "Average" &&
      one(aws_appautoscaling_policy.backlog[0].target_tracking_scaling_policy_configuration[0].customized_metric_specification[0].dimensions).name == "EndpointName" &&
      one(aws_appautoscaling_policy.backlog[0].target_tracking_scaling_policy_configuration[0].customized_metric_specification[0].dimensions).value == "llm-test"
    )
    error_message = "target tracking follows ApproximateBacklogSizePerInstance of the endpoint"
  }
  assert {
    condition = (
      aws_cloudwatch_metric_alarm.from_zero[0].metric_name == "HasBacklogWithoutCapacity" &&
      aws_cloudwatch_metric_alarm.from_zero[0].dimensions["EndpointName"] == "llm-test" && length(aws_cloudwatch_metric_alarm.from_zero[0].dimensions) == 1 &&
      aws_cloudwatch_metric_alarm.from_zero[0].threshold == 1 &&
      aws_cloudwatch_metric_alarm.from_zero[0].comparison_operator == "GreaterThanOrEqualToThreshold" &&
      one(aws_cloudwatch_metric_alarm.from_zero[0].alarm_actions) == aws_appautoscaling_policy.from_zero[0].arn
    )
    error_message = "a HasBacklogWithoutCapacity alarm drives the policy that adds the first instance"
  }
  assert {
    condition = (
      aws_appautoscaling_policy.from_zero[0].policy_type == "StepScaling" &&
      aws_appautoscaling_policy.from_zero[0].step_scaling_policy_configuration[0].adjustment_type == "ChangeInCapacity" &&
      one(aws_appautoscaling_policy.from_zero[0].step_scaling_policy_configuration[0].step_adjustment).scaling_adjustment == 1 &&
      one(aws_appautoscaling_policy.from_zero[0].step_scaling_policy_configuration[0].step_adjustment).metric_interval_lower_bound == "0"
    )
    error_message = "the scale-from-zero policy adds one instance"
  }
  assert {
    condition     = output.scale_from_zero_alarm_name == "llm-test-async-from-zero" && output.backlog_policy_arn != null
    error_message = "the module names its async policy and alarm"
  }
}

run "async_backlog_without_scale_to_zero" {
  command = plan

  variables {
    min_capacity = 1
    backlog      = {}
  }

  assert {
    condition     = length(aws_appautoscaling_policy.backlog) == 1 && length(aws_appautoscaling_policy.from_zero) == 0 && length(aws_cloudwatch_metric_alarm.from_zero) == 0
    error_message = "with an instance always up, no scale-from-zero alarm is needed"
  }
}

mock_provider "aws" {}

variables {
  endpoint_name = "llm-test"
  min_capacity  = 1
  max_capacity  = 4
}

run "min_above_max" {
  command = plan
  variables {
    min_capacity = 5
    max_capacity = 2
  }
  expect_failures = [var.max_capacity]
}

run "scale_to_zero" {
  command = plan
  variables {
    min_capacity = 0
  }
  expect_failures = [var.min_capacity]
}

run "negative_target" {
  command = plan
  variables {
    target_tracking = { concurrent_requests_per_model = -1 }
  }
  expect_failures = [var.target_tracking]
}

run "cooldown_too_long" {
  command = plan
  variables {
    target_tracking = { concurrent_requests_per_model = 8, scale_in_cooldown = 7200 }
  }
  expect_failures = [var.target_tracking]
}

run "step_key_uppercase" {
  command = plan
  variables {
    step_scaling = { Backlog = { metric_name = "X", threshold = 1, comparison_operator = "GreaterThanThreshold", steps = [{ lower_bound = 0, adjustment = 1 }] } }
  }
  expect_failures = [var.step_scaling]
}

run "step_bad_operator" {
  command = plan
  variables {
    step_scaling = { backlog = { metric_name = "X", threshold = 1, comparison_operator = ">", steps = [{ lower_bound = 0, adjustment = 1 }] } }
  }
  expect_failures = [var.step_scaling]
}

run "step_without_bounds" {
  command = plan
  variables {
    step_scaling = { backlog = { metric_name = "X", threshold = 1, comparison_operator = "GreaterThanThreshold", steps = [{ adjustment = 1 }] } }
  }
  expect_failures = [var.step_scaling]
}

run "schedule_not_cron" {
  command = plan
  variables {
    scheduled_actions = { nights = { schedule = "0 20 * * *", min_capacity = 1, max_capacity = 1 } }
  }
  expect_failures = [var.scheduled_actions]
}

run "schedule_min_above_max" {
  command = plan
  variables {
    scheduled_actions = { nights = { schedule = "rate(1 day)", min_capacity = 3, max_capacity = 1 } }
  }
  expect_failures = [var.scheduled_actions]
}

run "endpoint_name_bad" {
  command = plan
  variables {
    endpoint_name = "llm_test"
  }
  expect_failures = [var.endpoint_name]
}

run "variant_name_with_space" {
  command = plan
  variables {
    variant_name = "All Traffic"
  }
  expect_failures = [var.variant_name]
}

run "schedule_key_uppercase" {
  command = plan
  variables {
    scheduled_actions = { Nights = { schedule = "rate(1 day)", min_capacity = 1, max_capacity = 1 } }
  }
  expect_failures = [var.scheduled_actions]
}

run "endpoint_name_too_long" {
  command = plan
  variables {
    endpoint_name = format("e%063d", 0)
  }
  expect_failures = [var.endpoint_name]
}

run "variant_name_too_long" {
  command = plan
  variables {
    variant_name = format("e%063d", 0)
  }
  expect_failures = [var.variant_name]
}

run "min_not_whole" {
  command = plan
  variables {
    min_capacity = 1.5
  }
  expect_failures = [var.min_capacity]
}

run "max_not_whole" {
  command = plan
  variables {
    max_capacity = 2.5
  }
  expect_failures = [var.max_capacity]
}

run "scale_in_cooldown_negative" {
  command = plan
  variables {
    target_tracking = { concurrent_requests_per_model = 8, scale_in_cooldown = -1 }
  }
  expect_failures = [var.target_tracking]
}

run "scale_out_cooldown_negative" {
  command = plan
  variables {
    target_tracking = { concurrent_requests_per_model = 8, scale_out_cooldown = -1 }
  }
  expect_failures = [var.target_tracking]
}

run "scale_out_cooldown_too_long" {
  command = plan
  variables {
    target_tracking = { concurrent_requests_per_model = 8, scale_out_cooldown = 7200 }
  }
  expect_failures = [var.target_tracking]
}

run "step_bad_adjustment_type" {
  command = plan
  variables {
    step_scaling = { backlog = { metric_name = "X", threshold = 1, comparison_operator = "GreaterThanThreshold", steps = [{ lower_bound = 0, adjustment = 1 }], adjustment_type = "Absolute" } }
  }
  expect_failures = [var.step_scaling]
}

run "step_bad_statistic" {
  command = plan
  variables {
    step_scaling = { backlog = { metric_name = "X", threshold = 1, comparison_operator = "GreaterThanThreshold", steps = [{ lower_bound = 0, adjustment = 1 }], statistic = "p90" } }
  }
  expect_failures = [var.step_scaling]
}

run "step_bad_aggregation" {
  command = plan
  variables {
    step_scaling = { backlog = { metric_name = "X", threshold = 1, comparison_operator = "GreaterThanThreshold", steps = [{ lower_bound = 0, adjustment = 1 }], metric_aggregation_type = "Sum" } }
  }
  expect_failures = [var.step_scaling]
}

run "step_bad_missing_data" {
  command = plan
  variables {
    step_scaling = { backlog = { metric_name = "X", threshold = 1, comparison_operator = "GreaterThanThreshold", steps = [{ lower_bound = 0, adjustment = 1 }], treat_missing_data = "zero" } }
  }
  expect_failures = [var.step_scaling]
}

run "step_without_steps" {
  command = plan
  variables {
    step_scaling = { backlog = { metric_name = "X", threshold = 1, comparison_operator = "GreaterThanThreshold", steps = [] } }
  }
  expect_failures = [var.step_scaling]
}

run "step_period_not_allowed" {
  command = plan
  variables {
    step_scaling = { backlog = { metric_name = "X", threshold = 1, comparison_operator = "GreaterThanThreshold", steps = [{ lower_bound = 0, adjustment = 1 }], period = 45 } }
  }
  expect_failures = [var.step_scaling]
}

run "step_zero_evaluation_periods" {
  command = plan
  variables {
    step_scaling = { backlog = { metric_name = "X", threshold = 1, comparison_operator = "GreaterThanThreshold", steps = [{ lower_bound = 0, adjustment = 1 }], evaluation_periods = 0 } }
  }
  expect_failures = [var.step_scaling]
}

run "step_negative_cooldown" {
  command = plan
  variables {
    step_scaling = { backlog = { metric_name = "X", threshold = 1, comparison_operator = "GreaterThanThreshold", steps = [{ lower_bound = 0, adjustment = 1 }], cooldown = -1 } }
  }
  expect_failures = [var.step_scaling]
}

run "schedule_min_zero" {
  command = plan
  variables {
    scheduled_actions = { nights = { schedule = "rate(1 day)", min_capacity = 0, max_capacity = 1 } }
  }
  expect_failures = [var.scheduled_actions]
}

run "step_key_takes_a_target_tracking_name" {
  command = plan
  variables {
    step_scaling = { concurrency = { metric_name = "X", threshold = 1, comparison_operator = "GreaterThanThreshold", steps = [{ lower_bound = 0, adjustment = 1 }] } }
  }
  expect_failures = [var.step_scaling]
}

run "step_key_takes_an_endpoint_alarm_name" {
  command = plan
  variables {
    step_scaling = { "5xx-errors" = { metric_name = "X", threshold = 1, comparison_operator = "GreaterThanThreshold", steps = [{ lower_bound = 0, adjustment = 1 }] } }
  }
  expect_failures = [var.step_scaling]
}

run "step_evaluation_range_over_a_day" {
  command = plan
  variables {
    step_scaling = { backlog = { metric_name = "X", threshold = 1, comparison_operator = "GreaterThanThreshold", steps = [{ lower_bound = 0, adjustment = 1 }], period = 600, evaluation_periods = 150 } }
  }
  expect_failures = [var.step_scaling]
}

run "step_evaluation_range_over_a_week" {
  command = plan
  variables {
    step_scaling = { backlog = { metric_name = "X", threshold = 1, comparison_operator = "GreaterThanThreshold", steps = [{ lower_bound = 0, adjustment = 1 }], period = 3600, evaluation_periods = 169 } }
  }
  expect_failures = [var.step_scaling]
}

run "step_high_resolution_period_on_a_one_minute_metric" {
  command = plan
  variables {
    step_scaling = { backlog = { metric_name = "InvocationsPerInstance", threshold = 1, comparison_operator = "GreaterThanThreshold", steps = [{ lower_bound = 0, adjustment = 1 }], period = 10 } }
  }
  expect_failures = [var.step_scaling]
}

run "step_two_open_lower_bounds" {
  command = plan
  variables {
    step_scaling = { backlog = { metric_name = "X", threshold = 1, comparison_operator = "GreaterThanThreshold", steps = [{ upper_bound = 0, adjustment = -1 }, { upper_bound = 5, adjustment = 1 }] } }
  }
  expect_failures = [var.step_scaling]
}

run "step_two_open_upper_bounds" {
  command = plan
  variables {
    step_scaling = { backlog = { metric_name = "X", threshold = 1, comparison_operator = "GreaterThanThreshold", steps = [{ lower_bound = 0, adjustment = 1 }, { lower_bound = 5, adjustment = 2 }] } }
  }
  expect_failures = [var.step_scaling]
}

run "step_negative_lower_bound_without_an_open_step" {
  command = plan
  variables {
    step_scaling = { backlog = { metric_name = "X", threshold = 1, comparison_operator = "GreaterThanThreshold", steps = [{ lower_bound = -5, upper_bound = 5, adjustment = 1 }, { lower_bound = 5, adjustment = 2 }] } }
  }
  expect_failures = [var.step_scaling]
}

run "step_positive_upper_bound_without_an_open_step" {
  command = plan
  variables {
    step_scaling = { backlog = { metric_name = "X", threshold = 1, comparison_operator = "GreaterThanThreshold", steps = [{ lower_bound = 0, upper_bound = 10, adjustment = 1 }] } }
  }
  expect_failures = [var.step_scaling]
}

run "schedule_five_field_cron" {
  command = plan
  variables {
    scheduled_actions = { nights = { schedule = "cron(0 20 * * 1-5)", min_capacity = 1, max_capacity = 1 } }
  }
  expect_failures = [var.scheduled_actions]
}

run "high_resolution_period_on_the_concurrency_metric_is_accepted" {
  command = plan
  variables {
    step_scaling      = { backlog = { metric_name = "ConcurrentRequestsPerModel", threshold = 16, comparison_operator = "GreaterThanThreshold", period = 10, evaluation_periods = 3, steps = [{ lower_bound = 0, upper_bound = 10, adjustment = 1 }, { lower_bound = 10, adjustment = 2 }] } }
    scheduled_actions = { nights = { schedule = "cron(0 20 ? * MON-FRI *)", min_capacity = 1, max_capacity = 1 } }
  }
  assert {
    condition     = length(aws_cloudwatch_metric_alarm.step) == 1 && length(aws_appautoscaling_scheduled_action.this) == 1
    error_message = "a valid high-resolution step policy and a six-field cron plan"
  }
}

run "negative_min_with_backlog" {
  command = plan
  variables {
    min_capacity = -1
    backlog      = {}
  }
  expect_failures = [var.min_capacity]
}

run "backlog_target_zero" {
  command = plan
  variables {
    backlog = { target_per_instance = 0 }
  }
  expect_failures = [var.backlog]
}

run "backlog_scale_in_cooldown_negative" {
  command = plan
  variables {
    backlog = { scale_in_cooldown = -1 }
  }
  expect_failures = [var.backlog]
}

run "backlog_scale_in_cooldown_too_long" {
  command = plan
  variables {
    backlog = { scale_in_cooldown = 3601 }
  }
  expect_failures = [var.backlog]
}

run "backlog_scale_out_cooldown_negative" {
  command = plan
  variables {
    backlog = { scale_out_cooldown = -1 }
  }
  expect_failures = [var.backlog]
}

run "backlog_scale_out_cooldown_too_long" {
  command = plan
  variables {
    backlog = { scale_out_cooldown = 3601 }
  }
  expect_failures = [var.backlog]
}

run "step_key_taken_by_async_policy" {
  command = plan
  variables {
    step_scaling = {
      async-from-zero = {
        metric_name         = "HasBacklogWithoutCapacity"
        threshold           = 1
        comparison_operator = "GreaterThanOrEqualToThreshold"
        steps               = [{ lower_bound = 0, adjustment = 1 }]
      }
    }
  }
  expect_failures = [var.step_scaling]
}

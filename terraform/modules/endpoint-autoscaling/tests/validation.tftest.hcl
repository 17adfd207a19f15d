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

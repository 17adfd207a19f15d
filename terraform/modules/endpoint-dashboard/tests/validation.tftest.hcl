# Every validation rule of the module, each with an input that must fail at plan time.
mock_provider "aws" {}

variables {
  endpoint_name = "llm-test"
  region        = "us-east-1"
}

run "endpoint_name_too_long" {
  command = plan
  variables {
    endpoint_name = join("", [for i in range(64) : "a"])
  }
  expect_failures = [var.endpoint_name]
}

run "endpoint_name_with_an_underscore" {
  command = plan
  variables {
    endpoint_name = "llm_test"
  }
  expect_failures = [var.endpoint_name]
}

run "max_below_min" {
  command = plan
  variables {
    min_capacity = 3
    max_capacity = 2
  }
  expect_failures = [var.max_capacity]
}

run "gpus_zero" {
  command = plan
  variables {
    gpus_per_instance = 0
  }
  expect_failures = [var.gpus_per_instance]
}

run "gpus_fractional" {
  command = plan
  variables {
    gpus_per_instance = 1.5
  }
  expect_failures = [var.gpus_per_instance]
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "unit-test"
  secret_key                  = "unit-test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}

variables {
  alias      = "llm-test"
  account_id = "123456789012"
}

run "alias_reserved_prefix" {
  command = plan
  variables {
    alias = "aws/llm"
  }
  expect_failures = [var.alias]
}

run "account_id_not_digits" {
  command = plan
  variables {
    account_id = "my-account"
  }
  expect_failures = [var.account_id]
}

run "deletion_window_too_short" {
  command = plan
  variables {
    deletion_window_in_days = 3
  }
  expect_failures = [var.deletion_window_in_days]
}

run "log_group_name_invalid" {
  command = plan
  variables {
    cloudwatch_log_group_names = ["bad name with spaces"]
  }
  expect_failures = [var.cloudwatch_log_group_names]
}

run "alias_with_space" {
  command = plan
  variables {
    alias = "llm test"
  }
  expect_failures = [var.alias]
}

run "deletion_window_too_long" {
  command = plan
  variables {
    deletion_window_in_days = 31
  }
  expect_failures = [var.deletion_window_in_days]
}

run "deletion_window_not_whole" {
  command = plan
  variables {
    deletion_window_in_days = 7.5
  }
  expect_failures = [var.deletion_window_in_days]
}

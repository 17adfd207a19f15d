# Every validation rule of the module, each with an input that must fail at plan time.
provider "aws" {
  region                      = "us-east-1"
  access_key                  = "unit-test"
  secret_key                  = "unit-test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}

variables {
  stack_names       = ["llm-test"]
  account_id        = "123456789012"
  region            = "us-east-1"
  state_bucket_name = "llm-state-123456789012"
}

run "scoped_to_the_stack" {
  command = plan

  assert {
    condition = one([
      for s in jsondecode(output.apply_policy_json).Statement : s.Resource if s.Sid == "PassExecutionRoleToSageMaker"
    ]) == "arn:aws:iam::123456789012:role/llm-test-sagemaker-execution"
    error_message = "the apply role passes only the stack's execution role"
  }
  assert {
    condition = one([
      for s in jsondecode(output.plan_policy_json).Statement : s.Resource if s.Sid == "StateLock"
    ]) == "arn:aws:s3:::llm-state-123456789012/sagemaker-llm-stack/*/terraform.tfstate.tflock"
    error_message = "the plan role writes only the state lock"
  }
}

run "no_stacks" {
  command = plan
  variables {
    stack_names = []
  }
  expect_failures = [var.stack_names]
}

run "stack_name_with_a_wildcard" {
  command = plan
  variables {
    stack_names = ["llm-*"]
  }
  expect_failures = [var.stack_names]
}

run "account_not_digits" {
  command = plan
  variables {
    account_id = "12345678901x"
  }
  expect_failures = [var.account_id]
}

run "region_not_a_region" {
  command = plan
  variables {
    region = "useast1"
  }
  expect_failures = [var.region]
}

run "state_bucket_not_a_bucket_name" {
  command = plan
  variables {
    state_bucket_name = "Team_State"
  }
  expect_failures = [var.state_bucket_name]
}

run "stack_name_too_long" {
  command = plan
  variables {
    stack_names = ["a-very-long-endpoint-name-for-a-small-llm-stack"]
  }
  expect_failures = [var.stack_names]
}

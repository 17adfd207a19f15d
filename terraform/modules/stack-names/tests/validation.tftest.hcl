# Every validation rule of the module, each with an input that must fail at plan time.
variables {
  name       = "llm-test"
  account_id = "123456789012"
  region     = "us-east-1"
}

run "names_follow_the_stack" {
  command = plan

  assert {
    condition     = output.bucket_name == "llm-test-artifacts-123456789012" && output.repository == "llm-test/service"
    error_message = "bucket and repository names are the stack's"
  }
  assert {
    condition     = output.arns.sagemaker_endpoint == "arn:aws:sagemaker:us-east-1:123456789012:endpoint/llm-test"
    error_message = "the endpoint ARN is the stack's name, lower-cased as SageMaker does"
  }
}

run "name_too_long" {
  command = plan
  variables {
    name = "a-very-long-endpoint-name-for-a-small-llm-stack"
  }
  expect_failures = [var.name]
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

run "unknown_partition" {
  command = plan
  variables {
    partition = "aws-eu"
  }
  expect_failures = [var.partition]
}

run "role_path_without_slashes" {
  command = plan
  variables {
    role_path = "sagemaker"
  }
  expect_failures = [var.role_path]
}

run "name_with_an_underscore" {
  command = plan
  variables {
    name = "llm_test"
  }
  expect_failures = [var.name]
}

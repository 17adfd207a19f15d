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
  name                 = "llm-test-sagemaker-execution"
  account_id           = "123456789012"
  endpoint_name        = "llm-test"
  image_uris           = ["763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.7.0-tgi3.3.6-gpu-py311-cu124-ubuntu22.04"]
  ecr_repository_names = ["llm-test/service"]
  model_data_s3_uri    = "s3://llm-test-artifacts/models/llama-3.1-8b/"
  kms_key_aliases      = ["llm-test"]
}

run "name_too_long" {
  command = plan

  variables {
    name = join("", [for i in range(65) : "a"])
  }

  expect_failures = [var.name]
}

run "path_without_slashes" {
  command = plan

  variables {
    path = "sagemaker"
  }

  expect_failures = [var.path]
}

run "account_id_short" {
  command = plan

  variables {
    account_id = "12345"
  }

  expect_failures = [var.account_id]
}

run "endpoint_name_bad" {
  command = plan

  variables {
    endpoint_name = "-llm"
  }

  expect_failures = [var.endpoint_name]
}

run "no_images" {
  command = plan

  variables {
    image_uris = []
  }

  expect_failures = [var.image_uris]
}

run "image_on_docker_hub" {
  command = plan

  variables {
    image_uris = ["vllm/vllm-openai:latest"]
  }

  expect_failures = [var.image_uris]
}

run "repository_as_arn" {
  command = plan

  variables {
    ecr_repository_names = ["arn:aws:ecr:us-east-1:123456789012:repository/llm"]
  }

  expect_failures = [var.ecr_repository_names]
}

run "model_uri_without_slash" {
  command = plan

  variables {
    model_data_s3_uri = "s3://llm-test-artifacts/models/llama"
  }

  expect_failures = [var.model_data_s3_uri]
}

run "capture_uri_bad" {
  command = plan

  variables {
    data_capture_s3_uri = "llm-test-artifacts/capture/"
  }

  expect_failures = [var.data_capture_s3_uri]
}

run "key_arn_is_alias" {
  command = plan

  variables {
    kms_key_arns = ["arn:aws:kms:us-east-1:123456789012:alias/llm"]
  }

  expect_failures = [var.kms_key_arns]
}

run "alias_with_prefix" {
  command = plan

  variables {
    kms_key_aliases = ["alias/llm-test"]
  }

  expect_failures = [var.kms_key_aliases]
}

run "namespace_wildcard" {
  command = plan

  variables {
    metric_namespaces = ["*"]
  }

  expect_failures = [var.metric_namespaces]
}

run "vpc_bad_subnet" {
  command = plan

  variables {
    vpc_config = { subnet_ids = ["vpc-123"], security_group_ids = ["sg-0123456789abcdef0"] }
  }

  expect_failures = [var.vpc_config]
}

run "boundary_not_a_policy" {
  command = plan

  variables {
    permissions_boundary_arn = "arn:aws:iam::123456789012:role/x"
  }

  expect_failures = [var.permissions_boundary_arn]
}

run "endpoint_name_too_long" {
  command = plan
  variables {
    endpoint_name = format("e%063d", 0)
  }
  expect_failures = [var.endpoint_name]
}

run "alias_with_space" {
  command = plan
  variables {
    kms_key_aliases = ["llm test"]
  }
  expect_failures = [var.kms_key_aliases]
}

run "no_namespaces" {
  command = plan
  variables {
    metric_namespaces = []
  }
  expect_failures = [var.metric_namespaces]
}

run "vpc_without_subnets" {
  command = plan
  variables {
    vpc_config = { subnet_ids = [], security_group_ids = ["sg-0123456789abcdef0"] }
  }
  expect_failures = [var.vpc_config]
}

run "vpc_without_security_groups" {
  command = plan
  variables {
    vpc_config = { subnet_ids = ["subnet-0123456789abcdef0"], security_group_ids = [] }
  }
  expect_failures = [var.vpc_config]
}

run "vpc_bad_security_group" {
  command = plan
  variables {
    vpc_config = { subnet_ids = ["subnet-0123456789abcdef0"], security_group_ids = ["group-1"] }
  }
  expect_failures = [var.vpc_config]
}

run "rollback_alarm_name_empty" {
  command = plan
  variables {
    rollback_alarm_names = [""]
  }
  expect_failures = [var.rollback_alarm_names]
}

run "rollback_alarm_name_too_long" {
  command = plan
  variables {
    rollback_alarm_names = [format("a%0255d", 0)]
  }
  expect_failures = [var.rollback_alarm_names]
}

run "weights_key_without_weights" {
  command = plan

  variables {
    model_data_s3_uri  = null
    model_data_kms_key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  }

  expect_failures = [var.model_data_kms_key]
}

run "weights_key_given_as_an_alias" {
  command = plan

  variables {
    model_data_kms_key = "arn:aws:kms:us-east-1:123456789012:alias/team-models"
  }

  expect_failures = [var.model_data_kms_key]
}

run "component_uri_without_slash" {
  command = plan

  variables {
    model_data_s3_uris = ["s3://llm-test-artifacts/models/llama"]
  }

  expect_failures = [var.model_data_s3_uris]
}

run "async_input_not_a_prefix" {
  command = plan
  variables {
    async_input_s3_uri = "s3://llm-test-artifacts/async/llm-test/input"
  }
  expect_failures = [var.async_input_s3_uri]
}

run "async_output_not_s3" {
  command = plan
  variables {
    async_output_s3_uris = ["https://llm-test-artifacts.s3.amazonaws.com/async/llm-test/output/"]
  }
  expect_failures = [var.async_output_s3_uris]
}

run "async_topic_not_sns" {
  command = plan
  variables {
    async_topic_arns = ["arn:aws:sqs:us-east-1:123456789012:llm-test-async-success"]
  }
  expect_failures = [var.async_topic_arns]
}

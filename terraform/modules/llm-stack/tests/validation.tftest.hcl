provider "aws" {
  region                      = "us-east-1"
  access_key                  = "unit-test"
  secret_key                  = "unit-test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}

variables {
  name                                              = "llm-test"
  account_id                                        = "123456789012"
  image_uri                                         = "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.7.0-tgi3.3.6-gpu-py311-cu124-ubuntu22.04"
  instance_type                                     = "ml.g5.2xlarge"
  container_startup_health_check_timeout_in_seconds = 480
  model_data_download_timeout_in_seconds            = 240
  container_env                                     = { HF_MODEL_ID = "meta-llama/Llama-3.1-8B-Instruct" }
}

run "name_too_long_for_derived_names" {
  command = plan
  variables {
    name = "a-very-long-endpoint-name-for-a-small-llm-stack"
  }
  expect_failures = [var.name]
}

run "tfvars_from_a_newer_schema" {
  command = plan
  variables {
    llm_render = { schema_version = "3" }
  }
  expect_failures = [var.llm_render]
}

run "tensor_parallel_not_a_number" {
  command = plan
  variables {
    llm_render = { tensor_parallel_degree = "eight" }
  }
  expect_failures = [var.llm_render]
}

run "account_id_not_digits" {
  command = plan
  variables {
    account_id = "12345678901x"
  }
  expect_failures = [var.account_id]
}

run "instance_count_above_max_capacity" {
  command = plan
  variables {
    initial_instance_count = 3
    autoscaling            = { min_capacity = 1, max_capacity = 2 }
  }
  expect_failures = [var.initial_instance_count]
}

run "instance_count_below_min_capacity" {
  command = plan
  variables {
    initial_instance_count = 1
    autoscaling            = { min_capacity = 2, max_capacity = 4 }
  }
  expect_failures = [var.initial_instance_count]
}

run "instance_count_not_whole" {
  command = plan
  variables {
    initial_instance_count = 1.5
  }
  expect_failures = [var.initial_instance_count]
}

run "name_with_underscore" {
  command = plan
  variables {
    name = "llm_test"
  }
  expect_failures = [var.name]
}

run "weights_key_without_weights" {
  command = plan
  variables {
    model_data_kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  }
  expect_failures = [var.model_data_kms_key_arn]
}

run "weights_key_given_as_an_alias" {
  command = plan
  variables {
    model_data_s3_uri      = "s3://team-models/twin/"
    model_data_kms_key_arn = "arn:aws:kms:us-east-1:123456789012:alias/team-models"
  }
  expect_failures = [var.model_data_kms_key_arn]
}

run "neither_a_model_nor_components" {
  command = plan
  variables {
    image_uri = null
  }
  expect_failures = [var.image_uri]
}

run "components_without_instance_capacity" {
  command = plan
  variables {
    image_uri = null
    inference_components = [{
      name                                   = "chat", image_uri = "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:3", container_env = {}, accelerators = 1, cpu_cores = 1, min_memory_mb = 1024,
      copies                                 = { initial = 1, min = 1, max = 1 }, container_startup_health_check_timeout_in_seconds = 600,
      model_data_download_timeout_in_seconds = 600
    }]
  }
  expect_failures = [var.instance_capacity]
}

run "real_time_scaled_to_zero" {
  command = plan
  variables {
    autoscaling = { min_capacity = 0 }
  }
  expect_failures = [var.autoscaling]
}

run "async_with_components" {
  command = plan
  variables {
    image_uri         = null
    async_inference   = { max_concurrent_invocations_per_instance = 4 }
    instance_capacity = { accelerators = 1, cpu_cores = 3, memory_mb = 12288 }
    inference_components = [{
      name                                   = "chat", image_uri = "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:3", container_env = {}, accelerators = 1, cpu_cores = 1, min_memory_mb = 1024,
      copies                                 = { initial = 1, min = 1, max = 1 }, container_startup_health_check_timeout_in_seconds = 600,
      model_data_download_timeout_in_seconds = 600
    }]
  }
  expect_failures = [var.async_inference]
}

run "async_output_outside_the_artifacts_bucket" {
  command = plan
  variables {
    async_inference = { max_concurrent_invocations_per_instance = 4, output_s3_uri = "s3://someone-elses-bucket/async/output/" }
  }
  expect_failures = [var.async_inference]
}

run "async_failures_outside_the_artifacts_bucket" {
  command = plan
  variables {
    async_inference = { max_concurrent_invocations_per_instance = 4, failure_s3_uri = "s3://llm-test-artifacts-1234567890123/async/failures/" }
  }
  expect_failures = [var.async_inference]
}

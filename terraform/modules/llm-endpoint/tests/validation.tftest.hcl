# Every validation rule of the module, each with an input that must fail at plan time.
mock_provider "aws" {
  mock_data "aws_region" {
    defaults = { id = "us-east-1", name = "us-east-1" }
  }
}

variables {
  name                                              = "llm-test"
  execution_role_arn                                = "arn:aws:iam::123456789012:role/llm-test-sagemaker-execution"
  image_uri                                         = "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.7.0-tgi3.3.6-gpu-py311-cu124-ubuntu22.04"
  instance_type                                     = "ml.g5.2xlarge"
  container_startup_health_check_timeout_in_seconds = 480
  model_data_download_timeout_in_seconds            = 240
  container_env = {
    HF_MODEL_ID      = "meta-llama/Llama-3.1-8B-Instruct"
    MAX_INPUT_TOKENS = "6144"
    MAX_TOTAL_TOKENS = "8192"
    SM_NUM_GPUS      = "1"
  }
}

run "name_with_underscore" {
  command = plan

  variables {
    name = "llm_test"
  }

  expect_failures = [var.name]
}

run "role_not_an_arn" {
  command = plan

  variables {
    execution_role_arn = "llm-test-role"
  }

  expect_failures = [var.execution_role_arn]
}

run "image_not_in_ecr" {
  command = plan

  variables {
    image_uri = "ghcr.io/huggingface/text-generation-inference:3.3.6"
  }

  expect_failures = [var.image_uri]
}

run "env_key_not_a_name" {
  command = plan

  variables {
    container_env = { "MAX-TOKENS" = "1" }
  }

  expect_failures = [var.container_env]
}

run "env_hf_token" {
  command = plan

  variables {
    container_env = { HF_MODEL_ID = "meta-llama/Llama-3.1-8B-Instruct", HF_TOKEN = "hf_abc" }
  }

  expect_failures = [var.container_env]
}

run "env_aws_secret" {
  command = plan

  variables {
    container_env = { AWS_SECRET_ACCESS_KEY = "abc" }
  }

  expect_failures = [var.container_env]
}

run "env_hf_token_value_under_an_innocent_key" {
  command = plan

  variables {
    container_env = { HF_MODEL_ID = "meta-llama/Llama-3.1-8B-Instruct", HUB_SETTING = "hf_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789" }
  }

  expect_failures = [var.container_env]
}

run "env_aws_access_key_id_value" {
  command = plan

  variables {
    container_env = { HF_MODEL_ID = "meta-llama/Llama-3.1-8B-Instruct", S3_READER = "AKIAIOSFODNN7EXAMPLE" }
  }

  expect_failures = [var.container_env]
}

run "env_value_too_long" {
  command = plan

  variables {
    container_env = { LONG = format("%01025d", 0) }
  }

  expect_failures = [var.container_env]
}

run "s3_uri_not_a_prefix" {
  command = plan

  variables {
    model_data_s3_uri = "s3://llm-test-artifacts/models/model.tar.gz"
  }

  expect_failures = [var.model_data_s3_uri]
}

run "s3_uri_https" {
  command = plan

  variables {
    model_data_s3_uri = "https://llm-test-artifacts.s3.amazonaws.com/models/"
  }

  expect_failures = [var.model_data_s3_uri]
}

run "instance_without_ml_prefix" {
  command = plan

  variables {
    instance_type = "g5.2xlarge"
  }

  expect_failures = [var.instance_type]
}

run "gpu_image_on_cpu_instance" {
  command = plan

  variables {
    instance_type = "ml.m5.2xlarge"
  }

  expect_failures = [var.instance_type]
}

run "zero_instances" {
  command = plan

  variables {
    initial_instance_count = 0
  }

  expect_failures = [var.initial_instance_count]
}

run "variant_with_space" {
  command = plan

  variables {
    variant_name = "All Traffic"
  }

  expect_failures = [var.variant_name]
}

run "startup_timeout_too_short" {
  command = plan

  variables {
    container_startup_health_check_timeout_in_seconds = 30
  }

  expect_failures = [var.container_startup_health_check_timeout_in_seconds]
}

run "startup_timeout_too_long" {
  command = plan

  variables {
    container_startup_health_check_timeout_in_seconds = 3601
  }

  expect_failures = [var.container_startup_health_check_timeout_in_seconds]
}

run "download_timeout_too_long" {
  command = plan

  variables {
    model_data_download_timeout_in_seconds = 7200
  }

  expect_failures = [var.model_data_download_timeout_in_seconds]
}

run "volume_too_large" {
  command = plan

  variables {
    volume_size_in_gb = 1024
    instance_type     = "ml.m5.2xlarge"
    image_uri         = "763104351884.dkr.ecr.us-east-1.amazonaws.com/djl-inference:0.38.0-cpu-full"
  }

  expect_failures = [var.volume_size_in_gb]
}

run "volume_on_nvme_instance" {
  command = plan

  variables {
    volume_size_in_gb = 100
  }

  expect_failures = [var.volume_size_in_gb]
}

run "volume_key_not_an_arn" {
  command = plan

  variables {
    volume_kms_key_arn = "alias/llm"
    instance_type      = "ml.m5.2xlarge"
    image_uri          = "763104351884.dkr.ecr.us-east-1.amazonaws.com/djl-inference:0.38.0-cpu-full"
  }

  expect_failures = [var.volume_kms_key_arn]
}

run "volume_key_on_nvme_instance" {
  command = plan

  variables {
    volume_kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  }

  expect_failures = [var.volume_kms_key_arn]
}

run "routing_unknown" {
  command = plan

  variables {
    routing_strategy = "ROUND_ROBIN"
  }

  expect_failures = [var.routing_strategy]
}

run "isolation_with_hub_download" {
  command = plan

  variables {
    enable_network_isolation = true
  }

  expect_failures = [var.enable_network_isolation]
}

run "vpc_without_security_groups" {
  command = plan

  variables {
    vpc_config = { subnet_ids = ["subnet-0123456789abcdef0"], security_group_ids = [] }
  }

  expect_failures = [var.vpc_config]
}

run "capture_nothing" {
  command = plan

  variables {
    data_capture = { destination_s3_uri = "s3://b-capture/capture/", capture_request = false, capture_response = false }
  }

  expect_failures = [var.data_capture]
}

run "deployment_unknown_strategy" {
  command = plan

  variables {
    deployment = { strategy = "ROLLING" }
  }

  expect_failures = [var.deployment]
}

run "canary_zero_percent" {
  command = plan

  variables {
    deployment = { strategy = "CANARY", canary_size_percent = 0 }
  }

  expect_failures = [var.deployment]
}

run "canary_over_100_percent" {
  command = plan

  variables {
    deployment = { strategy = "CANARY", canary_size_percent = 150 }
  }

  expect_failures = [var.deployment]
}

run "canary_over_half_the_fleet" {
  command = plan

  variables {
    deployment = { strategy = "CANARY", canary_size_percent = 60 }
  }

  expect_failures = [var.deployment]
}

run "linear_step_too_small" {
  command = plan

  variables {
    deployment = { strategy = "LINEAR", linear_step_percent = 5 }
  }

  expect_failures = [var.deployment]
}

run "wait_interval_too_long" {
  command = plan

  variables {
    deployment = { wait_interval_in_seconds = 7200 }
  }

  expect_failures = [var.deployment]
}

run "execution_timeout_too_short" {
  command = plan

  variables {
    deployment = { maximum_execution_timeout_in_seconds = 60 }
  }

  expect_failures = [var.deployment]
}

run "too_many_rollback_alarms" {
  command = plan

  variables {
    deployment = { rollback_alarm_names = [for i in range(11) : "alarm-${i}"] }
  }

  expect_failures = [var.deployment]
}

run "log_retention_not_allowed" {
  command = plan

  variables {
    log_retention_in_days = 10
  }

  expect_failures = [var.log_retention_in_days]
}

run "log_key_not_an_arn" {
  command = plan

  variables {
    log_kms_key_arn = "my-key"
  }

  expect_failures = [var.log_kms_key_arn]
}

run "name_too_long" {
  command = plan
  variables {
    name = format("e%063d", 0)
  }
  expect_failures = [var.name]
}

run "instances_not_whole" {
  command = plan
  variables {
    initial_instance_count = 1.5
  }
  expect_failures = [var.initial_instance_count]
}

run "variant_too_long" {
  command = plan
  variables {
    variant_name = format("e%063d", 0)
  }
  expect_failures = [var.variant_name]
}

run "startup_timeout_not_whole" {
  command = plan
  variables {
    container_startup_health_check_timeout_in_seconds = 480.5
  }
  expect_failures = [var.container_startup_health_check_timeout_in_seconds]
}

run "download_timeout_too_short" {
  command = plan
  variables {
    model_data_download_timeout_in_seconds = 30
  }
  expect_failures = [var.model_data_download_timeout_in_seconds]
}

run "download_timeout_not_whole" {
  command = plan
  variables {
    model_data_download_timeout_in_seconds = 240.5
  }
  expect_failures = [var.model_data_download_timeout_in_seconds]
}

run "volume_zero" {
  command = plan
  variables {
    volume_size_in_gb = 0
    instance_type     = "ml.m5.2xlarge"
    image_uri         = "763104351884.dkr.ecr.us-east-1.amazonaws.com/djl-inference:0.38.0-cpu-full"
  }
  expect_failures = [var.volume_size_in_gb]
}

run "volume_not_whole" {
  command = plan
  variables {
    volume_size_in_gb = 10.5
    instance_type     = "ml.m5.2xlarge"
    image_uri         = "763104351884.dkr.ecr.us-east-1.amazonaws.com/djl-inference:0.38.0-cpu-full"
  }
  expect_failures = [var.volume_size_in_gb]
}

run "vpc_without_subnets" {
  command = plan
  variables {
    vpc_config = { subnet_ids = [], security_group_ids = ["sg-0123456789abcdef0"] }
  }
  expect_failures = [var.vpc_config]
}

run "vpc_too_many_subnets" {
  command = plan
  variables {
    vpc_config = { subnet_ids = [for i in range(17) : format("subnet-%017d", i)], security_group_ids = ["sg-0123456789abcdef0"] }
  }
  expect_failures = [var.vpc_config]
}

run "vpc_too_many_security_groups" {
  command = plan
  variables {
    vpc_config = { subnet_ids = ["subnet-0123456789abcdef0"], security_group_ids = [for i in range(6) : format("sg-%017d", i)] }
  }
  expect_failures = [var.vpc_config]
}

run "vpc_bad_subnet" {
  command = plan
  variables {
    vpc_config = { subnet_ids = ["vpc-0123456789abcdef0"], security_group_ids = ["sg-0123456789abcdef0"] }
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

run "capture_destination_not_a_prefix" {
  command = plan
  variables {
    data_capture = { destination_s3_uri = "s3://b-capture/capture" }
  }
  expect_failures = [var.data_capture]
}

run "capture_sampling_negative" {
  command = plan
  variables {
    data_capture = { destination_s3_uri = "s3://b-capture/capture/", sampling_percentage = -1 }
  }
  expect_failures = [var.data_capture]
}

run "capture_sampling_over_100" {
  command = plan
  variables {
    data_capture = { destination_s3_uri = "s3://b-capture/capture/", sampling_percentage = 101 }
  }
  expect_failures = [var.data_capture]
}

run "canary_not_whole" {
  command = plan
  variables {
    deployment = { strategy = "CANARY", canary_size_percent = 12.5 }
  }
  expect_failures = [var.deployment]
}

run "linear_step_over_half" {
  command = plan
  variables {
    deployment = { strategy = "LINEAR", linear_step_percent = 60 }
  }
  expect_failures = [var.deployment]
}

run "linear_step_not_whole" {
  command = plan
  variables {
    deployment = { strategy = "LINEAR", linear_step_percent = 12.5 }
  }
  expect_failures = [var.deployment]
}

run "wait_interval_negative" {
  command = plan
  variables {
    deployment = { wait_interval_in_seconds = -1 }
  }
  expect_failures = [var.deployment]
}

run "termination_wait_negative" {
  command = plan
  variables {
    deployment = { termination_wait_in_seconds = -1 }
  }
  expect_failures = [var.deployment]
}

run "termination_wait_too_long" {
  command = plan
  variables {
    deployment = { termination_wait_in_seconds = 7200 }
  }
  expect_failures = [var.deployment]
}

run "execution_timeout_too_long" {
  command = plan
  variables {
    deployment = { maximum_execution_timeout_in_seconds = 20000 }
  }
  expect_failures = [var.deployment]
}

run "rollback_alarm_name_empty" {
  command = plan
  variables {
    deployment = { rollback_alarm_names = [""] }
  }
  expect_failures = [var.deployment]
}

run "rollback_alarm_name_too_long" {
  command = plan
  variables {
    deployment = { rollback_alarm_names = [format("a%0255d", 0)] }
  }
  expect_failures = [var.deployment]
}

run "image_uri_too_long" {
  command = plan
  variables {
    image_uri = "763104351884.dkr.ecr.us-east-1.amazonaws.com/${join("", [for i in range(200) : "a"])}:tag-${join("", [for i in range(20) : "b"])}"
  }
  expect_failures = [var.image_uri]
}

run "env_over_100_variables" {
  command = plan
  variables {
    container_env = { for i in range(101) : "VAR_${i}" => "1" }
  }
  expect_failures = [var.container_env]
}

run "linear_waits_past_the_providers_hour" {
  command = plan
  variables {
    deployment = { strategy = "LINEAR", linear_step_percent = 10, wait_interval_in_seconds = 600 }
  }
  expect_failures = [var.deployment]
}

run "canary_wait_past_the_providers_hour" {
  command = plan
  variables {
    deployment = { strategy = "CANARY", canary_size_percent = 10, wait_interval_in_seconds = 3600 }
  }
  expect_failures = [var.deployment]
}

run "download_and_startup_past_the_providers_hour" {
  command = plan
  variables {
    model_data_s3_uri                                 = "s3://llm-test-artifacts/models/llama/"
    model_data_download_timeout_in_seconds            = 3600
    container_startup_health_check_timeout_in_seconds = 3600
  }
  expect_failures = [var.model_data_download_timeout_in_seconds]
}

run "async_concurrency_zero" {
  command = plan
  variables {
    async_inference = { max_concurrent_invocations_per_instance = 0, output_s3_uri = "s3://llm-test-artifacts/async/llm-test/output/", failure_s3_uri = "s3://llm-test-artifacts/async/llm-test/failures/" }
  }
  expect_failures = [var.async_inference]
}

run "async_concurrency_above_1000" {
  command = plan
  variables {
    async_inference = { max_concurrent_invocations_per_instance = 1001, output_s3_uri = "s3://llm-test-artifacts/async/llm-test/output/", failure_s3_uri = "s3://llm-test-artifacts/async/llm-test/failures/" }
  }
  expect_failures = [var.async_inference]
}

run "async_concurrency_not_whole" {
  command = plan
  variables {
    async_inference = { max_concurrent_invocations_per_instance = 1.5, output_s3_uri = "s3://llm-test-artifacts/async/llm-test/output/", failure_s3_uri = "s3://llm-test-artifacts/async/llm-test/failures/" }
  }
  expect_failures = [var.async_inference]
}

run "async_output_not_a_prefix" {
  command = plan
  variables {
    async_inference = { max_concurrent_invocations_per_instance = 4, output_s3_uri = "s3://llm-test-artifacts/async/output", failure_s3_uri = "s3://llm-test-artifacts/async/llm-test/failures/" }
  }
  expect_failures = [var.async_inference]
}

run "async_failure_not_a_prefix" {
  command = plan
  variables {
    async_inference = { max_concurrent_invocations_per_instance = 4, output_s3_uri = "s3://llm-test-artifacts/async/llm-test/output/", failure_s3_uri = "llm-test-artifacts/failures/" }
  }
  expect_failures = [var.async_inference]
}

run "async_topic_not_sns" {
  command = plan
  variables {
    async_inference = { max_concurrent_invocations_per_instance = 4, success_topic_arn = "arn:aws:sqs:us-east-1:123456789012:done", output_s3_uri = "s3://llm-test-artifacts/async/llm-test/output/", failure_s3_uri = "s3://llm-test-artifacts/async/llm-test/failures/" }
  }
  expect_failures = [var.async_inference]
}

run "async_include_response_unknown_target" {
  command = plan
  variables {
    async_inference = { max_concurrent_invocations_per_instance = 4, success_topic_arn = "arn:aws:sns:us-east-1:123456789012:done", include_inference_response_in = ["SUCCESS"], output_s3_uri = "s3://llm-test-artifacts/async/llm-test/output/", failure_s3_uri = "s3://llm-test-artifacts/async/llm-test/failures/" }
  }
  expect_failures = [var.async_inference]
}

run "async_include_success_response_without_topic" {
  command = plan
  variables {
    async_inference = { max_concurrent_invocations_per_instance = 4, include_inference_response_in = ["SUCCESS_NOTIFICATION_TOPIC"], output_s3_uri = "s3://llm-test-artifacts/async/llm-test/output/", failure_s3_uri = "s3://llm-test-artifacts/async/llm-test/failures/" }
  }
  expect_failures = [var.async_inference]
}

run "async_include_error_response_without_topic" {
  command = plan
  variables {
    async_inference = { max_concurrent_invocations_per_instance = 4, success_topic_arn = "arn:aws:sns:us-east-1:123456789012:done", include_inference_response_in = ["ERROR_NOTIFICATION_TOPIC"], output_s3_uri = "s3://llm-test-artifacts/async/llm-test/output/", failure_s3_uri = "s3://llm-test-artifacts/async/llm-test/failures/" }
  }
  expect_failures = [var.async_inference]
}

run "async_kms_key_not_an_arn" {
  command = plan
  variables {
    async_inference = { max_concurrent_invocations_per_instance = 4, kms_key_arn = "alias/llm-test", output_s3_uri = "s3://llm-test-artifacts/async/llm-test/output/", failure_s3_uri = "s3://llm-test-artifacts/async/llm-test/failures/" }
  }
  expect_failures = [var.async_inference]
}

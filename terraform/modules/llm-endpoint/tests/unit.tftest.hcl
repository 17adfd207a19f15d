# Unit runs: a mocked AWS provider, so plans and applies need no account. Region us-east-1 throughout.
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

run "hub_model" {
  command = apply

  assert {
    condition     = startswith(aws_sagemaker_model.this.name, "llm-test-") && length(aws_sagemaker_model.this.name) == 19
    error_message = "the model is named <endpoint>-<10-character hash>"
  }
  assert {
    condition     = aws_sagemaker_model.this.primary_container[0].environment["HF_MODEL_ID"] == "meta-llama/Llama-3.1-8B-Instruct"
    error_message = "the container gets the rendered environment"
  }
  assert {
    condition     = length(aws_sagemaker_model.this.primary_container[0].model_data_source) == 0
    error_message = "a Hub model has no model_data_source"
  }
  assert {
    condition     = aws_sagemaker_endpoint_configuration.this.production_variants[0].routing_config[0].routing_strategy == "LEAST_OUTSTANDING_REQUESTS"
    error_message = "LLM endpoints route to the least busy instance"
  }
  assert {
    condition = (
      aws_sagemaker_endpoint_configuration.this.production_variants[0].container_startup_health_check_timeout_in_seconds == 480 &&
      aws_sagemaker_endpoint_configuration.this.production_variants[0].model_data_download_timeout_in_seconds == 240
    )
    error_message = "both timeouts reach the production variant"
  }
  assert {
    condition     = aws_sagemaker_endpoint_configuration.this.kms_key_arn == null
    error_message = "no volume key for NVMe instance types"
  }
  assert {
    condition     = startswith(aws_sagemaker_endpoint_configuration.this.name_prefix, "llm-test-")
    error_message = "endpoint configurations get a fresh name from a prefix"
  }
  assert {
    condition     = aws_sagemaker_endpoint.this.deployment_config[0].blue_green_update_policy[0].traffic_routing_configuration[0].type == "ALL_AT_ONCE"
    error_message = "updates are blue/green, all at once by default"
  }
  assert {
    condition     = length(aws_sagemaker_endpoint.this.deployment_config[0].auto_rollback_configuration) == 0
    error_message = "no rollback block without alarms"
  }
  assert {
    condition     = aws_cloudwatch_log_group.endpoint.name == "/aws/sagemaker/Endpoints/llm-test" && aws_cloudwatch_log_group.endpoint.retention_in_days == 365
    error_message = "the endpoint's log group is created with a retention"
  }
}

run "env_change_renames_model" {
  command = plan

  variables {
    container_env = {
      HF_MODEL_ID      = "meta-llama/Llama-3.1-8B-Instruct"
      MAX_INPUT_TOKENS = "4096"
      MAX_TOTAL_TOKENS = "8192"
      SM_NUM_GPUS      = "1"
    }
  }

  assert {
    condition     = aws_sagemaker_model.this.name != run.hub_model.model_name
    error_message = "a changed environment must give the model a new name, or create-before-destroy collides"
  }
}

run "same_definition_same_name" {
  command = plan

  assert {
    condition     = aws_sagemaker_model.this.name == run.hub_model.model_name
    error_message = "an unchanged definition keeps its name (no needless roll)"
  }
}

run "s3_weights" {
  command = plan

  variables {
    model_data_s3_uri        = "s3://llm-test-artifacts/models/llama-3.1-8b/"
    enable_network_isolation = true
  }

  assert {
    condition = (
      aws_sagemaker_model.this.primary_container[0].model_data_source[0].s3_data_source[0].s3_data_type == "S3Prefix" &&
      aws_sagemaker_model.this.primary_container[0].model_data_source[0].s3_data_source[0].compression_type == "None" &&
      aws_sagemaker_model.this.primary_container[0].model_data_source[0].s3_data_source[0].s3_uri == "s3://llm-test-artifacts/models/llama-3.1-8b/"
    )
    error_message = "S3 weights are an uncompressed S3Prefix"
  }
  assert {
    condition     = aws_sagemaker_model.this.enable_network_isolation
    error_message = "network isolation reaches the model"
  }
}

run "canary_with_rollback" {
  command = plan

  variables {
    deployment = {
      strategy             = "CANARY"
      canary_size_percent  = 25
      rollback_alarm_names = ["llm-test-5xx-errors", "llm-test-model-latency-p90"]
    }
  }

  assert {
    condition     = aws_sagemaker_endpoint.this.deployment_config[0].blue_green_update_policy[0].traffic_routing_configuration[0].canary_size[0].value == 25
    error_message = "the canary takes 25% of capacity"
  }
  assert {
    condition     = length(aws_sagemaker_endpoint.this.deployment_config[0].auto_rollback_configuration[0].alarms) == 2
    error_message = "both alarms roll the deployment back"
  }
}

run "linear" {
  command = plan

  variables {
    deployment = { strategy = "LINEAR", linear_step_percent = 20, wait_interval_in_seconds = 120 }
  }

  assert {
    condition = (
      aws_sagemaker_endpoint.this.deployment_config[0].blue_green_update_policy[0].traffic_routing_configuration[0].linear_step_size[0].value == 20 &&
      aws_sagemaker_endpoint.this.deployment_config[0].blue_green_update_policy[0].traffic_routing_configuration[0].wait_interval_in_seconds == 120
    )
    error_message = "linear shifting in 20% steps every 120 s"
  }
}

run "data_capture" {
  command = plan

  variables {
    data_capture = { destination_s3_uri = "s3://llm-test-artifacts/capture/", sampling_percentage = 10, capture_response = false }
  }

  assert {
    condition = (
      aws_sagemaker_endpoint_configuration.this.data_capture_config[0].initial_sampling_percentage == 10 &&
      length(aws_sagemaker_endpoint_configuration.this.data_capture_config[0].capture_options) == 1 &&
      aws_sagemaker_endpoint_configuration.this.data_capture_config[0].capture_options[0].capture_mode == "Input"
    )
    error_message = "data capture samples 10% of requests only"
  }
}

run "image_from_another_region" {
  command = plan

  variables {
    image_uri = "763104351884.dkr.ecr.eu-west-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.7.0-tgi3.3.6-gpu-py311-cu124-ubuntu22.04"
  }

  expect_failures = [aws_sagemaker_model.this]
}

run "hub_lora_adapter_with_network_isolation" {
  command = plan

  variables {
    enable_network_isolation = true
    model_data_s3_uri        = "s3://llm-test-artifacts/models/llama/"
    container_env = {
      HF_MODEL_ID   = "/opt/ml/model"
      LORA_ADAPTERS = "twin=/opt/ml/model/adapters/twin,acme/support-lora"
    }
  }

  expect_failures = [aws_sagemaker_model.this]
}

run "s3_lora_adapters_with_network_isolation" {
  command = plan

  variables {
    enable_network_isolation = true
    model_data_s3_uri        = "s3://llm-test-artifacts/models/llama/"
    container_env = {
      HF_MODEL_ID   = "/opt/ml/model"
      LORA_ADAPTERS = "twin=/opt/ml/model/adapters/twin"
    }
  }

  assert {
    condition     = aws_sagemaker_model.this.primary_container[0].environment["LORA_ADAPTERS"] == "twin=/opt/ml/model/adapters/twin"
    error_message = "adapters staged under the model prefix need no network"
  }
}

run "async_endpoint" {
  command = plan

  variables {
    async_inference = {
      max_concurrent_invocations_per_instance = 12
      output_s3_uri                           = "s3://llm-test-artifacts/async/llm-test/output/"
      failure_s3_uri                          = "s3://llm-test-artifacts/async/llm-test/failures/"
      kms_key_arn                             = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
      success_topic_arn                       = "arn:aws:sns:us-east-1:123456789012:llm-test-async-success"
      error_topic_arn                         = "arn:aws:sns:us-east-1:123456789012:llm-test-async-error"
      include_inference_response_in           = ["SUCCESS_NOTIFICATION_TOPIC"]
    }
  }

  assert {
    condition     = aws_sagemaker_endpoint_configuration.this.async_inference_config[0].client_config[0].max_concurrent_invocations_per_instance == 12
    error_message = "each instance takes the rendered number of queued requests at once"
  }
  assert {
    condition = (
      aws_sagemaker_endpoint_configuration.this.async_inference_config[0].output_config[0].s3_output_path == "s3://llm-test-artifacts/async/llm-test/output/" &&
      aws_sagemaker_endpoint_configuration.this.async_inference_config[0].output_config[0].s3_failure_path == "s3://llm-test-artifacts/async/llm-test/failures/" &&
      aws_sagemaker_endpoint_configuration.this.async_inference_config[0].output_config[0].kms_key_id == "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    )
    error_message = "results and failures go to their prefixes, encrypted with the given key"
  }
  assert {
    condition = (
      aws_sagemaker_endpoint_configuration.this.async_inference_config[0].output_config[0].notification_config[0].success_topic == "arn:aws:sns:us-east-1:123456789012:llm-test-async-success" &&
      aws_sagemaker_endpoint_configuration.this.async_inference_config[0].output_config[0].notification_config[0].error_topic == "arn:aws:sns:us-east-1:123456789012:llm-test-async-error" &&
      aws_sagemaker_endpoint_configuration.this.async_inference_config[0].output_config[0].notification_config[0].include_inference_response_in == toset(["SUCCESS_NOTIFICATION_TOPIC"])
    )
    error_message = "both topics are notified; the success topic carries the response"
  }
  assert {
    condition     = terraform_data.invocation_mode.input == "asynchronous"
    error_message = "the endpoint's invocation mode is tracked: changing it replaces the endpoint"
  }
}

run "async_without_topics_has_no_notification_block" {
  command = plan

  variables {
    async_inference = {
      max_concurrent_invocations_per_instance = 4
      output_s3_uri                           = "s3://llm-test-artifacts/async/llm-test/output/"
      failure_s3_uri                          = "s3://llm-test-artifacts/async/llm-test/failures/"
    }
  }

  assert {
    condition     = length(aws_sagemaker_endpoint_configuration.this.async_inference_config[0].output_config[0].notification_config) == 0
    error_message = "no notification block without topics"
  }
}

run "async_topic_in_another_region" {
  command = plan

  variables {
    async_inference = {
      max_concurrent_invocations_per_instance = 4
      output_s3_uri                           = "s3://llm-test-artifacts/async/llm-test/output/"
      failure_s3_uri                          = "s3://llm-test-artifacts/async/llm-test/failures/"
      success_topic_arn                       = "arn:aws:sns:eu-west-1:123456789012:llm-test-async-success"
    }
  }

  expect_failures = [aws_sagemaker_endpoint_configuration.this]
}

run "real_time_has_no_async_block" {
  command = plan

  assert {
    condition     = length(aws_sagemaker_endpoint_configuration.this.async_inference_config) == 0
    error_message = "a real-time endpoint has no AsyncInferenceConfig"
  }
}

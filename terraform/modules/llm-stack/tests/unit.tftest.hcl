# The composition, planned with the real provider: every name and IAM statement is known before apply.
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
  instance_type                                     = "ml.p4d.24xlarge"
  container_startup_health_check_timeout_in_seconds = 2040
  model_data_download_timeout_in_seconds            = 1500
  container_env                                     = { HF_MODEL_ID = "meta-llama/Llama-3.1-70B-Instruct", SM_NUM_GPUS = "8" }
  llm_render                                        = { schema_version = "1", model = "meta-llama/Llama-3.1-70B-Instruct", backend = "tgi", tensor_parallel_degree = "8" }
  deployment                                        = { strategy = "CANARY", canary_size_percent = 50 }
}

run "names_and_wiring" {
  command = plan

  assert {
    condition     = module.artifacts.bucket_name == "llm-test-artifacts-123456789012"
    error_message = "the bucket is named after the stack and the account"
  }
  assert {
    condition     = output.execution_role_arn == "arn:aws:iam::123456789012:role/llm-test-sagemaker-execution"
    error_message = "the role ARN is known at plan time"
  }
  assert {
    condition     = startswith(output.model_name, "llm-test-")
    error_message = "the model name is known at plan time"
  }
  assert {
    condition     = module.alarms[0].alarm_names.gpu_memory == "llm-test-gpu-memory"
    error_message = "alarms are named after the endpoint"
  }
  assert {
    condition = toset(flatten([
      for s in jsondecode(output.execution_role_policy_json).Statement : s.Resource if s.Sid == "PullServingImages"
      ])) == toset([
      "arn:aws:ecr:us-east-1:763104351884:repository/huggingface-pytorch-tgi-inference",
      "arn:aws:ecr:us-east-1:123456789012:repository/llm-test/service",
    ])
    error_message = "the role pulls the rendered image and the project's repository"
  }
}

run "data_capture_in_the_artifacts_bucket" {
  command = plan

  variables {
    data_capture = { sampling_percentage = 5 }
  }

  assert {
    condition = one([
      for s in jsondecode(output.execution_role_policy_json).Statement : s.Resource if s.Sid == "WriteDataCapture"
    ]) == "arn:aws:s3:::llm-test-artifacts-123456789012/capture/llm-test/*"
    error_message = "the role may write captures under capture/<name>/ only"
  }
}

run "hub_download_needs_no_key" {
  command = plan

  assert {
    condition     = length([for s in jsondecode(output.execution_role_policy_json).Statement : s if startswith(s.Sid, "UseArtifactKeys")]) == 0
    error_message = "without S3 weights or data capture the role gets no KMS permission"
  }
}

run "s3_weights_decrypt_with_the_stack_key" {
  command = plan

  variables {
    model_data_s3_uri = "s3://llm-test-artifacts-123456789012/models/llama-3.1-70b/"
  }

  assert {
    condition = one([
      for s in jsondecode(output.execution_role_policy_json).Statement : s.Condition["ForAnyValue:StringEquals"]["kms:ResourceAliases"] if s.Sid == "UseArtifactKeysByAlias"
    ]) == "alias/llm-test"
    error_message = "S3 weights are decrypted with the stack's key, through S3 only"
  }
}

run "component_mode_deploys_components_instead_of_the_real_time_endpoint" {
  command = plan

  variables {
    image_uri                                         = null
    container_env                                     = {}
    container_startup_health_check_timeout_in_seconds = null
    model_data_download_timeout_in_seconds            = null
    instance_type                                     = "ml.g5.12xlarge"
    llm_render                                        = { schema_version = "2", backend = "tgi" }
    autoscaling                                       = { min_capacity = 0, max_capacity = 2 }
    instance_capacity                                 = { accelerators = 4, cpu_cores = 47, memory_mb = 192512 }
    inference_components = [
      {
        name                                              = "chat"
        image_uri                                         = "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.7.0-tgi3.3.6-gpu-py311-cu124-ubuntu22.04"
        container_env                                     = { HF_MODEL_ID = "/opt/ml/model" }
        model_data_s3_uri                                 = "s3://llm-test-artifacts-123456789012/models/llama-3.1-8b/"
        accelerators                                      = 1
        cpu_cores                                         = 11
        min_memory_mb                                     = 17408
        copies                                            = { initial = 1, min = 1, max = 4 }
        container_startup_health_check_timeout_in_seconds = 600
        model_data_download_timeout_in_seconds            = 600
      },
      {
        name                                              = "small"
        image_uri                                         = "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-vllm-inference:0.29.0-gpu-py312-cu129-ubuntu22.04"
        container_env                                     = { HF_MODEL_ID = "meta-llama/Llama-3.2-1B-Instruct" }
        accelerators                                      = 1
        cpu_cores                                         = 4
        min_memory_mb                                     = 5120
        copies                                            = { initial = 1, min = 1, max = 1 }
        container_startup_health_check_timeout_in_seconds = 600
        model_data_download_timeout_in_seconds            = 600
      },
    ]
  }

  assert {
    condition     = length(module.endpoint) == 0 && length(module.autoscaling) == 0 && length(module.components) == 1
    error_message = "component mode replaces the real-time endpoint and its variant scaling"
  }
  assert {
    condition     = output.inference_component_names == tomap({ chat = "llm-test-chat", small = "llm-test-small" })
    error_message = "callers find the components by name"
  }
  assert {
    condition     = module.components[0].inference_component_names.small == "llm-test-small"
    error_message = "the components module gets the stack's name"
  }
  assert {
    condition = toset(one([
      for s in jsondecode(module.role.policy_json).Statement : s.Resource if s.Sid == "PullServingImages"
    ])) == toset(["arn:aws:ecr:us-east-1:763104351884:repository/huggingface-pytorch-tgi-inference", "arn:aws:ecr:us-east-1:763104351884:repository/huggingface-vllm-inference", "arn:aws:ecr:us-east-1:123456789012:repository/llm-test/service"])
    error_message = "the role pulls every component's image"
  }
  assert {
    condition = one([
      for s in jsondecode(module.role.policy_json).Statement : s.Resource if s.Sid == "ReadModelPrefix"
    ]) == "arn:aws:s3:::llm-test-artifacts-123456789012/models/llama-3.1-8b/*"
    error_message = "the role reads the weights of the component that has them in S3"
  }
  assert {
    condition = toset(one([
      for s in jsondecode(module.role.policy_json).Statement : s.Resource if s.Sid == "ReadRollbackAlarms"
    ])) == toset([for a in ["chat-5xx-errors", "chat-model-latency-p90", "small-5xx-errors", "small-model-latency-p90"] : "arn:aws:cloudwatch:us-east-1:123456789012:alarm:llm-test-${a}"])
    error_message = "the role reads the components' rollback alarms"
  }
  assert {
    condition     = toset(module.components[0].rollback_alarm_names) == toset(local.component_alarm_names)
    error_message = "the stack names the components' alarms as the module does"
  }
}

run "async_mode_queues_in_s3_notifies_and_scales_on_the_backlog_to_zero" {
  command = plan

  variables {
    instance_type   = "ml.g5.2xlarge"
    container_env   = { HF_MODEL_ID = "meta-llama/Llama-3.1-8B-Instruct", SM_NUM_GPUS = "1" }
    llm_render      = { schema_version = "1", model = "meta-llama/Llama-3.1-8B-Instruct", backend = "tgi", tensor_parallel_degree = "1" }
    async_inference = { max_concurrent_invocations_per_instance = 16 }
    autoscaling     = { min_capacity = 0, max_capacity = 4, target_tracking = { backlog_per_instance = 3 } }
  }

  assert {
    condition = (
      output.async_input_s3_uri == "s3://llm-test-artifacts-123456789012/async/llm-test/input/" &&
      output.async_output_s3_uri == "s3://llm-test-artifacts-123456789012/async/llm-test/output/" &&
      output.async_failure_s3_uri == "s3://llm-test-artifacts-123456789012/async/llm-test/failures/"
    )
    error_message = "requests, results and failures live under async/<name>/ of the artifacts bucket"
  }
  assert {
    condition = output.async_topic_arns == tomap({
      success = "arn:aws:sns:us-east-1:123456789012:llm-test-async-success"
      error   = "arn:aws:sns:us-east-1:123456789012:llm-test-async-error"
    }) && aws_sns_topic.async["success"].name == "llm-test-async-success" && aws_sns_topic.async["error"].name == "llm-test-async-error"
    error_message = "the stack creates a success and an error topic, named after the endpoint"
  }
  assert {
    condition = (
      module.endpoint[0].async_inference.max_concurrent_invocations_per_instance == 16 &&
      module.endpoint[0].async_inference.output_s3_uri == output.async_output_s3_uri
    )
    error_message = "the endpoint configuration gets the rendered concurrency and the stack's paths"
  }
  assert {
    condition = toset(one([
      for s in jsondecode(module.role.policy_json).Statement : s.Resource if s.Sid == "WriteAsyncResults"
      ])) == toset([
      "arn:aws:s3:::llm-test-artifacts-123456789012/async/llm-test/output/*",
      "arn:aws:s3:::llm-test-artifacts-123456789012/async/llm-test/failures/*",
    ])
    error_message = "the role writes results and failures under exactly their prefixes"
  }
  assert {
    condition = one([
      for s in jsondecode(module.role.policy_json).Statement : s.Resource if s.Sid == "ReadAsyncRequests"
    ]) == "arn:aws:s3:::llm-test-artifacts-123456789012/async/llm-test/input/*"
    error_message = "the role reads requests from the input prefix only"
  }
  assert {
    condition = toset(one([
      for s in jsondecode(module.role.policy_json).Statement : s.Resource if s.Sid == "PublishAsyncNotifications"
    ])) == toset(values(output.async_topic_arns))
    error_message = "the role publishes to exactly the two topics"
  }
  assert {
    condition     = module.autoscaling[0].scale_from_zero_alarm_name == "llm-test-async-from-zero" && length(module.autoscaling[0].target_tracking_policy_arns) == 0
    error_message = "min_capacity 0 wires the scale-from-zero alarm; the backlog replaces the invocation and concurrency targets"
  }
  assert {
    condition     = module.endpoint[0].initial_instance_count == 1
    error_message = "an endpoint that scales to zero still starts with one instance"
  }
}

run "async_mode_with_a_teams_own_topic" {
  command = plan

  variables {
    async_inference = {
      max_concurrent_invocations_per_instance = 8
      success_topic_arn                       = "arn:aws:sns:us-east-1:123456789012:team-inference-done"
    }
  }

  assert {
    condition     = length(aws_sns_topic.async) == 0 && output.async_topic_arns == tomap({ success = "arn:aws:sns:us-east-1:123456789012:team-inference-done" })
    error_message = "a team's own topic replaces the stack's two"
  }
}

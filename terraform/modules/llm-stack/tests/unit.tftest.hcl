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
    condition     = module.alarms.alarm_names.gpu_memory == "llm-test-gpu-memory"
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

# local: the same stack against a moto server on 127.0.0.1 (`make up`), with fake credentials and no AWS account.
# moto is launched by `llmctl local up`, which teaches it the GPU instance types and the Application Auto Scaling
# tag calls it lacks (scripts/llmctl/local_aws/patches.py), so these are the unmodified modules.
terraform {
  required_version = ">= 1.9"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 7.0"
    }
  }
}

variable "aws_endpoint_url" {
  description = "The local moto server (`make up` starts it here)."
  type        = string
  nullable    = false
  default     = "http://127.0.0.1:5055"

  validation {
    condition     = can(regex("^http://(127\\.[0-9]+\\.[0-9]+\\.[0-9]+|localhost|\\[::1\\]):[0-9]+$", var.aws_endpoint_url))
    error_message = "aws_endpoint_url must be a loopback URL such as http://127.0.0.1:5055: the local environment never talks to AWS."
  }
}

variable "runtime_endpoint_url" {
  description = "The local SageMaker runtime (`make up` starts it here) that serves this environment's endpoint."
  type        = string
  nullable    = false
  default     = "http://127.0.0.1:5056"

  validation {
    condition     = can(regex("^http://(127\\.[0-9]+\\.[0-9]+\\.[0-9]+|localhost|\\[::1\\]):[0-9]+$", var.runtime_endpoint_url))
    error_message = "runtime_endpoint_url must be a loopback URL such as http://127.0.0.1:5056: the local environment never talks to AWS."
  }
}

locals {
  name       = "llm-local"
  region     = try(regex("^[0-9]{12}\\.dkr\\.ecr\\.([a-z0-9-]+)\\.", coalesce(var.image_uri, try(var.inference_components[0].image_uri, "-")))[0], "us-east-1")
  account_id = data.aws_caller_identity.current.account_id
  tags = {
    project     = "sagemaker-llm-stack"
    environment = "local"
    managed-by  = "terraform"
  }
}

provider "aws" {
  region                      = local.region
  access_key                  = "local"
  secret_key                  = "local"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_requesting_account_id  = true
  s3_use_path_style           = true

  endpoints {
    applicationautoscaling = var.aws_endpoint_url
    cloudformation         = var.aws_endpoint_url
    cloudwatch             = var.aws_endpoint_url
    ecr                    = var.aws_endpoint_url
    iam                    = var.aws_endpoint_url
    kms                    = var.aws_endpoint_url
    logs                   = var.aws_endpoint_url
    s3                     = var.aws_endpoint_url
    sagemaker              = var.aws_endpoint_url
    sns                    = var.aws_endpoint_url
    sts                    = var.aws_endpoint_url
  }

  default_tags {
    tags = local.tags
  }
}

data "aws_caller_identity" "current" {}

module "stack" {
  source = "../../modules/llm-stack"

  name       = local.name
  account_id = local.account_id

  image_uri                                         = var.image_uri
  instance_type                                     = var.instance_type
  container_env                                     = var.container_env
  model_data_s3_uri                                 = var.model_data_s3_uri
  model_data_kms_key_arn                            = var.model_data_kms_key_arn
  container_startup_health_check_timeout_in_seconds = var.container_startup_health_check_timeout_in_seconds
  model_data_download_timeout_in_seconds            = var.model_data_download_timeout_in_seconds
  volume_size_in_gb                                 = var.volume_size_in_gb
  llm_render                                        = var.llm_render
  inference_components                              = var.inference_components
  instance_capacity                                 = var.instance_capacity
  async_inference                                   = var.async_inference

  # Per-environment settings: settings.auto.tfvars (settings_variables.tf declares them).
  initial_instance_count      = var.instance_count
  autoscaling                 = var.autoscaling
  deployment                  = var.deployment
  rollback_on_alarms          = var.rollback_on_alarms
  alarms                      = var.alarms
  force_destroy               = true
  kms_deletion_window_in_days = 7
  # Nothing ages in a local bucket, and the provider polls ~55 s for the rules to read back consistently: most of
  # `make demo`'s time. Every other environment keeps them (the module's default).
  artifacts_lifecycle_rules = false
  # The local control plane speaks plain HTTP on loopback, where a TLS-only bucket policy refuses every object call
  # (as S3 would): `llmctl invoke --async` could not upload. Every other environment keeps it (the default).
  artifacts_tls_only = false
  tags               = local.tags
}

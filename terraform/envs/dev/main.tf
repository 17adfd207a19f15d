# dev: the stack in a real AWS account. State lives in S3 (backend.hcl, not committed; see backend.hcl.example).
terraform {
  required_version = ">= 1.9"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 7.0"
    }
  }

  backend "s3" {}
}

locals {
  name = "llm-dev"
  # The region is the image's: SageMaker pulls images from its own region only, so the rendered image decides.
  region     = try(regex("^[0-9]{12}\\.dkr\\.ecr\\.([a-z0-9-]+)\\.", coalesce(var.image_uri, try(var.inference_components[0].image_uri, "-")))[0], "us-east-1")
  account_id = data.aws_caller_identity.current[0].account_id
  tags = {
    project     = "sagemaker-llm-stack"
    environment = "dev"
    managed-by  = "terraform"
  }
}

provider "aws" {
  region = local.region
  default_tags {
    tags = local.tags
  }
}

data "aws_caller_identity" "current" {
  # `llmctl tf plan --offline` replaces this with a fixed account (an override file), so review needs no AWS call.
  count = 1
}

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
  initial_instance_count = var.instance_count
  autoscaling            = var.autoscaling
  deployment             = var.deployment
  rollback_on_alarms     = var.rollback_on_alarms
  alarms                 = var.alarms
  tags                   = local.tags
}

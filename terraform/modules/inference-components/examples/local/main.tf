# Two models on one inference-component endpoint, against the local control plane of `make up` (no AWS account):
# applied by tests/integration/test_components_apply.py, planned for the offline template check.
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
  description = "The local control plane."
  type        = string
  default     = "http://127.0.0.1:5055"

  validation {
    condition     = can(regex("^http://(127\\.[0-9]+\\.[0-9]+\\.[0-9]+|localhost):[0-9]+$", var.aws_endpoint_url))
    error_message = "aws_endpoint_url must be a loopback URL: this example never talks to AWS."
  }
}

variable "scale_to_zero" {
  description = "Let the endpoint and both components go to zero."
  type        = bool
  default     = false
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "local"
  secret_key                  = "local"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_requesting_account_id  = true

  endpoints {
    applicationautoscaling = var.aws_endpoint_url
    cloudformation         = var.aws_endpoint_url
    cloudwatch             = var.aws_endpoint_url
    sagemaker              = var.aws_endpoint_url
    sts                    = var.aws_endpoint_url
  }
}

locals {
  registry = "763104351884.dkr.ecr.us-east-1.amazonaws.com"
  min      = var.scale_to_zero ? 0 : 1
}

module "components" {
  source = "../.."

  name               = "llm-local"
  execution_role_arn = "arn:aws:iam::123456789012:role/llm-local-sagemaker-execution"
  instance_type      = "ml.g5.12xlarge"
  # llmctl render … -i ml.g5.12xlarge --gpus-per-copy 1 --json: 4 GPUs, 48 vCPUs and 192 GiB less SageMaker's share.
  instance_capacity = { accelerators = 4, cpu_cores = 47, memory_mb = 192512 }
  instances         = { initial = 1, min = local.min, max = 2 }
  components = [
    {
      name          = "chat"
      image_uri     = "${local.registry}/huggingface-pytorch-tgi-inference:2.7.0-tgi3.3.6-gpu-py311-cu124-ubuntu22.04"
      environment   = { HF_MODEL_ID = "meta-llama/Llama-3.1-8B-Instruct", SM_NUM_GPUS = "1", MAX_TOTAL_TOKENS = "8192" }
      accelerators  = 1
      cpu_cores     = 11
      min_memory_mb = 17408
      copies        = { initial = 2, min = local.min, max = 3 }
    },
    {
      name          = "small"
      image_uri     = "${local.registry}/huggingface-vllm-inference:0.29.0-gpu-py312-cu129-ubuntu22.04"
      environment   = { HF_MODEL_ID = "meta-llama/Llama-3.2-1B-Instruct", SM_VLLM_MAX_MODEL_LEN = "8192" }
      accelerators  = 1
      cpu_cores     = 4
      min_memory_mb = 5120
      copies        = { initial = 1, min = local.min, max = 1 }
    },
  ]
  tags = { project = "sagemaker-llm-stack", environment = "local" }
}

output "endpoint_name" {
  value = module.components.endpoint_name
}

output "inference_component_names" {
  value = module.components.inference_component_names
}

output "template_body" {
  value = module.components.template_body
}

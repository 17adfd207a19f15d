variable "github_repository" {
  description = "The repository whose workflow may assume the roles, as OWNER/NAME (no wildcards: any other repository, branch or fork must not apply)."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$", var.github_repository))
    error_message = "github_repository must be OWNER/NAME exactly (letters, digits, '-', '.', '_'; no '*' or '?'): a wildcard would let another repository or a fork assume the deployer roles."
  }
}

variable "apply_environment" {
  description = "The GitHub environment (protected, with required reviewers) whose jobs may assume the apply role."
  type        = string
  nullable    = false
  default     = "production"

  validation {
    condition     = can(regex("^[A-Za-z0-9._-]{1,255}$", var.apply_environment))
    error_message = "apply_environment must be one environment name (no '*' or '?'), such as production."
  }
}

variable "region" {
  description = "Region of the state bucket and its key."
  type        = string
  nullable    = false
  default     = "us-east-1"
}

variable "stack_region" {
  description = "Region of the stacks the roles deploy (the rendered image's region); null: the same as region."
  type        = string
  default     = null
}

variable "stack_names" {
  description = "The stacks (llm-<env>) the roles may plan and apply."
  type        = list(string)
  nullable    = false
  default     = ["llm-dev"]
}

variable "state_bucket_name" {
  description = "Name of the state bucket; null: sagemaker-llm-stack-tfstate-<account id>."
  type        = string
  default     = null
}

variable "existing_oidc_provider_arn" {
  description = "ARN of the account's GitHub OIDC provider if it already has one (an account holds one per URL); null: create it."
  type        = string
  default     = null

  validation {
    condition     = var.existing_oidc_provider_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider/token\\.actions\\.githubusercontent\\.com$", coalesce(var.existing_oidc_provider_arn, "-")))
    error_message = "existing_oidc_provider_arn must be the ARN of token.actions.githubusercontent.com's OIDC provider in this account."
  }
}

variable "noncurrent_state_days" {
  description = "Days a replaced state version is kept (versioning keeps every apply's state to roll back to)."
  type        = number
  nullable    = false
  default     = 90

  validation {
    condition     = var.noncurrent_state_days >= 1 && floor(var.noncurrent_state_days) == var.noncurrent_state_days
    error_message = "noncurrent_state_days must be a whole number of at least 1."
  }
}

variable "aws_endpoint_url" {
  description = "Rehearsal only: the local control plane (`make up`) to bootstrap instead of an AWS account; null: AWS."
  type        = string
  default     = null

  validation {
    condition     = var.aws_endpoint_url == null || can(regex("^http://(127\\.[0-9]+\\.[0-9]+\\.[0-9]+|localhost|\\[::1\\]):[0-9]+$", coalesce(var.aws_endpoint_url, "-")))
    error_message = "aws_endpoint_url must be a loopback URL such as http://127.0.0.1:5055 (the local rehearsal), or unset for AWS."
  }
}

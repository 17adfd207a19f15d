variable "stack_names" {
  description = "Names of the stacks (llm-<env>) the deployer may plan and apply: every permission is scoped to their resources."
  type        = list(string)
  nullable    = false

  validation {
    condition     = length(var.stack_names) > 0 && alltrue([for name in var.stack_names : length(name) <= 40 && can(regex("^[a-zA-Z0-9](-*[a-zA-Z0-9])*$", name))])
    error_message = "stack_names must list at least one stack name of 1-40 letters, digits and hyphens (the names in terraform/envs/<env>/main.tf)."
  }
}

variable "account_id" {
  description = "The account the stacks are deployed to."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id must be the 12-digit AWS account ID."
  }
}

variable "region" {
  description = "The stacks' region."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "region must be an AWS region name such as us-east-1."
  }
}

variable "partition" {
  description = "AWS partition (aws, aws-cn, aws-us-gov)."
  type        = string
  nullable    = false
  default     = "aws"
}

variable "state_bucket_name" {
  description = "Bucket that holds the stacks' Terraform state (the bootstrap's)."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.state_bucket_name))
    error_message = "state_bucket_name must be a valid S3 bucket name."
  }
}

variable "state_kms_key_arn" {
  description = "KMS key that encrypts the state bucket; null: S3-managed keys."
  type        = string
  default     = null
}

variable "execution_role_path" {
  description = "IAM path of the stacks' execution roles."
  type        = string
  nullable    = false
  default     = "/"
}

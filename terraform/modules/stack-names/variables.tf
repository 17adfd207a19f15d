variable "name" {
  description = "The stack's name (llm-<env>): every resource name of the stack derives from it."
  type        = string
  nullable    = false

  validation {
    condition     = length(var.name) <= 40 && can(regex("^[a-zA-Z0-9](-*[a-zA-Z0-9])*$", var.name))
    error_message = "name must be 1-40 letters, digits and hyphens, starting and ending with a letter or digit (it prefixes the role, bucket and repository names)."
  }
}

variable "account_id" {
  description = "AWS account ID (12 digits): part of the bucket name and of every ARN."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id must be the 12-digit AWS account ID."
  }
}

variable "region" {
  description = "Region of the stack's regional resources, for the `arns` output; null: names only (`arns` is null)."
  type        = string
  default     = null

  validation {
    condition     = var.region == null || can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", coalesce(var.region, "-")))
    error_message = "region must be an AWS region name such as us-east-1."
  }
}

variable "partition" {
  description = "AWS partition of the ARNs (aws, aws-cn, aws-us-gov)."
  type        = string
  nullable    = false
  default     = "aws"

  validation {
    condition     = contains(["aws", "aws-cn", "aws-us-gov"], var.partition)
    error_message = "partition must be aws, aws-cn or aws-us-gov."
  }
}

variable "role_path" {
  description = "IAM path of the execution role."
  type        = string
  nullable    = false
  default     = "/"

  validation {
    condition     = can(regex("^/([\\x21-\\x7E]{0,510}/)?$", var.role_path))
    error_message = "role_path must start and end with '/', e.g. \"/\" or \"/sagemaker/\"."
  }
}

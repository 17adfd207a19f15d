variable "alias" {
  description = "Alias name without the `alias/` prefix, e.g. `llm-dev`."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-zA-Z0-9/_-]{1,250}$", var.alias)) && !startswith(var.alias, "aws/")
    error_message = "alias must be 1-250 characters of letters, digits, '/', '_' or '-', and must not start with 'aws/' (reserved for AWS managed keys); pass it without the 'alias/' prefix."
  }
}

variable "description" {
  description = "Key description shown in the KMS console."
  type        = string
  nullable    = false
  default     = "SageMaker LLM endpoint: model artifacts, images, logs and alarm topics"
}

variable "account_id" {
  description = "AWS account ID that owns the key; its IAM policies administer and use the key."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id must be the 12-digit AWS account ID, e.g. \"123456789012\"."
  }
}

variable "deletion_window_in_days" {
  description = "Days KMS waits before deleting the key after it is scheduled for deletion."
  type        = number
  nullable    = false
  default     = 30

  validation {
    condition     = var.deletion_window_in_days >= 7 && var.deletion_window_in_days <= 30 && floor(var.deletion_window_in_days) == var.deletion_window_in_days
    error_message = "deletion_window_in_days must be a whole number from 7 to 30 (the range KMS accepts)."
  }
}

variable "cloudwatch_log_group_names" {
  description = "Log groups that CloudWatch Logs may encrypt with this key (key policy, scoped by encryption context)."
  type        = list(string)
  nullable    = false
  default     = []

  validation {
    condition     = alltrue([for name in var.cloudwatch_log_group_names : can(regex("^[.\\-_/#A-Za-z0-9]{1,512}$", name))])
    error_message = "cloudwatch_log_group_names must hold log group names (1-512 of letters, digits, '.', '-', '_', '/', '#')."
  }
}

variable "allow_cloudwatch_alarms" {
  description = "Let CloudWatch alarms of this account publish to SNS topics encrypted with this key."
  type        = bool
  nullable    = false
  default     = false
}

variable "tags" {
  description = "Tags for every resource of the module."
  type        = map(string)
  nullable    = false
  default     = {}
}

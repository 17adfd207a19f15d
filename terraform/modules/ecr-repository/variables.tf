variable "name" {
  description = "Repository name, e.g. `llm-service`."
  type        = string
  nullable    = false

  validation {
    condition     = length(var.name) >= 2 && length(var.name) <= 256 && can(regex("^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$", var.name))
    error_message = "name must be 2-256 characters: lowercase letters and digits separated by single '.', '_', '-' or '/' (ECR repository name rules)."
  }
}

variable "kms_key_arn" {
  description = "KMS key that encrypts the images."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[a-zA-Z0-9-]+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)."
  }
}

variable "tagged_images_to_keep" {
  description = "How many images to keep; older ones expire."
  type        = number
  nullable    = false
  default     = 30

  validation {
    condition     = var.tagged_images_to_keep >= 1 && var.tagged_images_to_keep <= 1000 && floor(var.tagged_images_to_keep) == var.tagged_images_to_keep
    error_message = "tagged_images_to_keep must be a whole number from 1 to 1000."
  }
}

variable "untagged_image_expiry_days" {
  description = "Days after which untagged images expire."
  type        = number
  nullable    = false
  default     = 7

  validation {
    condition     = var.untagged_image_expiry_days >= 1 && var.untagged_image_expiry_days <= 365 && floor(var.untagged_image_expiry_days) == var.untagged_image_expiry_days
    error_message = "untagged_image_expiry_days must be a whole number from 1 to 365."
  }
}

variable "force_delete" {
  description = "Allow `terraform destroy` to delete the repository while it still holds images."
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

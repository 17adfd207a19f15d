variable "bucket_name" {
  description = "Bucket name (globally unique)."
  type        = string
  nullable    = false

  validation {
    condition = (
      can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name)) &&
      !strcontains(var.bucket_name, "..") &&
      !can(regex("^\\d+\\.\\d+\\.\\d+\\.\\d+$", var.bucket_name)) &&
      !startswith(var.bucket_name, "xn--") && !startswith(var.bucket_name, "sthree-") &&
      !endswith(var.bucket_name, "-s3alias") && !endswith(var.bucket_name, "--ol-s3") && !endswith(var.bucket_name, ".mrap")
    )
    error_message = "bucket_name must follow S3's rules: 3-63 lowercase letters, digits, '.' and '-', starting and ending with a letter or digit, no '..', not an IP address, no 'xn--' or 'sthree-' prefix and no '-s3alias', '--ol-s3' or '.mrap' suffix."
  }
}

variable "kms_key_arn" {
  description = "KMS key for SSE-KMS default encryption (with an S3 bucket key)."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[a-zA-Z0-9-]+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)."
  }
}

variable "noncurrent_version_expiration_days" {
  description = "Days after which replaced object versions are deleted."
  type        = number
  nullable    = false
  default     = 30

  validation {
    condition     = var.noncurrent_version_expiration_days >= 1 && var.noncurrent_version_expiration_days <= 3650 && floor(var.noncurrent_version_expiration_days) == var.noncurrent_version_expiration_days
    error_message = "noncurrent_version_expiration_days must be a whole number from 1 to 3650."
  }
}

variable "lifecycle_rules" {
  description = "Expire replaced object versions and abort stale multipart uploads. Off only for throwaway buckets (the local env): the provider then skips its ~1 minute consistency wait."
  type        = bool
  nullable    = false
  default     = true
}

variable "access_log_bucket" {
  description = "Bucket that receives S3 server access logs (prefix <bucket_name>/); null turns access logging off."
  type        = string
  default     = null

  validation {
    condition     = var.access_log_bucket == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.access_log_bucket))
    error_message = "access_log_bucket must be a bucket name (not an ARN or s3:// URI)."
  }
}

variable "tls_only" {
  description = "Attach the bucket policy that denies requests without TLS 1.2 or later. Only a local control plane that speaks plain HTTP on loopback (terraform/envs/local) turns it off."
  type        = bool
  nullable    = false
  default     = true
}

variable "force_destroy" {
  description = "Allow `terraform destroy` to delete the bucket while it still holds objects (never in production)."
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

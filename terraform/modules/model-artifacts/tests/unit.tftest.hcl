provider "aws" {
  region                      = "us-east-1"
  access_key                  = "unit-test"
  secret_key                  = "unit-test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}

variables {
  bucket_name = "llm-test-artifacts-123456789012"
  kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
}

run "private_versioned_kms_bucket" {
  command = plan

  assert {
    condition = (
      aws_s3_bucket_public_access_block.this.block_public_acls && aws_s3_bucket_public_access_block.this.block_public_policy &&
      aws_s3_bucket_public_access_block.this.ignore_public_acls && aws_s3_bucket_public_access_block.this.restrict_public_buckets
    )
    error_message = "all public access is blocked"
  }
  assert {
    condition     = aws_s3_bucket_versioning.this.versioning_configuration[0].status == "Enabled"
    error_message = "versioning is on"
  }
  assert {
    condition = (
      one(aws_s3_bucket_server_side_encryption_configuration.this.rule).apply_server_side_encryption_by_default[0].sse_algorithm == "aws:kms" &&
      one(aws_s3_bucket_server_side_encryption_configuration.this.rule).bucket_key_enabled
    )
    error_message = "SSE-KMS with a bucket key"
  }
  assert {
    condition = one([
      for s in jsondecode(data.aws_iam_policy_document.bucket.json).Statement : s.Condition.Bool["aws:SecureTransport"] if s.Sid == "DenyInsecureTransport"
    ]) == "false" && one([for s in jsondecode(data.aws_iam_policy_document.bucket.json).Statement : s.Effect if s.Sid == "DenyInsecureTransport"]) == "Deny"
    error_message = "requests without TLS are denied"
  }
  assert {
    condition     = one([for rule in aws_s3_bucket_lifecycle_configuration.this[0].rule : rule.noncurrent_version_expiration[0].noncurrent_days if rule.id == "expire-noncurrent-versions"]) == 30
    error_message = "replaced versions expire after 30 days"
  }
  assert {
    condition     = length(aws_s3_bucket_logging.this) == 0 && !aws_s3_bucket.this.force_destroy
    error_message = "no access logging unless asked; never force_destroy by default"
  }
}

run "access_logging" {
  command = plan

  variables {
    access_log_bucket = "llm-test-access-logs"
  }

  assert {
    condition     = aws_s3_bucket_logging.this[0].target_bucket == "llm-test-access-logs" && aws_s3_bucket_logging.this[0].target_prefix == "llm-test-artifacts-123456789012/"
    error_message = "access logs go to the given bucket under the bucket's name"
  }
}

run "lifecycle_rules_can_be_left_out_for_throwaway_buckets" {
  command = plan

  variables {
    lifecycle_rules = false
  }

  assert {
    condition     = length(aws_s3_bucket_lifecycle_configuration.this) == 0 && aws_s3_bucket_versioning.this.versioning_configuration[0].status == "Enabled"
    error_message = "without lifecycle rules the bucket is still versioned, only the rules go"
  }
}

run "plain_http_local_control_plane_has_no_tls_policy" {
  command = plan

  variables {
    tls_only = false
  }

  assert {
    condition     = length(aws_s3_bucket_policy.this) == 0
    error_message = "the local environment's bucket (plain HTTP on loopback) has no TLS-only policy"
  }
}

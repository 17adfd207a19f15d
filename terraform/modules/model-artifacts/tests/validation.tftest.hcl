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

run "bucket_name_too_short" {
  command = plan
  variables {
    bucket_name = "ab"
  }
  expect_failures = [var.bucket_name]
}

run "bucket_name_uppercase" {
  command = plan
  variables {
    bucket_name = "LLM-artifacts"
  }
  expect_failures = [var.bucket_name]
}

run "bucket_name_double_dot" {
  command = plan
  variables {
    bucket_name = "llm..artifacts"
  }
  expect_failures = [var.bucket_name]
}

run "bucket_name_ip_address" {
  command = plan
  variables {
    bucket_name = "192.168.1.10"
  }
  expect_failures = [var.bucket_name]
}

run "bucket_name_xn_prefix" {
  command = plan
  variables {
    bucket_name = "xn--llm-artifacts"
  }
  expect_failures = [var.bucket_name]
}

run "bucket_name_s3alias_suffix" {
  command = plan
  variables {
    bucket_name = "llm-artifacts-s3alias"
  }
  expect_failures = [var.bucket_name]
}

run "bucket_name_trailing_hyphen" {
  command = plan
  variables {
    bucket_name = "llm-artifacts-"
  }
  expect_failures = [var.bucket_name]
}

run "bucket_name_s3_uri" {
  command = plan
  variables {
    bucket_name = "s3://llm-artifacts"
  }
  expect_failures = [var.bucket_name]
}

run "key_not_arn" {
  command = plan
  variables {
    kms_key_arn = "alias/aws/s3"
  }
  expect_failures = [var.kms_key_arn]
}

run "noncurrent_zero" {
  command = plan
  variables {
    noncurrent_version_expiration_days = 0
  }
  expect_failures = [var.noncurrent_version_expiration_days]
}

run "log_bucket_as_arn" {
  command = plan
  variables {
    access_log_bucket = "arn:aws:s3:::logs"
  }
  expect_failures = [var.access_log_bucket]
}

run "noncurrent_over_ten_years" {
  command = plan
  variables {
    noncurrent_version_expiration_days = 3651
  }
  expect_failures = [var.noncurrent_version_expiration_days]
}

run "noncurrent_not_whole" {
  command = plan
  variables {
    noncurrent_version_expiration_days = 1.5
  }
  expect_failures = [var.noncurrent_version_expiration_days]
}

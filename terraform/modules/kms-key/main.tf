data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_root = "arn:${data.aws_partition.current.partition}:iam::${var.account_id}:root"
  # data.aws_region's `id` is the region name in provider 5.x and 6.x (`name` is deprecated in 6.x).
  region = data.aws_region.current.id

  log_group_arns = [
    for name in var.cloudwatch_log_group_names :
    "arn:${data.aws_partition.current.partition}:logs:${local.region}:${var.account_id}:log-group:${name}"
  ]
}

data "aws_iam_policy_document" "key" {
  #checkov:skip=CKV_AWS_111:A key policy's Resource "*" is this key only; writes are limited to this account's IAM.
  #checkov:skip=CKV_AWS_356:A key policy's Resource "*" is this key only (KMS key policies cannot name the key ARN).
  #checkov:skip=CKV_AWS_109:kms:* for the account root is AWS's default key policy; IAM policies decide who uses it.
  # Key administration and use stay with IAM policies of this account (AWS's default key policy statement);
  # "*" in a key policy means this key only.
  statement {
    sid       = "AccountIamPolicies"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = [local.account_root]
    }
  }

  dynamic "statement" {
    for_each = length(local.log_group_arns) > 0 ? [1] : []
    content {
      sid       = "CloudWatchLogsForNamedGroups"
      actions   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
      resources = ["*"]
      principals {
        type        = "Service"
        identifiers = ["logs.${local.region}.amazonaws.com"]
      }
      condition {
        test     = "ArnEquals"
        variable = "kms:EncryptionContext:aws:logs:arn"
        values   = local.log_group_arns
      }
    }
  }

  dynamic "statement" {
    for_each = var.allow_cloudwatch_alarms ? [1] : []
    content {
      # CloudWatch alarms publish to SNS topics encrypted with this key.
      sid       = "CloudWatchAlarmsToEncryptedTopics"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
      resources = ["*"]
      principals {
        type        = "Service"
        identifiers = ["cloudwatch.amazonaws.com"]
      }
      condition {
        test     = "StringEquals"
        variable = "aws:SourceAccount"
        values   = [var.account_id]
      }
    }
  }
}

resource "aws_kms_key" "this" {
  description             = var.description
  enable_key_rotation     = true
  deletion_window_in_days = var.deletion_window_in_days
  policy                  = data.aws_iam_policy_document.key.json
  tags                    = var.tags
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.alias}"
  target_key_id = aws_kms_key.this.key_id
}

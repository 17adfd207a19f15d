# Applied once per account, before the first `make plan`: the state bucket the envs use, GitHub's OIDC provider, and
# the two roles of .github/workflows/terraform.yml (docs/bootstrap.md). Everything else is made by the envs.
provider "aws" {
  region = var.region

  # aws_endpoint_url (the local control plane of `make up`): the rehearsal of docs/bootstrap.md with no AWS account.
  # null everywhere else, which is the provider's default.
  access_key                  = local.rehearsal ? "local" : null
  secret_key                  = local.rehearsal ? "local" : null
  skip_credentials_validation = local.rehearsal
  skip_metadata_api_check     = local.rehearsal
  skip_requesting_account_id  = local.rehearsal
  s3_use_path_style           = local.rehearsal
  endpoints {
    iam = var.aws_endpoint_url
    kms = var.aws_endpoint_url
    s3  = var.aws_endpoint_url
    sts = var.aws_endpoint_url
  }

  default_tags {
    tags = { project = "sagemaker-llm-stack", component = "bootstrap", managed-by = "terraform" }
  }
}

data "aws_caller_identity" "current" {
  # `count` lets a review plan replace it with a fixed account (the envs' offline override), with no AWS call.
  count = 1
}
data "aws_partition" "current" {}

locals {
  rehearsal    = var.aws_endpoint_url != null
  account_id   = data.aws_caller_identity.current[0].account_id
  partition    = data.aws_partition.current.partition
  bucket_name  = coalesce(var.state_bucket_name, "sagemaker-llm-stack-tfstate-${local.account_id}")
  stack_region = coalesce(var.stack_region, var.region)
  oidc_arn     = coalesce(var.existing_oidc_provider_arn, try(aws_iam_openid_connect_provider.github[0].arn, null))
  # The subjects GitHub puts in a workflow's token (docs: "About security hardening with OpenID Connect").
  plan_subject  = "repo:${var.github_repository}:pull_request"
  apply_subject = "repo:${var.github_repository}:environment:${var.apply_environment}"
}

check "one_region" {
  assert {
    condition     = local.stack_region == var.region
    error_message = "The state bucket is in ${var.region} but the stacks deploy to ${local.stack_region}: it works (state is tiny), but every plan and apply then crosses regions; bootstrap in the stacks' region unless the bucket must live elsewhere."
  }
}

resource "aws_kms_key" "state" {
  description         = "Terraform state of sagemaker-llm-stack (${local.bucket_name})"
  enable_key_rotation = true
  #checkov:skip=CKV2_AWS_64:The default key policy (the account's IAM decides) is what the deployer policies rely on: they grant this key by ARN.
}

resource "aws_kms_alias" "state" {
  name          = "alias/sagemaker-llm-stack-tfstate"
  target_key_id = aws_kms_key.state.key_id
}

resource "aws_s3_bucket" "state" {
  bucket = local.bucket_name
  #checkov:skip=CKV_AWS_144:Cross-region replication of a few KB of state is out of scope; versioning keeps every past state.
  #checkov:skip=CKV_AWS_18:Access logging needs a second bucket the bootstrap would also have to own; CloudTrail data events cover state access.
  #checkov:skip=CKV2_AWS_62:No consumer of state change events; nothing to notify.

  lifecycle {
    # Destroying the bootstrap would take every environment's state with it: remove this only after moving them.
    prevent_destroy = true
  }
}

resource "aws_s3_bucket_versioning" "state" {
  bucket = aws_s3_bucket.state.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "state" {
  bucket = aws_s3_bucket.state.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.state.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_public_access_block" "state" {
  bucket                  = aws_s3_bucket.state.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "state" {
  bucket = aws_s3_bucket.state.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "state" {
  bucket = aws_s3_bucket.state.id
  rule {
    id     = "expire-replaced-state"
    status = "Enabled"
    filter {
      prefix = "" # the whole bucket
    }
    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_state_days
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
  depends_on = [aws_s3_bucket_versioning.state]
}

data "aws_iam_policy_document" "state_bucket" {
  statement {
    sid     = "DenyInsecureTransport"
    effect  = "Deny"
    actions = ["s3:*"]
    # From the name, not the bucket's computed ARN, so the plan shows the policy a reviewer approves.
    resources = ["arn:${local.partition}:s3:::${local.bucket_name}", "arn:${local.partition}:s3:::${local.bucket_name}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "state" {
  bucket     = aws_s3_bucket.state.id
  policy     = data.aws_iam_policy_document.state_bucket.json
  depends_on = [aws_s3_bucket_public_access_block.state]
}

resource "aws_iam_openid_connect_provider" "github" {
  count          = var.existing_oidc_provider_arn == null ? 1 : 0
  url            = "https://token.actions.githubusercontent.com"
  client_id_list = ["sts.amazonaws.com"]
}

module "policies" {
  source = "../../modules/deployer-policies"

  stack_names       = var.stack_names
  account_id        = local.account_id
  region            = local.stack_region
  partition         = local.partition
  state_bucket_name = local.bucket_name
  state_kms_key_arn = aws_kms_key.state.arn
}

data "aws_iam_policy_document" "trust" {
  for_each = { plan = local.plan_subject, apply = local.apply_subject }

  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [local.oidc_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      # StringEquals, not StringLike: exactly this repository's pull requests / protected environment.
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:sub"
      values   = [each.value]
    }
  }
}

resource "aws_iam_role" "deployer" {
  for_each = data.aws_iam_policy_document.trust

  name                 = "sagemaker-llm-stack-${each.key}"
  description          = each.key == "plan" ? "Plans the stacks from pull requests: read-only, plus the state lock." : "Applies the reviewed plan in the ${var.apply_environment} environment."
  assume_role_policy   = each.value.json
  max_session_duration = 3600
}

resource "aws_iam_role_policy" "deployer" {
  for_each = aws_iam_role.deployer

  name   = "deployer-${each.key}"
  role   = each.value.id
  policy = each.key == "plan" ? module.policies.plan_policy_json : module.policies.apply_policy_json
}

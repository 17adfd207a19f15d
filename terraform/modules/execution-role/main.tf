data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  partition = data.aws_partition.current.partition
  region    = data.aws_region.current.id
  account   = var.account_id

  # s3://bucket/prefix/ → bucket and key prefix. Every statement below comes from names known at plan time, so a
  # reviewer reads the whole policy in `terraform plan`.
  # Every prefix the role may read weights from: the model's, or each inference component's.
  model_s3 = [
    for uri in distinct(concat(var.model_data_s3_uri == null ? [] : [var.model_data_s3_uri], var.model_data_s3_uris)) :
    regex("^s3://([^/]+)/(.*)$", uri)
  ]
  capture = var.data_capture_s3_uri == null ? null : regex("^s3://([^/]+)/(.*)$", var.data_capture_s3_uri)
  # Prefixes SageMaker writes with the stack key: captures and async results (GenerateDataKey through S3).
  writes_s3    = local.capture != null || length(var.async_output_s3_uris) > 0
  async_input  = var.async_input_s3_uri == null ? null : regex("^s3://([^/]+)/(.*)$", var.async_input_s3_uri)
  async_output = [for uri in var.async_output_s3_uris : regex("^s3://([^/]+)/(.*)$", uri)]

  # <account>.dkr.ecr.<region>.amazonaws.com[.cn]/<repository>[:tag|@digest] → repository ARN.
  image_repository_arns = distinct([
    for uri in var.image_uris : format(
      "arn:%s:ecr:%s:%s:repository/%s", local.partition,
      regex("^[0-9]{12}\\.dkr\\.ecr\\.([a-z0-9-]+)\\.", uri)[0],
      regex("^([0-9]{12})\\.", uri)[0],
      regex("^[^/]+/([^:@]+)", uri)[0],
    )
  ])
  repository_arns = distinct(concat(local.image_repository_arns, [
    for name in var.ecr_repository_names : "arn:${local.partition}:ecr:${local.region}:${local.account}:repository/${name}"
  ]))

  log_group_arn = "arn:${local.partition}:logs:${local.region}:${local.account}:log-group:/aws/sagemaker/Endpoints/${var.endpoint_name}"

  kms_key_wildcard = "arn:${local.partition}:kms:${local.region}:${local.account}:key/*"
  vpc              = var.vpc_config
  rollback_alarm_arns = [
    for name in var.rollback_alarm_names : "arn:${local.partition}:cloudwatch:${local.region}:${local.account}:alarm:${name}"
  ]
}

data "aws_iam_policy_document" "trust" {
  statement {
    sid     = "SageMakerOfThisAccount"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["sagemaker.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account]
    }
  }
}

data "aws_iam_policy_document" "permissions" {
  statement {
    sid       = "EcrLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"] # GetAuthorizationToken has no resource-level permissions
  }

  statement {
    sid       = "PullServingImages"
    actions   = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    resources = local.repository_arns
  }

  statement {
    sid       = "EndpointLogs"
    actions   = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"]
    resources = [local.log_group_arn, "${local.log_group_arn}:log-stream:*"]
  }

  statement {
    sid       = "EndpointMetrics"
    actions   = ["cloudwatch:PutMetricData"]
    resources = ["*"] # PutMetricData has no resource-level permissions; the namespace condition scopes it
    condition {
      test     = "StringEquals"
      variable = "cloudwatch:namespace"
      values   = var.metric_namespaces
    }
  }

  dynamic "statement" {
    # Blue/green auto-rollback: SageMaker reads the alarms with the execution role ("Auto-Rollback Configuration and
    # Monitoring": the role needs cloudwatch:DescribeAlarms on the auto-rollback alarms).
    for_each = length(var.rollback_alarm_names) > 0 ? [1] : []
    content {
      sid       = "ReadRollbackAlarms"
      actions   = ["cloudwatch:DescribeAlarms"]
      resources = local.rollback_alarm_arns
    }
  }

  dynamic "statement" {
    for_each = length(local.model_s3) == 0 ? [] : [1]
    content {
      sid       = "ReadModelPrefix"
      actions   = ["s3:GetObject"]
      resources = [for m in local.model_s3 : "arn:${local.partition}:s3:::${m[0]}/${m[1]}*"]
    }
  }

  dynamic "statement" {
    for_each = length(local.model_s3) == 0 ? [] : [1]
    content {
      sid       = "ListModelPrefix"
      actions   = ["s3:ListBucket"]
      resources = distinct([for m in local.model_s3 : "arn:${local.partition}:s3:::${m[0]}"])
      condition {
        test     = "StringLike"
        variable = "s3:prefix"
        values   = flatten([for m in local.model_s3 : [m[1], "${m[1]}*"]])
      }
    }
  }

  dynamic "statement" {
    for_each = local.capture == null ? [] : [1]
    content {
      sid       = "WriteDataCapture"
      actions   = ["s3:PutObject"]
      resources = ["arn:${local.partition}:s3:::${local.capture[0]}/${local.capture[1]}*"]
    }
  }

  dynamic "statement" {
    # Asynchronous inference: SageMaker reads each request from the caller's upload and writes the result or the
    # failure, with this role (AWS's async prerequisites), under exactly these prefixes.
    for_each = local.async_input == null ? [] : [1]
    content {
      sid       = "ReadAsyncRequests"
      actions   = ["s3:GetObject"]
      resources = ["arn:${local.partition}:s3:::${local.async_input[0]}/${local.async_input[1]}*"]
    }
  }

  dynamic "statement" {
    for_each = length(local.async_output) == 0 ? [] : [1]
    content {
      sid       = "WriteAsyncResults"
      actions   = ["s3:PutObject"]
      resources = distinct([for o in local.async_output : "arn:${local.partition}:s3:::${o[0]}/${o[1]}*"])
    }
  }

  dynamic "statement" {
    for_each = length(var.async_topic_arns) == 0 ? [] : [1]
    content {
      sid       = "PublishAsyncNotifications"
      actions   = ["sns:Publish"]
      resources = distinct(var.async_topic_arns)
    }
  }

  dynamic "statement" {
    for_each = length(var.async_topic_arns) > 0 && length(var.async_topic_kms_key_aliases) > 0 ? [1] : []
    content {
      # SNS encrypts each message with the topic's key on the publisher's behalf.
      sid       = "EncryptAsyncNotifications"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = [local.kms_key_wildcard]
      condition {
        test     = "ForAnyValue:StringEquals"
        variable = "kms:ResourceAliases"
        values   = [for alias in var.async_topic_kms_key_aliases : "alias/${alias}"]
      }
      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["sns.${local.region}.amazonaws.com"]
      }
    }
  }

  dynamic "statement" {
    for_each = var.model_data_kms_key == null ? [] : [var.model_data_kms_key]
    content {
      # A team's own key for its weights bucket: decrypt only (nothing here writes with it), only through S3.
      sid       = "DecryptModelWeights"
      actions   = ["kms:Decrypt"]
      resources = [statement.value]
      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["s3.${local.region}.amazonaws.com"]
      }
    }
  }

  dynamic "statement" {
    for_each = length(var.kms_key_arns) > 0 ? [1] : []
    content {
      sid       = "UseArtifactKeysByArn"
      actions   = local.writes_s3 ? ["kms:Decrypt", "kms:GenerateDataKey"] : ["kms:Decrypt"]
      resources = var.kms_key_arns
      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["s3.${local.region}.amazonaws.com"]
      }
    }
  }

  dynamic "statement" {
    for_each = length(var.kms_key_aliases) > 0 ? [1] : []
    content {
      # The key's ARN is known only after it is created; its alias is known now, and kms:ResourceAliases limits this
      # statement to the keys that carry it.
      sid       = "UseArtifactKeysByAlias"
      actions   = local.writes_s3 ? ["kms:Decrypt", "kms:GenerateDataKey"] : ["kms:Decrypt"]
      resources = [local.kms_key_wildcard]
      condition {
        test     = "ForAnyValue:StringEquals"
        variable = "kms:ResourceAliases"
        values   = [for alias in var.kms_key_aliases : "alias/${alias}"]
      }
      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["s3.${local.region}.amazonaws.com"]
      }
    }
  }

  dynamic "statement" {
    for_each = local.vpc == null ? [] : [1]
    content {
      sid = "DescribeVpcForEni"
      actions = [
        "ec2:DescribeDhcpOptions", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSecurityGroups",
        "ec2:DescribeSubnets", "ec2:DescribeVpcs",
      ]
      resources = ["*"] # EC2 Describe* calls have no resource-level permissions
    }
  }

  dynamic "statement" {
    for_each = local.vpc == null ? [] : [1]
    content {
      sid     = "CreateEniInGivenSubnets"
      actions = ["ec2:CreateNetworkInterface"]
      resources = concat(
        [for id in local.vpc.subnet_ids : "arn:${local.partition}:ec2:${local.region}:${local.account}:subnet/${id}"],
        [for id in local.vpc.security_group_ids : "arn:${local.partition}:ec2:${local.region}:${local.account}:security-group/${id}"],
        ["arn:${local.partition}:ec2:${local.region}:${local.account}:network-interface/*"],
      )
    }
  }

  dynamic "statement" {
    for_each = local.vpc == null ? [] : [1]
    content {
      sid       = "ManageOwnEnis"
      actions   = ["ec2:CreateNetworkInterfacePermission", "ec2:DeleteNetworkInterface", "ec2:DeleteNetworkInterfacePermission"]
      resources = ["arn:${local.partition}:ec2:${local.region}:${local.account}:network-interface/*"]
      condition {
        test     = "ArnEquals"
        variable = "ec2:Subnet"
        values   = [for id in local.vpc.subnet_ids : "arn:${local.partition}:ec2:${local.region}:${local.account}:subnet/${id}"]
      }
    }
  }
}

resource "aws_iam_role" "this" {
  name                 = var.name
  path                 = var.path
  description          = "SageMaker execution role for endpoint ${var.endpoint_name}"
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  permissions_boundary = var.permissions_boundary_arn
  max_session_duration = 3600
  tags                 = var.tags
}

resource "aws_iam_role_policy" "this" {
  name   = "sagemaker-endpoint-least-privilege"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.permissions.json
}

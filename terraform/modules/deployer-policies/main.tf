# The two deployer policies of docs/bootstrap.md, scoped to the resources of the stacks in var.stack_names. Names and
# ARNs come from stack-names, the module llm-stack names its resources with: one source, no second list to drift.
# Every Resource "*" below is an action that takes no resource ARN (Service Authorization Reference), said where used.
module "names" {
  source   = "../stack-names"
  for_each = toset(var.stack_names)

  name       = each.value
  account_id = var.account_id
  region     = var.region
  partition  = var.partition
  role_path  = var.execution_role_path
}

locals {
  arns = { for kind in keys(values(module.names)[0].arns) : kind => [for stack in module.names : stack.arns[kind]] }

  sagemaker  = concat(local.arns.sagemaker_model, local.arns.sagemaker_endpoint_config, local.arns.sagemaker_endpoint)
  log_groups = concat(local.arns.log_group, local.arns.log_group_streams)

  state_bucket  = "arn:${var.partition}:s3:::${var.state_bucket_name}"
  state_objects = "${local.state_bucket}/sagemaker-llm-stack/*"
  # `use_lockfile = true` writes <key>.tflock next to the state: the only object the plan role may write.
  state_locks = "${local.state_bucket}/sagemaker-llm-stack/*/terraform.tfstate.tflock"

  autoscaling_role = "arn:${var.partition}:iam::${var.account_id}:role/aws-service-role/sagemaker.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint"

  # What a plan refreshes, by service: the read half of each apply statement.
  read = {
    sagemaker      = ["sagemaker:DescribeModel", "sagemaker:DescribeEndpointConfig", "sagemaker:DescribeEndpoint", "sagemaker:ListTags"]
    components     = ["sagemaker:DescribeInferenceComponent", "sagemaker:ListTags"]
    cloudformation = ["cloudformation:DescribeStacks", "cloudformation:GetTemplate"]
    iam            = ["iam:GetRole", "iam:GetRolePolicy", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies", "iam:ListInstanceProfilesForRole"]
    s3             = ["s3:ListBucket", "s3:GetBucketAcl", "s3:GetBucketCORS", "s3:GetBucketWebsite", "s3:GetBucketVersioning", "s3:GetAccelerateConfiguration", "s3:GetBucketRequestPayment", "s3:GetBucketLogging", "s3:GetLifecycleConfiguration", "s3:GetReplicationConfiguration", "s3:GetEncryptionConfiguration", "s3:GetBucketObjectLockConfiguration", "s3:GetBucketTagging", "s3:GetBucketPolicy", "s3:GetBucketPublicAccessBlock", "s3:GetBucketOwnershipControls"]
    ecr            = ["ecr:DescribeRepositories", "ecr:GetLifecyclePolicy", "ecr:ListTagsForResource"]
    kms            = ["kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags"]
    logs           = ["logs:ListTagsForResource", "logs:ListTagsLogGroup"]
    autoscaling    = ["application-autoscaling:DescribeScalableTargets", "application-autoscaling:DescribeScalingPolicies", "application-autoscaling:DescribeScheduledActions", "application-autoscaling:DescribeScalingActivities", "application-autoscaling:ListTagsForResource"]
    cloudwatch     = ["cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource"]
    sns            = ["sns:GetTopicAttributes", "sns:ListTagsForResource"]
  }
  stack_tag = [for name in var.stack_names : name]
}

data "aws_iam_policy_document" "apply" {
  statement {
    sid = "SageMakerStack"
    actions = concat(local.read.sagemaker, [
      "sagemaker:CreateModel", "sagemaker:DeleteModel", "sagemaker:CreateEndpointConfig", "sagemaker:DeleteEndpointConfig",
      "sagemaker:CreateEndpoint", "sagemaker:UpdateEndpoint", "sagemaker:DeleteEndpoint", "sagemaker:AddTags",
      "sagemaker:DeleteTags",
      # `make apply`'s smoke check invokes the endpoint once.
      "sagemaker:InvokeEndpoint", "sagemaker:InvokeEndpointWithResponseStream",
    ])
    resources = local.sagemaker
  }

  # Component mode: CloudFormation makes the configuration, endpoint and components with the caller's credentials
  # (no service role), so the SageMaker statements above and this one apply to the calls it makes.
  statement {
    sid       = "ComponentStack"
    actions   = concat(local.read.cloudformation, ["cloudformation:CreateStack", "cloudformation:UpdateStack", "cloudformation:DeleteStack", "cloudformation:DescribeStackEvents"])
    resources = local.arns.component_stack
  }

  statement {
    sid = "InferenceComponents"
    actions = concat(local.read.components, [
      "sagemaker:CreateInferenceComponent", "sagemaker:UpdateInferenceComponent",
      "sagemaker:UpdateInferenceComponentRuntimeConfig", "sagemaker:DeleteInferenceComponent", "sagemaker:AddTags",
      "sagemaker:DeleteTags",
      # `make apply`'s smoke check invokes the first component.
      "sagemaker:InvokeEndpoint", "sagemaker:InvokeEndpointWithResponseStream",
    ])
    resources = local.arns.sagemaker_inference_component
  }

  statement {
    sid = "ExecutionRole"
    actions = concat(local.read.iam, [
      "iam:CreateRole", "iam:DeleteRole", "iam:TagRole", "iam:UntagRole", "iam:UpdateRole", "iam:UpdateAssumeRolePolicy",
      "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:PutRolePermissionsBoundary",
    ])
    resources = local.arns.execution_role
  }

  statement {
    sid       = "PassExecutionRoleToSageMaker"
    actions   = ["iam:PassRole"]
    resources = local.arns.execution_role
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["sagemaker.amazonaws.com"]
    }
  }

  statement {
    sid = "ArtifactsBucket"
    actions = concat(local.read.s3, [
      "s3:CreateBucket", "s3:DeleteBucket", "s3:PutBucketVersioning", "s3:PutBucketLogging", "s3:PutLifecycleConfiguration",
      "s3:PutEncryptionConfiguration", "s3:PutBucketTagging", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy",
      "s3:PutBucketPublicAccessBlock", "s3:PutBucketOwnershipControls",
      # force_destroy (the local env) empties the bucket before DeleteBucket.
      "s3:ListBucketVersions",
    ])
    resources = local.arns.bucket
  }

  statement {
    sid       = "EmptyArtifactsOnDestroy"
    actions   = ["s3:DeleteObject", "s3:DeleteObjectVersion"]
    resources = local.arns.bucket_objects
  }

  statement {
    sid = "Repository"
    actions = concat(local.read.ecr, [
      "ecr:CreateRepository", "ecr:DeleteRepository", "ecr:PutLifecyclePolicy", "ecr:DeleteLifecyclePolicy",
      "ecr:TagResource", "ecr:UntagResource", "ecr:PutImageScanningConfiguration", "ecr:PutImageTagMutability",
    ])
    resources = local.arns.repository
  }

  statement {
    sid       = "CreateStackKey"
    actions   = ["kms:CreateKey", "kms:TagResource"]
    resources = ["*"] # CreateKey takes no resource ARN: the key does not exist yet. The request must carry the stack tag.
    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/llm:stack"
      values   = local.stack_tag
    }
  }

  statement {
    sid = "ManageStackKey"
    actions = concat(local.read.kms, [
      "kms:PutKeyPolicy", "kms:EnableKeyRotation", "kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion",
      "kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias",
    ])
    resources = local.arns.kms_keys
    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/llm:stack"
      values   = local.stack_tag
    }
  }

  statement {
    sid       = "StackKeyAlias"
    actions   = ["kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"]
    resources = local.arns.kms_alias
  }

  statement {
    sid       = "ListKeyAliases"
    actions   = ["kms:ListAliases"]
    resources = ["*"] # ListAliases takes no resource ARN.
  }

  statement {
    sid = "LogGroup"
    actions = concat(local.read.logs, [
      "logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy", "logs:DeleteRetentionPolicy",
      "logs:AssociateKmsKey", "logs:DisassociateKmsKey", "logs:TagResource", "logs:UntagResource", "logs:TagLogGroup",
    ])
    resources = local.log_groups
  }

  statement {
    sid       = "DescribeLogGroups"
    actions   = ["logs:DescribeLogGroups"]
    resources = ["arn:${var.partition}:logs:${var.region}:${var.account_id}:log-group:*"] # it lists, by prefix
  }

  statement {
    sid = "Autoscaling"
    actions = concat(local.read.autoscaling, [
      "application-autoscaling:RegisterScalableTarget", "application-autoscaling:DeregisterScalableTarget",
      "application-autoscaling:PutScalingPolicy", "application-autoscaling:DeleteScalingPolicy",
      "application-autoscaling:PutScheduledAction", "application-autoscaling:DeleteScheduledAction",
      "application-autoscaling:TagResource", "application-autoscaling:UntagResource",
    ])
    # A scalable target's ARN carries a generated id, not the endpoint's name, and the Describe* calls take none.
    resources = ["*"]
  }

  statement {
    sid       = "AutoscalingServiceRole"
    actions   = ["iam:CreateServiceLinkedRole"]
    resources = [local.autoscaling_role]
    condition {
      test     = "StringEquals"
      variable = "iam:AWSServiceName"
      values   = ["sagemaker.application-autoscaling.amazonaws.com"]
    }
  }

  statement {
    sid       = "Alarms"
    actions   = concat(local.read.cloudwatch, ["cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms", "cloudwatch:TagResource", "cloudwatch:UntagResource"])
    resources = local.arns.alarms
  }

  statement {
    sid       = "Dashboard"
    actions   = ["cloudwatch:GetDashboard", "cloudwatch:PutDashboard", "cloudwatch:DeleteDashboards"]
    resources = local.arns.dashboard
  }

  statement {
    sid       = "AlarmTopic"
    actions   = concat(local.read.sns, ["sns:CreateTopic", "sns:DeleteTopic", "sns:SetTopicAttributes", "sns:TagResource", "sns:UntagResource"])
    resources = concat(local.arns.topic, local.arns.async_topics) # the alarms' topic, and async mode's two
  }

  statement {
    sid       = "StateList"
    actions   = ["s3:ListBucket"]
    resources = [local.state_bucket]
  }

  statement {
    sid       = "State"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = [local.state_objects]
  }

  dynamic "statement" {
    for_each = var.state_kms_key_arn == null ? [] : [var.state_kms_key_arn]
    content {
      sid       = "StateKey"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = [statement.value]
    }
  }
}

data "aws_iam_policy_document" "plan" {
  statement {
    sid       = "ReadSageMaker"
    actions   = local.read.sagemaker
    resources = local.sagemaker
  }

  statement {
    sid       = "ReadExecutionRole"
    actions   = local.read.iam
    resources = local.arns.execution_role
  }

  statement {
    sid       = "ReadArtifactsBucket"
    actions   = local.read.s3
    resources = local.arns.bucket
  }

  statement {
    sid       = "ReadRepository"
    actions   = local.read.ecr
    resources = local.arns.repository
  }

  statement {
    sid       = "ReadStackKey"
    actions   = local.read.kms
    resources = local.arns.kms_keys
    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/llm:stack"
      values   = local.stack_tag
    }
  }

  statement {
    sid       = "ListKeyAliases"
    actions   = ["kms:ListAliases"]
    resources = ["*"] # ListAliases takes no resource ARN.
  }

  statement {
    sid       = "ReadLogGroup"
    actions   = concat(local.read.logs, ["logs:DescribeLogGroups"])
    resources = concat(local.log_groups, ["arn:${var.partition}:logs:${var.region}:${var.account_id}:log-group:*"])
  }

  statement {
    sid       = "ReadAutoscaling"
    actions   = local.read.autoscaling
    resources = ["*"] # Describe* and generated target ids: see the apply policy's Autoscaling statement.
  }

  statement {
    sid       = "ReadAlarms"
    actions   = local.read.cloudwatch
    resources = local.arns.alarms
  }

  statement {
    sid       = "ReadDashboard"
    actions   = ["cloudwatch:GetDashboard"]
    resources = local.arns.dashboard
  }

  statement {
    sid       = "ReadAlarmTopic"
    actions   = local.read.sns
    resources = concat(local.arns.topic, local.arns.async_topics)
  }

  statement {
    # `llmctl tf plan`'s quota check: what the account runs, whichever stack it belongs to (docs/updates.md).
    sid       = "ReadEndpointUsage"
    actions   = ["sagemaker:DescribeEndpoint", "sagemaker:DescribeEndpointConfig"]
    resources = ["arn:${var.partition}:sagemaker:${var.region}:${var.account_id}:endpoint/*", "arn:${var.partition}:sagemaker:${var.region}:${var.account_id}:endpoint-config/*"]
  }

  statement {
    sid       = "ReadComponentStack"
    actions   = local.read.cloudformation
    resources = local.arns.component_stack
  }

  statement {
    sid       = "ListEndpointsAndQuotas"
    actions   = ["sagemaker:ListEndpoints", "servicequotas:ListServiceQuotas"]
    resources = ["*"] # List calls take no resource ARN.
  }

  statement {
    sid       = "StateRead"
    actions   = ["s3:ListBucket", "s3:GetObject"]
    resources = [local.state_bucket, local.state_objects]
  }

  statement {
    # The lock object is the one thing a plan writes.
    sid       = "StateLock"
    actions   = ["s3:PutObject", "s3:DeleteObject"]
    resources = [local.state_locks]
  }

  dynamic "statement" {
    for_each = var.state_kms_key_arn == null ? [] : [var.state_kms_key_arn]
    content {
      sid       = "StateKey"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = [statement.value]
    }
  }
}

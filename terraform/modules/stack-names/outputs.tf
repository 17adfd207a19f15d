output "name" {
  description = "The stack's name: the endpoint's name, the KMS alias and the prefix of every other name."
  value       = var.name
}

output "bucket_name" {
  description = "Artifacts bucket."
  value       = local.bucket_name
}

output "role_name" {
  description = "SageMaker execution role."
  value       = local.role_name
}

output "repository" {
  description = "ECR repository."
  value       = local.repository
}

output "log_group_name" {
  description = "CloudWatch log group SageMaker writes the container's logs to."
  value       = local.log_group_name
}

output "topic_name" {
  description = "SNS topic the alarms notify (when the stack creates one)."
  value       = local.topic_name
}

output "async_topic_names" {
  description = "SNS topics an asynchronous endpoint notifies on success and on error (when the stack creates them)."
  value       = local.async_topic_names
}

output "tag" {
  description = "The tag every stack resource that can be tagged carries; the deployer's KMS statements are conditioned on it."
  value       = { "llm:stack" = var.name }
}

output "arns" {
  description = "ARNs (or ARN patterns) of the stack's resources, for IAM policies."
  value = var.region == null ? null : {
    # SageMaker lower-cases names in ARNs; llm-endpoint names models <name>-<hash> and configurations with the
    # prefix substr(name, 0, 36)-.
    sagemaker_model           = "${local.arn}:sagemaker:${local.regional}:model/${lower(var.name)}-*"
    sagemaker_endpoint_config = "${local.arn}:sagemaker:${local.regional}:endpoint-config/${lower(substr(var.name, 0, 36))}-*"
    sagemaker_endpoint        = "${local.arn}:sagemaker:${local.regional}:endpoint/${lower(var.name)}"
    # Component mode (modules/inference-components): <name>-<component>, made by the stack <name>-components.
    sagemaker_inference_component = "${local.arn}:sagemaker:${local.regional}:inference-component/${lower(var.name)}-*"
    component_stack               = "${local.arn}:cloudformation:${local.regional}:stack/${var.name}-components/*"
    bucket                        = "${local.arn}:s3:::${local.bucket_name}"
    bucket_objects                = "${local.arn}:s3:::${local.bucket_name}/*"
    execution_role                = "${local.arn}:iam::${var.account_id}:role${var.role_path}${local.role_name}"
    repository                    = "${local.arn}:ecr:${local.regional}:repository/${local.repository}"
    kms_alias                     = "${local.arn}:kms:${local.regional}:alias/${var.name}"
    kms_keys                      = "${local.arn}:kms:${local.regional}:key/*"
    log_group                     = "${local.arn}:logs:${local.regional}:log-group:${local.log_group_name}"
    log_group_streams             = "${local.arn}:logs:${local.regional}:log-group:${local.log_group_name}:*"
    alarms                        = "${local.arn}:cloudwatch:${local.regional}:alarm:${var.name}-*"
    topic                         = "${local.arn}:sns:${local.regional}:${local.topic_name}"
    async_topics                  = "${local.arn}:sns:${local.regional}:${var.name}-async-*"
    dashboard                     = "${local.arn}:cloudwatch::${var.account_id}:dashboard/${var.name}" # global
  }
}

output "endpoint_name" {
  description = "Endpoint name (`llmctl invoke --tf-dir` reads this output)."
  value       = local.component_mode ? one(module.components[*].endpoint_name) : one(module.endpoint[*].endpoint_name)
}

output "endpoint_arn" {
  description = "Endpoint ARN."
  value       = local.component_mode ? "arn:aws:sagemaker:${data.aws_region.current.id}:${var.account_id}:endpoint/${lower(var.name)}" : one(module.endpoint[*].endpoint_arn)
}

output "model_name" {
  description = "Model in service (endpoint name + definition hash); component mode: the first component's."
  value       = local.component_mode ? one([for m in module.components : values(m.model_names)[0]]) : one(module.endpoint[*].model_name)
}

output "endpoint_config_name" {
  description = "Endpoint configuration in service."
  value       = local.component_mode ? one(module.components[*].endpoint_config_name) : one(module.endpoint[*].endpoint_config_name)
}

output "execution_role_arn" {
  description = "SageMaker execution role ARN."
  value       = module.role.arn
}

output "execution_role_policy_json" {
  description = "The execution role's permissions, as JSON."
  value       = module.role.policy_json
}

output "artifacts_bucket" {
  description = "Model artifacts bucket."
  value       = module.artifacts.bucket_name
}

output "models_s3_uri" {
  description = "Where to stage weights (then `llmctl render --model-s3-uri <this>/<model>/`)."
  value       = module.artifacts.models_s3_uri
}

output "repository_url" {
  description = "ECR repository for the service image."
  value       = module.ecr.repository_url
}

output "kms_key_arn" {
  description = "KMS key of the stack."
  value       = module.kms.key_arn
}

output "alarm_names" {
  description = "CloudWatch alarm names by kind (real-time mode)."
  value       = local.component_mode ? {} : one(module.alarms[*].alarm_names)
}

output "autoscaling_resource_id" {
  description = "Application Auto Scaling resource ID of the variant (real-time mode)."
  value       = one(module.autoscaling[*].resource_id)
}

output "dashboard_url" {
  description = "Console URL of the endpoint's CloudWatch dashboard (real-time mode)."
  value       = one(module.dashboard[*].dashboard_url)
}

output "inference_component_names" {
  description = "Component mode: component name → its InferenceComponentName (`make invoke IC=`); empty otherwise."
  value       = local.component_mode ? one(module.components[*].inference_component_names) : {}
}

output "async_input_s3_uri" {
  description = "Async mode: where callers upload requests (`llmctl invoke --async` reads this output); null otherwise."
  value       = local.async_input_uri
}

output "async_output_s3_uri" {
  description = "Async mode: where SageMaker writes results; null otherwise."
  value       = local.async_output_uri
}

output "async_failure_s3_uri" {
  description = "Async mode: where SageMaker writes failures; null otherwise."
  value       = local.async_failure_uri
}

output "async_topic_arns" {
  description = "Async mode: the success and error notification topics (subscribe queues or functions to them); {} otherwise."
  value       = local.async_topic_arns
}

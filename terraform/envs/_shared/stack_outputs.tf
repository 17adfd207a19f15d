# Outputs every environment exposes (llmctl reads endpoint_name and region); linked into each env.

output "endpoint_name" {
  description = "Endpoint name (read by `llmctl invoke --tf-dir`)."
  value       = module.stack.endpoint_name
}

output "endpoint_arn" {
  description = "Endpoint ARN."
  value       = module.stack.endpoint_arn
}

output "model_name" {
  description = "Model in service."
  value       = module.stack.model_name
}

output "execution_role_arn" {
  description = "SageMaker execution role ARN."
  value       = module.stack.execution_role_arn
}

output "artifacts_bucket" {
  description = "Model artifacts bucket."
  value       = module.stack.artifacts_bucket
}

output "models_s3_uri" {
  description = "Where to stage weights for --model-s3-uri."
  value       = module.stack.models_s3_uri
}

output "repository_url" {
  description = "ECR repository URL for the service image."
  value       = module.stack.repository_url
}

output "region" {
  description = "Region of the stack (the image's region)."
  value       = local.region
}

output "dashboard_url" {
  description = "The endpoint's CloudWatch dashboard (`make dashboard`)."
  value       = module.stack.dashboard_url
}

output "inference_component_names" {
  description = "Component mode: component name → InferenceComponentName (`make invoke IC=`); empty for a real-time endpoint."
  value       = module.stack.inference_component_names
}

output "service_models" {
  description = "LLM_SERVICE_MODELS for the HTTP service (`make serve`): component mode, one model per component; {} otherwise."
  value = jsonencode({
    for name, component in module.stack.inference_component_names :
    name => { endpoint_name = module.stack.endpoint_name, inference_component = component }
  })
}

output "async_input_s3_uri" {
  description = "Async mode: where `llmctl invoke --async` and `llmctl batch` upload requests; null otherwise."
  value       = module.stack.async_input_s3_uri
}

output "async_topic_arns" {
  description = "Async mode: the success and error notification topics; {} otherwise."
  value       = module.stack.async_topic_arns
}

output "endpoint_name" {
  description = "Endpoint name (what `llmctl invoke --endpoint` takes)."
  value       = aws_sagemaker_endpoint.this.name
}

output "endpoint_arn" {
  description = "Endpoint ARN."
  value       = aws_sagemaker_endpoint.this.arn
}

output "endpoint_config_name" {
  description = "Name of the endpoint configuration in service."
  value       = aws_sagemaker_endpoint_configuration.this.name
}

output "model_name" {
  description = "Model name: the endpoint name plus a hash of the model's definition."
  value       = aws_sagemaker_model.this.name
}

output "variant_name" {
  description = "Production variant name (the autoscaling and alarm dimension)."
  value       = var.variant_name
}

output "log_group_name" {
  description = "CloudWatch log group of the container."
  value       = aws_cloudwatch_log_group.endpoint.name
}

output "initial_instance_count" {
  description = "Instances the endpoint configuration starts with."
  value       = aws_sagemaker_endpoint_configuration.this.production_variants[0].initial_instance_count
}

output "async_inference" {
  description = "The asynchronous mode as configured (paths, topics, concurrency per instance); null for a real-time endpoint."
  value       = var.async_inference
}

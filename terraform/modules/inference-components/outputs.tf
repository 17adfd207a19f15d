output "endpoint_name" {
  description = "The endpoint the components run on."
  value       = aws_cloudformation_stack.endpoint.outputs["EndpointName"]
}

output "inference_component_names" {
  description = "Component name (as in var.components) → its InferenceComponentName, what callers pass to InvokeEndpoint."
  value       = { for name, c in local.components : name => c.full_name }
}

output "inference_component_arns" {
  description = "Component name → its ARN, as the stack created it."
  value       = { for name in keys(local.components) : name => aws_cloudformation_stack.endpoint.outputs[local.logical_ids[name]] }
}

output "endpoint_config_name" {
  description = "The endpoint configuration's name (it changes with the configuration)."
  value       = local.endpoint_config_name
}

output "model_names" {
  description = "Component name → the SageMaker model it serves."
  value       = { for name, model in aws_sagemaker_model.component : name => model.name }
}

output "template_body" {
  description = "The CloudFormation template (JSON): what the offline check validates with cfn-lint."
  value       = aws_cloudformation_stack.endpoint.template_body
}

output "rollback_alarm_names" {
  description = "Every component's rollback alarms (the execution role may read them)."
  value       = flatten(values(local.alarm_names))
}

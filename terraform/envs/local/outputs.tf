output "aws_endpoint_url" {
  description = "The local AWS (moto) that holds this environment; llmctl commands take it as --endpoint-url."
  value       = var.aws_endpoint_url
}

output "runtime_endpoint_url" {
  description = "The local SageMaker runtime that answers InvokeEndpoint for this environment; `llmctl invoke --tf-dir` and `make serve ENV=local` send there."
  value       = var.runtime_endpoint_url
}

output "aws_endpoint_url" {
  description = "The local AWS (moto) that holds this environment; llmctl commands take it as --endpoint-url."
  value       = var.aws_endpoint_url
}

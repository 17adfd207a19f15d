# The render → Terraform contract, schema version 1 (docs/tfvars.md). `llmctl render --format tfvars` writes these
# into <env>/llm.auto.tfvars.json; every environment links this one file, so the contract has a single definition.
# Values are validated where they are used (modules/llm-endpoint and modules/llm-stack).

variable "image_uri" {
  description = "Serving container image in ECR, resolved by llmctl render for the target region."
  type        = string
  nullable    = false
}

variable "instance_type" {
  description = "SageMaker instance type of the production variant."
  type        = string
  nullable    = false
}

variable "container_env" {
  description = "The serving container's environment; never tokens or secrets."
  type        = map(string)
  nullable    = false
}

variable "model_data_s3_uri" {
  description = "S3 prefix of uncompressed weights (S3Prefix, compression None); null when the container downloads from the Hub."
  type        = string
  default     = null
}

variable "model_data_kms_key_arn" {
  description = "Customer-managed KMS key of the bucket that holds model_data_s3_uri (the execution role may decrypt with exactly it); null: the bucket uses S3-managed keys or the stack's key."
  type        = string
  default     = null
}

variable "container_startup_health_check_timeout_in_seconds" {
  description = "Seconds SageMaker waits for the container's /ping after start (60-3600), scaled to the model."
  type        = number
  nullable    = false
}

variable "model_data_download_timeout_in_seconds" {
  description = "Seconds SageMaker allows for the weights download (60-3600), scaled to the checkpoint."
  type        = number
  nullable    = false
}

variable "volume_size_in_gb" {
  description = "ML storage volume size; null for instance types with NVMe instance storage."
  type        = number
  default     = null
}

variable "llm_render" {
  description = "Provenance from llmctl render: schema_version, llmctl_version, model, backend, tensor_parallel_degree, max_total_tokens, kv_cache_tokens."
  type        = map(string)
  nullable    = false
  default     = {}
}

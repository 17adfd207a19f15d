# The render → Terraform contract, schema versions 1 (a real-time endpoint) and 2 (inference components; docs/tfvars.md). `llmctl render --format tfvars` writes these
# into <env>/llm.auto.tfvars.json; every environment links this one file, so the contract has a single definition.
# Values are validated where they are used (modules/llm-endpoint and modules/llm-stack).

variable "image_uri" {
  description = "Serving container image in ECR, resolved by llmctl render for the target region; null in component mode."
  type        = string
  default     = null
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
  default     = {}
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
  description = "Seconds SageMaker waits for the container's /ping after start (60-3600), scaled to the model; null in component mode."
  type        = number
  default     = null
}

variable "model_data_download_timeout_in_seconds" {
  description = "Seconds SageMaker allows for the weights download (60-3600), scaled to the checkpoint; null in component mode."
  type        = number
  default     = null
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

variable "inference_components" {
  description = "Schema 2: the models of an inference-component endpoint, one `llmctl render --gpus-per-copy N --component NAME` each; empty for a real-time endpoint."
  type = list(object({
    name                                              = string
    image_uri                                         = string
    container_env                                     = map(string)
    model_data_s3_uri                                 = optional(string)
    accelerators                                      = number
    cpu_cores                                         = number
    min_memory_mb                                     = number
    copies                                            = object({ initial = number, min = number, max = number })
    container_startup_health_check_timeout_in_seconds = number
    model_data_download_timeout_in_seconds            = number
  }))
  nullable = false
  default  = []
}

variable "instance_capacity" {
  description = "Schema 2: GPUs, CPU cores and memory (MB) one instance offers the copies, less SageMaker's share (llmctl render)."
  type = object({
    accelerators = number
    cpu_cores    = number
    memory_mb    = number
  })
  default = null
}

variable "async_inference" {
  description = "Asynchronous mode (`llmctl render … --async`): max_concurrent_invocations_per_instance, and optionally output_s3_uri, failure_s3_uri (in the artifacts bucket), notifications, success_topic_arn, error_topic_arn, include_inference_response_in; null: a real-time or component endpoint."
  type = object({
    max_concurrent_invocations_per_instance = number
    output_s3_uri                           = optional(string)
    failure_s3_uri                          = optional(string)
    notifications                           = optional(bool, true)
    success_topic_arn                       = optional(string)
    error_topic_arn                         = optional(string)
    include_inference_response_in           = optional(list(string), [])
  })
  default = null
}

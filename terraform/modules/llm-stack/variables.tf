# --- The render → Terraform contract (docs/tfvars.md); the child modules validate each value. ---

variable "image_uri" {
  description = "Serving container image (from `llmctl render`); null in component mode (each component names its own)."
  type        = string
  default     = null

  validation {
    condition     = (var.image_uri != null) != (length(var.inference_components) > 0)
    error_message = "the tfvars must describe one endpoint mode: image_uri (a real-time endpoint: llmctl render MODEL -i INSTANCE --format tfvars) or inference_components (llmctl render … --gpus-per-copy N --component NAME), not both and not neither."
  }
}

variable "instance_type" {
  description = "SageMaker instance type of the production variant."
  type        = string
  nullable    = false
}

variable "container_env" {
  description = "The serving container's environment; never secrets."
  type        = map(string)
  nullable    = false
  default     = {}
}

variable "model_data_s3_uri" {
  description = "S3 prefix of uncompressed weights, or null to download from the Hub."
  type        = string
  default     = null
}

variable "model_data_kms_key_arn" {
  description = "Customer-managed KMS key that encrypts the bucket of model_data_s3_uri; the execution role may decrypt with exactly it, through S3."
  type        = string
  default     = null

  validation {
    condition     = var.model_data_kms_key_arn == null || (var.model_data_s3_uri != null && can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[a-zA-Z0-9-]+$", coalesce(var.model_data_kms_key_arn, "-"))))
    error_message = "model_data_kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>, not an alias) and needs model_data_s3_uri: it is the key of the bucket that holds the weights."
  }
}

variable "container_startup_health_check_timeout_in_seconds" {
  description = "Startup health check timeout, 60-3600 (real-time mode; components carry their own)."
  type        = number
  default     = null
}

variable "model_data_download_timeout_in_seconds" {
  description = "Model download timeout, 60-3600 (real-time mode; components carry their own)."
  type        = number
  default     = null
}

variable "volume_size_in_gb" {
  description = "ML storage volume, or null for NVMe instance storage."
  type        = number
  default     = null
}

variable "llm_render" {
  description = "Provenance written by `llmctl render` (model, backend, tensor_parallel_degree, …)."
  type        = map(string)
  nullable    = false
  default     = {}

  validation {
    condition     = contains(["1", "2"], lookup(var.llm_render, "schema_version", "1"))
    error_message = "llm_render.schema_version is not 1 or 2: this Terraform reads tfvars schema versions 1 (real-time) and 2 (inference components); re-render with the llmctl of this repository."
  }

  validation {
    condition     = can(tonumber(lookup(var.llm_render, "tensor_parallel_degree", "1")))
    error_message = "llm_render.tensor_parallel_degree must be a number (as written by llmctl render)."
  }
}

variable "inference_components" {
  description = "Component mode (tfvars schema 2): the models on one inference-component endpoint, as `llmctl render … --gpus-per-copy N --component NAME --format tfvars` writes them; empty: the real-time endpoint of image_uri. Validated in modules/inference-components."
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
  description = "Component mode: what one instance offers the copies (llmctl render's figures)."
  type = object({
    accelerators = number
    cpu_cores    = number
    memory_mb    = number
  })
  default = null

  validation {
    condition     = length(var.inference_components) == 0 || var.instance_capacity != null
    error_message = "instance_capacity is missing: llmctl render --gpus-per-copy writes it with the components; re-render."
  }
}

variable "async_inference" {
  description = "Asynchronous mode (`llmctl render … --async`): requests are uploaded to S3 and queued, results written to S3 and announced on SNS, the variant scales on its backlog (to zero with autoscaling.min_capacity 0). Null: a real-time endpoint. Paths default to s3://<artifacts bucket>/async/<name>/{output,failures}/; topics to two the stack creates."
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

  validation {
    condition     = var.async_inference == null || length(var.inference_components) == 0
    error_message = "async_inference and inference_components do not go together: SageMaker hosts inference components on real-time endpoints only; render the model without --gpus-per-copy/--component for an asynchronous endpoint."
  }

  validation {
    # The execution role may write results to the artifacts bucket only: a path elsewhere would fail each request.
    condition = var.async_inference == null || try(
      startswith(coalesce(var.async_inference.output_s3_uri, "s3://${local.bucket_name}/"), "s3://${local.bucket_name}/") &&
      startswith(coalesce(var.async_inference.failure_s3_uri, "s3://${local.bucket_name}/"), "s3://${local.bucket_name}/"),
    false)
    error_message = "async_inference.output_s3_uri and failure_s3_uri must be prefixes in the artifacts bucket (s3://${local.bucket_name}/…): the execution role may write results there only; leave them unset for s3://${local.bucket_name}/async/${var.name}/output/ and …/failures/."
  }
}

# --- The stack. ---

variable "name" {
  description = "Endpoint name; also the stem of every other resource name."
  type        = string
  nullable    = false

  validation {
    condition     = length(var.name) <= 40 && can(regex("^[a-zA-Z0-9](-*[a-zA-Z0-9])*$", var.name))
    error_message = "name must be 1-40 letters, digits and hyphens, starting and ending with a letter or digit (it prefixes the role, bucket and repository names)."
  }
}

variable "account_id" {
  description = "AWS account ID the stack is deployed to."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id must be the 12-digit AWS account ID."
  }
}

variable "artifacts_bucket_name" {
  description = "Model artifacts bucket; null: <name>-artifacts-<account_id>."
  type        = string
  default     = null
}

variable "access_log_bucket" {
  description = "Bucket for S3 server access logs of the artifacts bucket; null: off."
  type        = string
  default     = null
}

variable "autoscaling" {
  description = "Instance count bounds and scaling policies of the variant (see the endpoint-autoscaling module)."
  type = object({
    min_capacity = optional(number, 1)
    max_capacity = optional(number, 2)
    target_tracking = optional(object({
      invocations_per_instance      = optional(number)
      concurrent_requests_per_model = optional(number)
      backlog_per_instance          = optional(number, 2) # async mode: queued requests per instance
      scale_in_cooldown             = optional(number, 300)
      scale_out_cooldown            = optional(number, 60)
      disable_scale_in              = optional(bool, false)
    }), { concurrent_requests_per_model = 8 })
    step_scaling = optional(map(object({
      metric_name             = string
      namespace               = optional(string, "AWS/SageMaker")
      statistic               = optional(string, "Average")
      period                  = optional(number, 60)
      evaluation_periods      = optional(number, 2)
      threshold               = number
      comparison_operator     = string
      treat_missing_data      = optional(string, "notBreaching")
      adjustment_type         = optional(string, "ChangeInCapacity")
      cooldown                = optional(number, 300)
      metric_aggregation_type = optional(string, "Average")
      steps = list(object({
        lower_bound = optional(number)
        upper_bound = optional(number)
        adjustment  = number
      }))
    })), {})
    scheduled_actions = optional(map(object({
      schedule     = string
      min_capacity = number
      max_capacity = number
      timezone     = optional(string, "UTC")
    })), {})
  })
  nullable = false
  default  = {}

  validation {
    condition     = var.autoscaling.min_capacity >= 1 || var.async_inference != null || length(var.inference_components) > 0
    error_message = "autoscaling.min_capacity 0 needs an asynchronous endpoint (llmctl render … --async) or inference components (--gpus-per-copy): a real-time endpoint's instances cannot scale to zero."
  }
}

variable "initial_instance_count" {
  description = "Instances when the endpoint is created and after each update; null: autoscaling.min_capacity."
  type        = number
  default     = null

  validation {
    condition = var.initial_instance_count == null ? true : (
      floor(var.initial_instance_count) == var.initial_instance_count &&
      var.initial_instance_count >= var.autoscaling.min_capacity &&
      var.initial_instance_count <= var.autoscaling.max_capacity
    )
    error_message = "initial_instance_count must be a whole number within autoscaling min_capacity..max_capacity (Application Auto Scaling would move it there at once); change one of them."
  }
}

variable "alarms" {
  description = "Alarm thresholds and notification topic (see the endpoint-alarms module)."
  type = object({
    errors_5xx_threshold           = optional(number, 1)
    model_latency_p90_ms           = optional(number, 30000)
    gpu_memory_utilization_percent = optional(number, 98)
    create_sns_topic               = optional(bool, false)
    sns_topic_arn                  = optional(string)
  })
  nullable = false
  default  = {}
}

variable "deployment" {
  description = "Blue/green traffic shifting for endpoint updates (see the llm-endpoint module)."
  type = object({
    strategy                             = optional(string, "ALL_AT_ONCE")
    canary_size_percent                  = optional(number, 10)
    linear_step_percent                  = optional(number, 25)
    wait_interval_in_seconds             = optional(number, 300)
    termination_wait_in_seconds          = optional(number, 120)
    maximum_execution_timeout_in_seconds = optional(number)
  })
  nullable = false
  default  = {}
}

variable "rollback_on_alarms" {
  description = "Roll a blue/green deployment back when the 5XX or p90 latency alarm fires."
  type        = bool
  nullable    = false
  default     = true
}

variable "data_capture" {
  description = "Capture requests/responses to s3://<bucket>/capture/<name>/; null: off."
  type = object({
    sampling_percentage = optional(number, 100)
    capture_request     = optional(bool, true)
    capture_response    = optional(bool, true)
  })
  default = null
}

variable "enable_network_isolation" {
  description = "Run the container without network access (needs model_data_s3_uri)."
  type        = bool
  nullable    = false
  default     = false
}

variable "vpc_config" {
  description = "Subnets and security groups for the endpoint; null: no VPC."
  type = object({
    subnet_ids         = list(string)
    security_group_ids = list(string)
  })
  default = null
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary for the execution role, if required."
  type        = string
  default     = null
}

variable "log_retention_in_days" {
  description = "Retention of the endpoint's log group."
  type        = number
  nullable    = false
  default     = 365
}

variable "kms_deletion_window_in_days" {
  description = "KMS key deletion window, 7-30 days."
  type        = number
  nullable    = false
  default     = 30
}

variable "artifacts_lifecycle_rules" {
  description = "Lifecycle rules on the artifacts bucket (expire replaced versions, abort stale uploads). Off only for throwaway environments."
  type        = bool
  nullable    = false
  default     = true
}

variable "artifacts_tls_only" {
  description = "The artifacts bucket denies requests without TLS 1.2+ (keep it: only terraform/envs/local, whose control plane speaks plain HTTP on loopback, turns it off)."
  type        = bool
  nullable    = false
  default     = true
}

variable "force_destroy" {
  description = "Let `terraform destroy` delete a non-empty bucket and repository (ephemeral environments only)."
  type        = bool
  nullable    = false
  default     = false
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  nullable    = false
  default     = {}
}

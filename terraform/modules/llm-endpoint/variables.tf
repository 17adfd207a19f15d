variable "name" {
  description = "Endpoint name; also the stem of the model and endpoint configuration names."
  type        = string
  nullable    = false

  validation {
    condition     = length(var.name) <= 63 && can(regex("^[a-zA-Z0-9](-*[a-zA-Z0-9])*$", var.name))
    error_message = "name must be 1-63 letters, digits and hyphens, starting and ending with a letter or digit (SageMaker endpoint name rules)."
  }
}

variable "execution_role_arn" {
  description = "IAM role SageMaker assumes to pull the image, read the weights and write logs."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", var.execution_role_arn))
    error_message = "execution_role_arn must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)."
  }
}

variable "image_uri" {
  description = "Serving container image in ECR (from `llmctl render`)."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[0-9]{12}\\.dkr\\.ecr\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?/[a-z0-9._/-]+(:[\\w.-]{1,128}|@sha256:[a-f0-9]{64})$", var.image_uri))
    error_message = "image_uri must be an ECR image URI: <account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag> (or @sha256:<digest>)."
  }

  validation {
    condition     = length(var.image_uri) <= 255 # ContainerDefinition.Image
    error_message = "image_uri is longer than the 255 characters CreateModel accepts; use a shorter repository name or tag."
  }
}

variable "container_env" {
  description = "The serving container's environment (from `llmctl render`). Never secrets: it is visible in DescribeModel and Terraform state."
  type        = map(string)
  nullable    = false

  validation {
    condition     = alltrue([for key in keys(var.container_env) : can(regex("^[A-Za-z_][A-Za-z0-9_]*$", key))])
    error_message = "container_env keys must be environment variable names: letters, digits and '_', not starting with a digit."
  }

  # secret_rules.json is the one definition of a secret, shared with llmctl render, check and plan-review.
  validation {
    condition     = !anytrue([for key in keys(var.container_env) : can(regex(local.secret_rules.key_pattern, key))])
    error_message = "container_env must not carry secrets (a key looks like a token, password or key, e.g. HF_TOKEN): they would be stored in plain text in the model, in DescribeModel output and in Terraform state; stage gated weights in S3 and set model_data_s3_uri instead."
  }

  validation {
    condition     = !anytrue(flatten([for value in values(var.container_env) : [for rule in local.secret_rules.value_patterns : can(regex(rule.pattern, value))]]))
    error_message = "container_env must not carry secrets (a value looks like a token or key, e.g. hf_… or AKIA…): it would be stored in plain text in the model, in DescribeModel output and in Terraform state; stage gated weights in S3 and set model_data_s3_uri instead."
  }

  validation {
    condition = (
      alltrue([for key, value in var.container_env : length(key) <= 1024 && length(value) <= 1024]) &&
      length(join("", concat(keys(var.container_env), values(var.container_env)))) <= 32768
    )
    error_message = "container_env is too large for SageMaker: each key and value may have at most 1024 characters, and all of them together at most 32 KB."
  }

  validation {
    condition     = length(var.container_env) <= 100 # ContainerDefinition.Environment: at most 100 entries
    error_message = "container_env has more than the 100 variables CreateModel accepts; drop the ones the container does not read."
  }
}

variable "model_data_s3_uri" {
  description = "S3 prefix of uncompressed weights (S3Prefix, compression None), mounted at /opt/ml/model. Null: the container downloads from the Hugging Face Hub."
  type        = string
  default     = null

  validation {
    condition     = var.model_data_s3_uri == null || can(regex("^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/([^/]+/)*$", var.model_data_s3_uri))
    error_message = "model_data_s3_uri must be an S3 prefix such as s3://my-bucket/models/llama/ (s3://, a bucket name, and a key prefix ending in '/'; SageMaker's S3Prefix always ends in '/')."
  }
}

variable "instance_type" {
  description = "SageMaker instance type of the production variant, e.g. ml.g5.2xlarge."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^ml\\.[a-z0-9-]+\\.[a-z0-9]+$", var.instance_type))
    error_message = "instance_type must be a SageMaker instance type such as ml.g5.2xlarge (with the 'ml.' prefix; EC2 names like g5.2xlarge are not accepted)."
  }

  validation {
    condition     = !can(regex(":[^/]*(gpu|cu[0-9]{3})", var.image_uri)) || can(regex("^ml\\.(g4dn|g5|g6|g6e|g6f|gr6|p3|p3dn|p4d|p4de|p5|p5e|p5en|p6-b200)\\.", var.instance_type))
    error_message = "instance_type has no GPU but image_uri is a GPU (CUDA) image; pick a GPU instance type such as ml.g5.2xlarge (see `llmctl instances`)."
  }
}

variable "initial_instance_count" {
  description = "Instances when the endpoint is created; autoscaling takes over afterwards."
  type        = number
  nullable    = false
  default     = 1

  validation {
    condition     = var.initial_instance_count >= 1 && floor(var.initial_instance_count) == var.initial_instance_count
    error_message = "initial_instance_count must be a whole number of at least 1."
  }
}

variable "variant_name" {
  description = "Production variant name."
  type        = string
  nullable    = false
  default     = "AllTraffic"

  validation {
    condition     = length(var.variant_name) <= 63 && can(regex("^[a-zA-Z0-9](-*[a-zA-Z0-9])*$", var.variant_name))
    error_message = "variant_name must be 1-63 letters, digits and hyphens, starting and ending with a letter or digit."
  }
}

variable "container_startup_health_check_timeout_in_seconds" {
  description = "How long SageMaker waits for /ping after the container starts (from `llmctl render`, scaled to the model)."
  type        = number
  nullable    = false

  validation {
    condition     = var.container_startup_health_check_timeout_in_seconds >= 60 && var.container_startup_health_check_timeout_in_seconds <= 3600 && floor(var.container_startup_health_check_timeout_in_seconds) == var.container_startup_health_check_timeout_in_seconds
    error_message = "container_startup_health_check_timeout_in_seconds must be a whole number from 60 to 3600 (SageMaker's range)."
  }
}

variable "model_data_download_timeout_in_seconds" {
  description = "How long SageMaker allows for downloading model_data_s3_uri (from `llmctl render`)."
  type        = number
  nullable    = false

  validation {
    condition     = var.model_data_download_timeout_in_seconds >= 60 && var.model_data_download_timeout_in_seconds <= 3600 && floor(var.model_data_download_timeout_in_seconds) == var.model_data_download_timeout_in_seconds
    error_message = "model_data_download_timeout_in_seconds must be a whole number from 60 to 3600 (SageMaker's range)."
  }

  validation {
    # The provider's create waiter also stops at 60 minutes. With S3 weights SageMaker downloads them before it starts
    # the container, so both timeouts run inside that hour (from the Hub, the download is part of the startup).
    condition     = var.model_data_s3_uri == null || var.model_data_download_timeout_in_seconds + var.container_startup_health_check_timeout_in_seconds <= 3600
    error_message = "With model_data_s3_uri, model_data_download_timeout_in_seconds + container_startup_health_check_timeout_in_seconds must be at most 3600: the AWS provider waits 60 minutes for InService (llmctl render fits them)."
  }
}

variable "volume_size_in_gb" {
  description = "ML storage volume size; null for instance types with NVMe instance storage (every GPU family llmctl supports)."
  type        = number
  default     = null

  validation {
    condition     = var.volume_size_in_gb == null || try(var.volume_size_in_gb >= 1 && var.volume_size_in_gb <= 512 && floor(var.volume_size_in_gb) == var.volume_size_in_gb, false)
    error_message = "volume_size_in_gb must be a whole number from 1 to 512, or null."
  }

  validation {
    condition     = var.volume_size_in_gb == null || !can(regex("^ml\\.([a-z]+[0-9]+[a-z]*d[a-z]*|g5|g6|g6e|p5|p5e|p5en)\\.", var.instance_type))
    error_message = "volume_size_in_gb must be null for instance types with NVMe instance storage (g4dn, g5, g6, g6e, p4d, p5 and other '*d' families): SageMaker rejects VolumeSizeInGB for them and uses the instance store."
  }
}

variable "volume_kms_key_arn" {
  description = "KMS key for the ML storage volume. Must be null for instance types with NVMe instance storage, which are encrypted by hardware."
  type        = string
  default     = null

  validation {
    condition     = var.volume_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[a-zA-Z0-9-]+$", var.volume_kms_key_arn))
    error_message = "volume_kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>) or null."
  }

  validation {
    condition     = var.volume_kms_key_arn == null || !can(regex("^ml\\.([a-z]+[0-9]+[a-z]*d[a-z]*|g5|g6|g6e|p5|p5e|p5en)\\.", var.instance_type))
    error_message = "volume_kms_key_arn must be null for instance types with NVMe instance storage (g4dn, g5, g6, g6e, p4d, p5 …): CreateEndpointConfig fails with a KmsKeyId there; their local storage is encrypted by hardware."
  }
}

variable "routing_strategy" {
  description = "How SageMaker routes requests among instances. LEAST_OUTSTANDING_REQUESTS suits long, uneven LLM generations."
  type        = string
  nullable    = false
  default     = "LEAST_OUTSTANDING_REQUESTS"

  validation {
    condition     = contains(["LEAST_OUTSTANDING_REQUESTS", "RANDOM"], var.routing_strategy)
    error_message = "routing_strategy must be LEAST_OUTSTANDING_REQUESTS or RANDOM."
  }
}

variable "enable_network_isolation" {
  description = "Run the container without network access. Needs model_data_s3_uri: the container cannot reach the Hub."
  type        = bool
  nullable    = false
  default     = false

  validation {
    condition     = !var.enable_network_isolation || var.model_data_s3_uri != null
    error_message = "enable_network_isolation needs model_data_s3_uri: an isolated container cannot download weights from the Hugging Face Hub; stage them in S3 (llmctl render --model-s3-uri)."
  }
}

variable "vpc_config" {
  description = "Subnets and security groups for the endpoint's network interfaces; null: SageMaker's network."
  type = object({
    subnet_ids         = list(string)
    security_group_ids = list(string)
  })
  default = null

  validation {
    condition = var.vpc_config == null || try(
      length(var.vpc_config.subnet_ids) >= 1 && length(var.vpc_config.subnet_ids) <= 16 &&
      length(var.vpc_config.security_group_ids) >= 1 && length(var.vpc_config.security_group_ids) <= 5 &&
      alltrue([for id in var.vpc_config.subnet_ids : can(regex("^subnet-[0-9a-f]{8,17}$", id))]) &&
      alltrue([for id in var.vpc_config.security_group_ids : can(regex("^sg-[0-9a-f]{8,17}$", id))]),
    false)
    error_message = "vpc_config needs 1-16 subnet IDs (subnet-…) and 1-5 security group IDs (sg-…)."
  }
}

variable "data_capture" {
  description = "Capture requests and/or responses to S3; null: off."
  type = object({
    destination_s3_uri  = string
    sampling_percentage = optional(number, 100)
    capture_request     = optional(bool, true)
    capture_response    = optional(bool, true)
    kms_key_arn         = optional(string)
  })
  default = null

  validation {
    condition = var.data_capture == null || try(
      can(regex("^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/([^/]+/)*$", var.data_capture.destination_s3_uri)) &&
      var.data_capture.sampling_percentage >= 0 && var.data_capture.sampling_percentage <= 100 &&
      (var.data_capture.capture_request || var.data_capture.capture_response),
    false)
    error_message = "data_capture needs destination_s3_uri as an S3 prefix ending in '/', sampling_percentage from 0 to 100, and at least one of capture_request / capture_response."
  }
}

variable "async_inference" {
  description = "Asynchronous mode (AsyncInferenceConfig): requests are queued, results written under output_s3_uri (failures under failure_s3_uri), optionally announced on SNS topics. Null: a real-time endpoint."
  type = object({
    max_concurrent_invocations_per_instance = number
    output_s3_uri                           = string
    failure_s3_uri                          = string
    kms_key_arn                             = optional(string)
    success_topic_arn                       = optional(string)
    error_topic_arn                         = optional(string)
    include_inference_response_in           = optional(list(string), [])
  })
  default = null

  validation {
    condition = var.async_inference == null || try(
      var.async_inference.max_concurrent_invocations_per_instance >= 1 &&
      var.async_inference.max_concurrent_invocations_per_instance <= 1000 &&
      floor(var.async_inference.max_concurrent_invocations_per_instance) == var.async_inference.max_concurrent_invocations_per_instance,
    false)
    error_message = "async_inference.max_concurrent_invocations_per_instance must be a whole number from 1 to 1000 (SageMaker's range); llmctl render --async sizes it to the sequences the KV cache holds."
  }

  validation {
    condition = var.async_inference == null || try(
      can(regex("^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/([^/]+/)*$", var.async_inference.output_s3_uri)) &&
      can(regex("^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/([^/]+/)*$", var.async_inference.failure_s3_uri)),
    false)
    error_message = "async_inference.output_s3_uri and failure_s3_uri must be S3 prefixes such as s3://my-bucket/async/llm/output/ (ending in '/')."
  }

  validation {
    condition = var.async_inference == null || try(
      alltrue([for arn in compact([var.async_inference.success_topic_arn, var.async_inference.error_topic_arn]) : can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[a-zA-Z0-9_.-]{1,256}$", arn))]),
    false)
    error_message = "async_inference.success_topic_arn and error_topic_arn must be SNS topic ARNs (arn:aws:sns:<region>:<account>:<name>) or null."
  }

  validation {
    condition = var.async_inference == null || try(
      alltrue([for target in var.async_inference.include_inference_response_in : contains(["SUCCESS_NOTIFICATION_TOPIC", "ERROR_NOTIFICATION_TOPIC"], target)]) &&
      (!contains(var.async_inference.include_inference_response_in, "SUCCESS_NOTIFICATION_TOPIC") || var.async_inference.success_topic_arn != null) &&
      (!contains(var.async_inference.include_inference_response_in, "ERROR_NOTIFICATION_TOPIC") || var.async_inference.error_topic_arn != null),
    false)
    error_message = "async_inference.include_inference_response_in may list SUCCESS_NOTIFICATION_TOPIC and ERROR_NOTIFICATION_TOPIC, each only with its topic ARN set."
  }

  validation {
    condition     = var.async_inference == null || try(var.async_inference.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[a-zA-Z0-9-]+$", var.async_inference.kms_key_arn)), false)
    error_message = "async_inference.kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>) or null."
  }
}

variable "deployment" {
  description = "Blue/green update policy: traffic shifting (ALL_AT_ONCE, CANARY or LINEAR), waits, and CloudWatch alarms that roll back."
  type = object({
    strategy                             = optional(string, "ALL_AT_ONCE")
    canary_size_percent                  = optional(number, 10)
    linear_step_percent                  = optional(number, 25)
    wait_interval_in_seconds             = optional(number, 300)
    termination_wait_in_seconds          = optional(number, 120)
    maximum_execution_timeout_in_seconds = optional(number)
    rollback_alarm_names                 = optional(list(string), [])
  })
  nullable = false
  default  = {}

  validation {
    condition     = contains(["ALL_AT_ONCE", "CANARY", "LINEAR"], var.deployment.strategy)
    error_message = "deployment.strategy must be ALL_AT_ONCE, CANARY or LINEAR."
  }

  validation {
    # hashicorp/aws waits at most 60 minutes for InService after UpdateEndpoint (a fixed waiter, no timeouts block in
    # 5.100): traffic shifting plus the old fleet's termination wait must end within it, or the apply fails while
    # SageMaker is still deploying.
    condition = (
      (var.deployment.strategy == "LINEAR" ? ceil(100 / var.deployment.linear_step_percent) : 1) * var.deployment.wait_interval_in_seconds +
      var.deployment.termination_wait_in_seconds
    ) <= 3600
    error_message = "deployment waits add up to more than the AWS provider's 60-minute wait for an update: wait_interval_in_seconds × shifting steps (LINEAR: 100 / linear_step_percent) + termination_wait_in_seconds must be at most 3600; shorten the waits or take larger linear steps."
  }

  validation {
    condition     = var.deployment.canary_size_percent >= 1 && var.deployment.canary_size_percent <= 50 && floor(var.deployment.canary_size_percent) == var.deployment.canary_size_percent
    error_message = "deployment.canary_size_percent must be a whole percentage from 1 to 50: SageMaker's canary may be at most half the fleet."
  }

  validation {
    condition     = var.deployment.linear_step_percent >= 10 && var.deployment.linear_step_percent <= 50 && floor(var.deployment.linear_step_percent) == var.deployment.linear_step_percent
    error_message = "deployment.linear_step_percent must be a whole percentage from 10 to 50 (SageMaker's range for linear steps)."
  }

  validation {
    condition     = var.deployment.wait_interval_in_seconds >= 0 && var.deployment.wait_interval_in_seconds <= 3600 && var.deployment.termination_wait_in_seconds >= 0 && var.deployment.termination_wait_in_seconds <= 3600
    error_message = "deployment.wait_interval_in_seconds and termination_wait_in_seconds must be from 0 to 3600."
  }

  validation {
    condition     = var.deployment.maximum_execution_timeout_in_seconds == null || try(var.deployment.maximum_execution_timeout_in_seconds >= 600 && var.deployment.maximum_execution_timeout_in_seconds <= 14400, false)
    error_message = "deployment.maximum_execution_timeout_in_seconds must be from 600 to 14400, or null."
  }

  validation {
    condition     = length(var.deployment.rollback_alarm_names) <= 10 && alltrue([for name in var.deployment.rollback_alarm_names : length(name) >= 1 && length(name) <= 255])
    error_message = "deployment.rollback_alarm_names may list at most 10 alarm names (SageMaker's limit)."
  }
}

variable "log_retention_in_days" {
  description = "Retention of the endpoint's CloudWatch log group."
  type        = number
  nullable    = false
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_in_days)
    error_message = "log_retention_in_days must be one of CloudWatch's values: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }
}

variable "log_kms_key_arn" {
  description = "KMS key for the log group (its key policy must allow CloudWatch Logs); null: CloudWatch's default encryption."
  type        = string
  default     = null

  validation {
    condition     = var.log_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[a-zA-Z0-9-]+$", var.log_kms_key_arn))
    error_message = "log_kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>) or null."
  }
}

variable "tags" {
  description = "Tags for every resource of the module."
  type        = map(string)
  nullable    = false
  default     = {}
}

variable "update_after" {
  description = "A value the endpoint's create or update waits for: the autoscaling module's `update_barrier`, so an instance-type change deregisters scaling before UpdateEndpoint. Null: nothing to wait for."
  type        = string
  default     = null
}

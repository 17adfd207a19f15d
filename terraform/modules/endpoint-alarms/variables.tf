variable "endpoint_name" {
  description = "Endpoint to watch."
  type        = string
  nullable    = false

  validation {
    condition     = length(var.endpoint_name) <= 63 && can(regex("^[a-zA-Z0-9](-*[a-zA-Z0-9])*$", var.endpoint_name))
    error_message = "endpoint_name must be 1-63 letters, digits and hyphens, starting and ending with a letter or digit."
  }
}

variable "variant_name" {
  description = "Production variant to watch."
  type        = string
  nullable    = false
  default     = "AllTraffic"

  validation {
    condition     = length(var.variant_name) <= 63 && can(regex("^[a-zA-Z0-9](-*[a-zA-Z0-9])*$", var.variant_name))
    error_message = "variant_name must be 1-63 letters, digits and hyphens, starting and ending with a letter or digit."
  }
}

variable "alarm_name_prefix" {
  description = "Prefix of the alarm names; null: the endpoint name."
  type        = string
  default     = null

  validation {
    condition     = var.alarm_name_prefix == null || can(regex("^[a-zA-Z0-9_.-]{1,200}$", var.alarm_name_prefix))
    error_message = "alarm_name_prefix must be 1-200 letters, digits, '_', '.' or '-'."
  }
}

variable "period_seconds" {
  description = "Alarm period."
  type        = number
  nullable    = false
  default     = 60

  validation {
    condition     = var.period_seconds >= 60 && var.period_seconds % 60 == 0
    error_message = "period_seconds must be a multiple of 60 (SageMaker publishes these metrics every minute)."
  }
}

variable "evaluation_periods" {
  description = "Consecutive periods over the threshold before an alarm fires."
  type        = number
  nullable    = false
  default     = 3

  validation {
    condition     = var.evaluation_periods >= 1 && var.evaluation_periods <= 100 && floor(var.evaluation_periods) == var.evaluation_periods
    error_message = "evaluation_periods must be a whole number from 1 to 100."
  }

  validation {
    # PutMetricAlarm: EvaluationPeriods × Period may not exceed one day for periods under an hour, seven days above.
    condition     = var.period_seconds * var.evaluation_periods <= (var.period_seconds >= 3600 ? 604800 : 86400)
    error_message = "period_seconds × evaluation_periods must be at most 86,400 s (604,800 s for periods of an hour or more), CloudWatch's limit for an alarm's evaluation range."
  }
}

variable "errors_5xx_threshold" {
  description = "5XX errors per period that fire the alarm."
  type        = number
  nullable    = false
  default     = 1

  validation {
    condition     = var.errors_5xx_threshold >= 1
    error_message = "errors_5xx_threshold must be at least 1."
  }
}

variable "model_latency_p90_ms" {
  description = "p90 model latency (milliseconds) that fires the alarm; a whole generation counts, so size it to max_new_tokens."
  type        = number
  nullable    = false
  default     = 30000

  validation {
    condition     = var.model_latency_p90_ms > 0 && var.model_latency_p90_ms <= 3600000
    error_message = "model_latency_p90_ms must be greater than 0 and at most 3600000 (one hour)."
  }
}

variable "gpu_memory_utilization_percent" {
  description = "GPU memory utilisation per GPU (percent) that fires the alarm. TGI and vLLM reserve most memory for the KV cache at startup, so keep this near 100."
  type        = number
  nullable    = false
  default     = 98

  validation {
    condition     = var.gpu_memory_utilization_percent > 0 && var.gpu_memory_utilization_percent <= 100
    error_message = "gpu_memory_utilization_percent must be greater than 0 and at most 100."
  }
}

variable "gpus_per_instance" {
  description = "GPUs the model uses per instance (GPUMemoryUtilization adds them up); from render's tensor_parallel_degree."
  type        = number
  nullable    = false
  default     = 1

  validation {
    condition     = var.gpus_per_instance >= 1 && var.gpus_per_instance <= 16 && floor(var.gpus_per_instance) == var.gpus_per_instance
    error_message = "gpus_per_instance must be a whole number from 1 to 16."
  }
}

variable "create_sns_topic" {
  description = "Create an SNS topic (encrypted with sns_kms_key_arn) for the alarms."
  type        = bool
  nullable    = false
  default     = false
}

variable "sns_kms_key_arn" {
  description = "KMS key for the created topic; its key policy must let CloudWatch use it."
  type        = string
  default     = null

  validation {
    condition     = var.sns_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[a-zA-Z0-9-]+$", var.sns_kms_key_arn))
    error_message = "sns_kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>) or null."
  }

  validation {
    condition     = !var.create_sns_topic || var.sns_kms_key_arn != null
    error_message = "create_sns_topic needs sns_kms_key_arn: the topic is encrypted with a customer managed key that CloudWatch may use (AWS managed keys do not allow it)."
  }
}

variable "sns_topic_arn" {
  description = "Existing topic for the alarms (when create_sns_topic is false); null: no notifications."
  type        = string
  default     = null

  validation {
    condition     = var.sns_topic_arn == null || can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$", var.sns_topic_arn))
    error_message = "sns_topic_arn must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>) or null."
  }

  validation {
    condition     = !var.create_sns_topic || var.sns_topic_arn == null
    error_message = "Set either create_sns_topic or sns_topic_arn, not both."
  }
}

variable "tags" {
  description = "Tags for every resource of the module."
  type        = map(string)
  nullable    = false
  default     = {}
}

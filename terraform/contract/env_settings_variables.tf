# What a team changes per environment, outside the render contract: set in <env>/settings.auto.tfvars, which
# `llmctl render` never writes (docs/tfvars.md, "Per-environment settings"). Every environment links this one file.
# Each object may be given in part: the attributes left out keep the defaults below (the llm-stack module's), and the
# modules validate every value at plan time.

variable "instance_count" {
  description = "Instances when the endpoint is created and after each update; null: autoscaling.min_capacity."
  type        = number
  default     = null
}

variable "autoscaling" {
  description = "Instance bounds and scaling policies of the variant (modules/endpoint-autoscaling)."
  type = object({
    min_capacity = optional(number, 1)
    max_capacity = optional(number, 2)
    target_tracking = optional(object({
      invocations_per_instance      = optional(number)
      concurrent_requests_per_model = optional(number)
      backlog_per_instance          = optional(number, 2) # async mode: replaces the two targets above
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
}

variable "deployment" {
  description = "Blue/green traffic shifting for endpoint updates (modules/llm-endpoint)."
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

variable "alarms" {
  description = "Alarm thresholds and the notification topic (modules/endpoint-alarms)."
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

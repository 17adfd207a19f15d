variable "endpoint_name" {
  description = "Endpoint to scale."
  type        = string
  nullable    = false

  validation {
    condition     = length(var.endpoint_name) <= 63 && can(regex("^[a-zA-Z0-9](-*[a-zA-Z0-9])*$", var.endpoint_name))
    error_message = "endpoint_name must be 1-63 letters, digits and hyphens, starting and ending with a letter or digit."
  }
}

variable "variant_name" {
  description = "Production variant to scale."
  type        = string
  nullable    = false
  default     = "AllTraffic"

  validation {
    condition     = length(var.variant_name) <= 63 && can(regex("^[a-zA-Z0-9](-*[a-zA-Z0-9])*$", var.variant_name))
    error_message = "variant_name must be 1-63 letters, digits and hyphens, starting and ending with a letter or digit."
  }
}

variable "instance_type" {
  description = "The variant's instance type: a change deregisters the scaling before the endpoint update and registers it again after (pass `update_barrier` to the endpoint); null: not tracked."
  type        = string
  default     = null
}

variable "endpoint_arn" {
  description = "The endpoint's ARN, unknown in a plan that replaces the endpoint: deleting an endpoint deregisters its scaling on AWS, so a replacement registers the target, its policies and schedules again; null: not tracked."
  type        = string
  default     = null
}

variable "min_capacity" {
  description = "Fewest instances. 0 only for an asynchronous endpoint (`backlog` set): a real-time variant cannot scale to zero (that needs inference components)."
  type        = number
  nullable    = false
  default     = 1

  validation {
    condition     = (var.min_capacity >= 1 || (var.min_capacity == 0 && var.backlog != null)) && floor(var.min_capacity) == var.min_capacity
    error_message = "min_capacity must be a whole number of at least 1: a real-time variant cannot scale to zero (an asynchronous endpoint can, with `backlog` set; a real-time one needs inference components)."
  }
}

variable "backlog" {
  description = "Asynchronous endpoints: target tracking on ApproximateBacklogSizePerInstance (queued requests per instance, the load signal of a queue); with min_capacity 0, a step policy on the HasBacklogWithoutCapacity alarm adds the first instance back. Null: a real-time variant."
  type = object({
    target_per_instance = optional(number, 2)
    scale_in_cooldown   = optional(number, 600)
    scale_out_cooldown  = optional(number, 300)
  })
  default = null

  validation {
    condition = var.backlog == null || try(
      var.backlog.target_per_instance > 0 &&
      var.backlog.scale_in_cooldown >= 0 && var.backlog.scale_in_cooldown <= 3600 &&
      var.backlog.scale_out_cooldown >= 0 && var.backlog.scale_out_cooldown <= 3600,
    false)
    error_message = "backlog.target_per_instance must be greater than 0 and its cooldowns from 0 to 3600 seconds."
  }
}

variable "max_capacity" {
  description = "Most instances."
  type        = number
  nullable    = false
  default     = 2

  validation {
    condition     = floor(var.max_capacity) == var.max_capacity && var.max_capacity >= var.min_capacity
    error_message = "max_capacity must be a whole number no smaller than min_capacity."
  }
}

variable "target_tracking" {
  description = "Target tracking on invocations per instance and/or concurrent requests per model (high resolution). A null target turns that policy off."
  type = object({
    invocations_per_instance      = optional(number)
    concurrent_requests_per_model = optional(number)
    scale_in_cooldown             = optional(number, 300)
    scale_out_cooldown            = optional(number, 60)
    disable_scale_in              = optional(bool, false)
  })
  nullable = false
  default  = { concurrent_requests_per_model = 8 }

  validation {
    condition = alltrue([
      for target in [var.target_tracking.invocations_per_instance, var.target_tracking.concurrent_requests_per_model] :
      target == null ? true : target > 0
    ])
    error_message = "target_tracking targets must be greater than 0 (or null to turn a policy off)."
  }

  validation {
    condition     = var.target_tracking.scale_in_cooldown >= 0 && var.target_tracking.scale_in_cooldown <= 3600 && var.target_tracking.scale_out_cooldown >= 0 && var.target_tracking.scale_out_cooldown <= 3600
    error_message = "target_tracking.scale_in_cooldown and scale_out_cooldown must be from 0 to 3600 seconds."
  }
}

variable "step_scaling" {
  description = "Step scaling policies, each driven by its own CloudWatch alarm on a variant metric (keyed by a short name)."
  type = map(object({
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
  }))
  nullable = false
  default  = {}

  validation {
    condition     = alltrue([for key in keys(var.step_scaling) : can(regex("^[a-z0-9-]{1,40}$", key))])
    error_message = "step_scaling keys must be 1-40 lowercase letters, digits or hyphens (they become part of policy and alarm names)."
  }

  validation {
    # Keys name a policy and an alarm "<endpoint>-<key>": the target-tracking policies and the endpoint's own alarms
    # already hold these names, and a second PutScalingPolicy/PutMetricAlarm of a name overwrites the first.
    condition     = length(setintersection(keys(var.step_scaling), ["invocations", "concurrency", "5xx-errors", "model-latency-p90", "gpu-memory", "async-backlog", "async-from-zero"])) == 0
    error_message = "step_scaling keys invocations, concurrency, 5xx-errors, model-latency-p90, gpu-memory, async-backlog and async-from-zero are taken by the target-tracking and async policies and the endpoint's alarms (a same-named policy or alarm would replace them); choose another key."
  }

  validation {
    # PutMetricAlarm: EvaluationPeriods × Period may not exceed one day for periods under an hour, seven days above.
    condition     = alltrue([for policy in values(var.step_scaling) : policy.period * policy.evaluation_periods <= (policy.period >= 3600 ? 604800 : 86400)])
    error_message = "step_scaling: period × evaluation_periods must be at most 86,400 s (604,800 s for periods of an hour or more), CloudWatch's limit for an alarm's evaluation range."
  }

  validation {
    # AWS/SageMaker publishes one-minute data except the high-resolution concurrency metrics: a 10 or 30 s alarm on a
    # one-minute metric sits in INSUFFICIENT_DATA, and with treat_missing_data = notBreaching it never fires.
    condition = alltrue([for policy in values(var.step_scaling) : (
      policy.period >= 60 || policy.namespace != "AWS/SageMaker" ||
      contains(["ConcurrentRequestsPerModel", "ConcurrentRequestsPerCopy"], policy.metric_name)
    )])
    error_message = "step_scaling: a 10 or 30 s period needs a high-resolution metric; in AWS/SageMaker only ConcurrentRequestsPerModel and ConcurrentRequestsPerCopy are (use a period of 60 s or more for the others)."
  }

  validation {
    # PutScalingPolicy (StepAdjustment): at most one step without a lower bound and one without an upper bound; a
    # negative lower bound needs a step open below, a positive upper bound a step open above.
    condition = alltrue([for policy in values(var.step_scaling) : (
      length([for s in policy.steps : s if s.lower_bound == null]) <= 1 &&
      length([for s in policy.steps : s if s.upper_bound == null]) <= 1 &&
      (alltrue([for s in policy.steps : s.lower_bound == null ? true : s.lower_bound >= 0]) || anytrue([for s in policy.steps : s.lower_bound == null])) &&
      (alltrue([for s in policy.steps : s.upper_bound == null ? true : s.upper_bound <= 0]) || anytrue([for s in policy.steps : s.upper_bound == null]))
    )])
    error_message = "step_scaling steps: at most one step may leave lower_bound unset and one upper_bound; a negative lower_bound needs a step with no lower_bound and a positive upper_bound a step with no upper_bound (Application Auto Scaling rejects the policy otherwise), e.g. [{ lower_bound = 0, upper_bound = 10, adjustment = 1 }, { lower_bound = 10, adjustment = 2 }]."
  }

  validation {
    condition = alltrue([for policy in values(var.step_scaling) : (
      contains(["GreaterThanOrEqualToThreshold", "GreaterThanThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold"], policy.comparison_operator) &&
      contains(["ChangeInCapacity", "ExactCapacity", "PercentChangeInCapacity"], policy.adjustment_type) &&
      contains(["Average", "Minimum", "Maximum", "Sum", "SampleCount"], policy.statistic) &&
      contains(["Average", "Minimum", "Maximum"], policy.metric_aggregation_type) &&
      contains(["breaching", "notBreaching", "ignore", "missing"], policy.treat_missing_data)
    )])
    error_message = "step_scaling: comparison_operator must be a CloudWatch comparison (e.g. GreaterThanOrEqualToThreshold), adjustment_type ChangeInCapacity, ExactCapacity or PercentChangeInCapacity, statistic a CloudWatch statistic, metric_aggregation_type Average, Minimum or Maximum, treat_missing_data breaching, notBreaching, ignore or missing."
  }

  validation {
    condition = alltrue([for policy in values(var.step_scaling) : (
      length(policy.steps) > 0 && (policy.period == 10 || policy.period == 30 || policy.period % 60 == 0) &&
      policy.evaluation_periods >= 1 && policy.cooldown >= 0 &&
      alltrue([for step in policy.steps : step.lower_bound != null || step.upper_bound != null])
    )])
    error_message = "step_scaling: each policy needs at least one step, each step a lower_bound or an upper_bound, a period of 10, 30 or a multiple of 60 seconds, and evaluation_periods of at least 1."
  }
}

variable "scheduled_actions" {
  description = "Scheduled capacity changes, e.g. nights and weekends (keyed by a short name)."
  type = map(object({
    schedule     = string
    min_capacity = number
    max_capacity = number
    timezone     = optional(string, "UTC")
  }))
  nullable = false
  default  = {}

  validation {
    condition     = alltrue([for key in keys(var.scheduled_actions) : can(regex("^[a-z0-9-]{1,40}$", key))])
    error_message = "scheduled_actions keys must be 1-40 lowercase letters, digits or hyphens."
  }

  validation {
    condition     = alltrue([for action in values(var.scheduled_actions) : can(regex("^(cron\\(.+\\)|rate\\([0-9]+ (minute|minutes|hour|hours|day|days)\\)|at\\([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\))$", action.schedule))])
    error_message = "scheduled_actions schedules must be cron(…), rate(N unit) or at(yyyy-mm-ddThh:mm:ss), e.g. \"cron(0 20 ? * MON-FRI *)\"."
  }

  validation {
    # Application Auto Scaling's cron has six fields (minutes hours day-of-month month day-of-week year); the usual
    # five-field Unix cron is rejected by PutScheduledAction.
    condition     = alltrue([for action in values(var.scheduled_actions) : !startswith(action.schedule, "cron(") || can(regex("^cron\\(\\S+( \\S+){5}\\)$", action.schedule))])
    error_message = "scheduled_actions cron schedules need six fields (minutes hours day-of-month month day-of-week year), e.g. \"cron(0 20 ? * MON-FRI *)\", not a five-field Unix cron."
  }

  validation {
    condition     = alltrue([for action in values(var.scheduled_actions) : action.min_capacity >= 1 && action.max_capacity >= action.min_capacity])
    error_message = "scheduled_actions need min_capacity of at least 1 and max_capacity no smaller than min_capacity."
  }
}

variable "tags" {
  description = "Tags for every resource of the module."
  type        = map(string)
  nullable    = false
  default     = {}
}

variable "name" {
  description = "The endpoint's name (llm-<env>); components are named <name>-<component>."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,39}$", var.name))
    error_message = "name must be 1-40 letters, digits and hyphens, starting and ending with a letter or digit (components add -<component> within SageMaker's 63 characters)."
  }
}

variable "execution_role_arn" {
  description = "The role SageMaker assumes for the endpoint and its components (on the endpoint configuration: component endpoints carry it there)."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", var.execution_role_arn))
    error_message = "execution_role_arn must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)."
  }
}

variable "instance_type" {
  description = "The instance type that hosts the copies."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^ml\\.[a-z0-9-]+\\.[0-9]*x?large$", var.instance_type))
    error_message = "instance_type must be a SageMaker instance type such as ml.g5.12xlarge."
  }
}

variable "instance_capacity" {
  description = "What one instance offers the copies (llmctl render's figures: GPUs, vCPUs less SageMaker's share, memory in MB): each copy must fit on one instance."
  type = object({
    accelerators = number
    cpu_cores    = number
    memory_mb    = number
  })
  nullable = false

  validation {
    condition     = alltrue([for v in values(var.instance_capacity) : v > 0])
    error_message = "instance_capacity's accelerators, cpu_cores and memory_mb must all be positive."
  }
}

variable "instances" {
  description = "Managed instance scaling of the variant: initial, min and max instances (min 0: the endpoint may scale to zero instances, which only component endpoints can)."
  type = object({
    initial = number
    min     = number
    max     = number
  })
  nullable = false
  default  = { initial = 1, min = 1, max = 1 }

  validation {
    condition     = var.instances.min >= 0 && var.instances.min <= var.instances.initial
    error_message = "instances.min must be between 0 and instances.initial."
  }
  validation {
    condition     = var.instances.initial >= 1 && var.instances.initial <= var.instances.max
    error_message = "instances.initial must be between 1 and instances.max (an endpoint is created with at least one instance)."
  }
}

variable "routing_strategy" {
  description = "How SageMaker picks a copy for a request."
  type        = string
  nullable    = false
  default     = "LEAST_OUTSTANDING_REQUESTS"

  validation {
    condition     = contains(["LEAST_OUTSTANDING_REQUESTS", "RANDOM"], var.routing_strategy)
    error_message = "routing_strategy must be LEAST_OUTSTANDING_REQUESTS or RANDOM."
  }
}

variable "components" {
  description = "The models on the endpoint, one inference component each: image, environment, weights, what each copy needs, and the copy counts autoscaling keeps between."
  type = list(object({
    name                                    = string
    image_uri                               = string
    environment                             = optional(map(string), {})
    model_data_s3_uri                       = optional(string)
    accelerators                            = number
    cpu_cores                               = number
    min_memory_mb                           = number
    copies                                  = object({ initial = number, min = number, max = number })
    target_concurrent_requests_per_copy     = optional(number, 4)
    startup_health_check_timeout_in_seconds = optional(number, 600)
    model_data_download_timeout_in_seconds  = optional(number, 600)
    enable_network_isolation                = optional(bool, false)
  }))
  nullable = false

  validation {
    condition     = length(var.components) >= 1
    error_message = "components must list at least one model."
  }
  validation {
    condition     = length(distinct([for c in var.components : c.name])) == length(var.components)
    error_message = "components must have distinct names: a name is the component's identity (<name>-<component>)."
  }
  validation {
    condition     = alltrue([for c in var.components : can(regex("^[a-z0-9](-*[a-z0-9]){0,21}$", c.name))])
    error_message = "each component name must be 1-22 lower-case letters, digits and hyphens, starting and ending with a letter or digit."
  }
  validation {
    condition     = alltrue([for c in var.components : c.accelerators <= var.instance_capacity.accelerators])
    error_message = "a component's copy needs more GPUs than one instance has (instance_capacity.accelerators): lower its accelerators or choose a larger instance type (llmctl render --gpus-per-copy)."
  }
  validation {
    condition     = alltrue([for c in var.components : c.cpu_cores <= var.instance_capacity.cpu_cores])
    error_message = "a component's copy needs more CPU cores than one instance offers (instance_capacity.cpu_cores)."
  }
  validation {
    condition     = alltrue([for c in var.components : c.min_memory_mb <= var.instance_capacity.memory_mb])
    error_message = "a component's copy needs more memory than one instance offers (instance_capacity.memory_mb)."
  }
  validation {
    condition     = alltrue([for c in var.components : c.accelerators >= 1 && c.cpu_cores >= 0.25 && c.min_memory_mb >= 128])
    error_message = "each copy needs at least 1 accelerator, 0.25 CPU cores and 128 MB (SageMaker's minimums)."
  }
  validation {
    condition     = alltrue([for c in var.components : c.copies.min >= 0 && c.copies.min <= c.copies.initial && c.copies.initial <= c.copies.max && c.copies.max >= 1])
    error_message = "each component's copies must satisfy 0 <= min <= initial <= max and max >= 1."
  }
  validation {
    condition     = sum(concat([0], [for c in var.components : c.copies.initial * c.accelerators])) <= var.instance_capacity.accelerators * var.instances.max
    error_message = "the components' initial copies need more GPUs than instances.max instances have together: lower copies.initial or raise instances.max."
  }
  validation {
    condition     = alltrue([for c in var.components : (c.copies.min == 0) == (var.instances.min == 0)])
    error_message = "scale to zero is all or nothing: a component with copies.min 0 needs instances.min 0 (or its instances stay billed with nothing on them), and instances.min 0 needs every component at copies.min 0 (an instance cannot go while a copy must stay)."
  }
  validation {
    condition     = alltrue([for c in var.components : !c.enable_network_isolation || c.model_data_s3_uri != null])
    error_message = "enable_network_isolation needs model_data_s3_uri: an isolated container cannot download weights from the Hugging Face Hub; stage them in S3 (llmctl stage)."
  }
  validation {
    condition     = alltrue([for c in var.components : c.model_data_s3_uri == null || can(regex("^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.*/$", coalesce(c.model_data_s3_uri, "-")))])
    error_message = "model_data_s3_uri must be an S3 prefix ending in / (s3://bucket/models/<name>/), or null for weights from the Hub."
  }
}

variable "deployment" {
  description = "How a changed component rolls out (CloudFormation's DeploymentConfig): copies replaced per batch, the wait between batches, and whether its 5XX and p90-latency alarms roll it back."
  type = object({
    maximum_batch_copies     = optional(number, 1)
    wait_interval_in_seconds = optional(number, 300)
    rollback_on_alarms       = optional(bool, true)
    errors_5xx_threshold     = optional(number, 1)
    model_latency_p90_ms     = optional(number, 30000)
  })
  nullable = false
  default  = {}

  validation {
    condition     = var.deployment.maximum_batch_copies >= 1 && var.deployment.wait_interval_in_seconds >= 0 && var.deployment.wait_interval_in_seconds <= 3600
    error_message = "deployment.maximum_batch_copies must be at least 1 and wait_interval_in_seconds 0-3600."
  }
}

variable "stack_notification_arns" {
  description = "SNS topics that receive the CloudFormation stack's events (creation, rollback, deletion of the endpoint and its components)."
  type        = list(string)
  nullable    = false
  default     = []
}

variable "tags" {
  description = "Tags for the models, the stack and the scaling alarms."
  type        = map(string)
  nullable    = false
  default     = {}
}

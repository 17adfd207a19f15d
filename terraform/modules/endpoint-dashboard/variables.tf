variable "endpoint_name" {
  description = "Endpoint the dashboard shows (also the dashboard's name)."
  type        = string
  nullable    = false

  validation {
    condition     = length(var.endpoint_name) <= 63 && can(regex("^[a-zA-Z0-9](-*[a-zA-Z0-9])*$", var.endpoint_name))
    error_message = "endpoint_name must be 1-63 letters, digits and hyphens, starting and ending with a letter or digit."
  }
}

variable "variant_name" {
  description = "Production variant (the metrics' VariantName dimension)."
  type        = string
  nullable    = false
  default     = "AllTraffic"
}

variable "region" {
  description = "Region of the endpoint's metrics."
  type        = string
  nullable    = false
}

variable "min_capacity" {
  description = "Autoscaling minimum, drawn on the instance-count graph."
  type        = number
  nullable    = false
  default     = 1
}

variable "max_capacity" {
  description = "Autoscaling maximum, drawn on the instance-count graph."
  type        = number
  nullable    = false
  default     = 1

  validation {
    condition     = var.max_capacity >= var.min_capacity
    error_message = "max_capacity must be at least min_capacity."
  }
}

variable "gpus_per_instance" {
  description = "GPUs per instance: SageMaker sums GPU utilisation over them (up to 100 × GPUs)."
  type        = number
  nullable    = false
  default     = 1

  validation {
    condition     = var.gpus_per_instance >= 1 && floor(var.gpus_per_instance) == var.gpus_per_instance
    error_message = "gpus_per_instance must be a whole number of at least 1."
  }
}

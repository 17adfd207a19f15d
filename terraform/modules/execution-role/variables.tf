variable "name" {
  description = "Role name."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[\\w+=,.@-]{1,64}$", var.name))
    error_message = "name must be 1-64 characters of letters, digits and '+=,.@_-' (IAM role name rules)."
  }
}

variable "path" {
  description = "IAM path of the role."
  type        = string
  nullable    = false
  default     = "/"

  validation {
    condition     = can(regex("^/([\\x21-\\x7E]{0,510}/)?$", var.path))
    error_message = "path must start and end with '/', e.g. \"/\" or \"/sagemaker/\"."
  }
}

variable "account_id" {
  description = "AWS account ID of the endpoint (trust condition and resource ARNs)."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id must be the 12-digit AWS account ID, e.g. \"123456789012\"."
  }
}

variable "endpoint_name" {
  description = "Endpoint whose log group (/aws/sagemaker/Endpoints/<name>) the role may write to."
  type        = string
  nullable    = false

  validation {
    condition     = length(var.endpoint_name) <= 63 && can(regex("^[a-zA-Z0-9](-*[a-zA-Z0-9])*$", var.endpoint_name))
    error_message = "endpoint_name must be 1-63 letters, digits and hyphens, starting and ending with a letter or digit (SageMaker endpoint name rules)."
  }
}

variable "image_uris" {
  description = "ECR images the endpoint runs; the role may pull from these repositories only."
  type        = list(string)
  nullable    = false

  validation {
    condition     = length(var.image_uris) > 0 && alltrue([for uri in var.image_uris : can(regex("^[0-9]{12}\\.dkr\\.ecr\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?/[a-z0-9._/-]+(:[\\w.-]{1,128}|@sha256:[a-f0-9]{64})$", uri))])
    error_message = "image_uris must list ECR image URIs of the form <account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag> (or @sha256:<digest>); SageMaker pulls only from ECR."
  }
}

variable "ecr_repository_names" {
  description = "Further ECR repositories of this account and region the role may pull from (e.g. the project's own)."
  type        = list(string)
  nullable    = false
  default     = []

  validation {
    condition     = alltrue([for name in var.ecr_repository_names : can(regex("^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$", name))])
    error_message = "ecr_repository_names must be ECR repository names (lowercase letters, digits, '.', '_', '-', '/'), not URIs or ARNs."
  }
}

variable "model_data_s3_uri" {
  description = "S3 prefix of the uncompressed weights (s3://bucket/prefix/); the role may read this prefix only. Null when the container downloads from the Hugging Face Hub."
  type        = string
  default     = null

  validation {
    condition     = var.model_data_s3_uri == null || can(regex("^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/([^/]+/)*$", var.model_data_s3_uri))
    error_message = "model_data_s3_uri must be an S3 prefix such as s3://my-bucket/models/llama/ (s3://, a bucket name, and a key prefix ending in '/')."
  }
}

variable "model_data_s3_uris" {
  description = "More weight prefixes the role may read, one per inference component with weights in S3."
  type        = list(string)
  nullable    = false
  default     = []

  validation {
    condition     = alltrue([for uri in var.model_data_s3_uris : can(regex("^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/([^/]+/)*$", uri))])
    error_message = "model_data_s3_uris must be S3 prefixes such as s3://my-bucket/models/llama/ (s3://, a bucket name, and a key prefix ending in '/')."
  }
}

variable "data_capture_s3_uri" {
  description = "S3 prefix that data capture writes to (s3://bucket/prefix/), or null when data capture is off."
  type        = string
  default     = null

  validation {
    condition     = var.data_capture_s3_uri == null || can(regex("^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/([^/]+/)*$", var.data_capture_s3_uri))
    error_message = "data_capture_s3_uri must be an S3 prefix such as s3://my-bucket/capture/ (ending in '/')."
  }
}

variable "async_input_s3_uri" {
  description = "Asynchronous endpoints: the S3 prefix callers upload requests to (SageMaker reads each InputLocation with this role); null: not async."
  type        = string
  default     = null

  validation {
    condition     = var.async_input_s3_uri == null || can(regex("^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/([^/]+/)*$", var.async_input_s3_uri))
    error_message = "async_input_s3_uri must be an S3 prefix such as s3://my-bucket/async/llm/input/ (ending in '/')."
  }
}

variable "async_output_s3_uris" {
  description = "Asynchronous endpoints: the output and failure prefixes SageMaker writes results to with this role."
  type        = list(string)
  nullable    = false
  default     = []

  validation {
    condition     = alltrue([for uri in var.async_output_s3_uris : can(regex("^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/([^/]+/)*$", uri))])
    error_message = "async_output_s3_uris must be S3 prefixes such as s3://my-bucket/async/llm/output/ (ending in '/')."
  }
}

variable "async_topic_arns" {
  description = "Asynchronous endpoints: the SNS topics SageMaker publishes success and error notifications to with this role."
  type        = list(string)
  nullable    = false
  default     = []

  validation {
    condition     = alltrue([for arn in var.async_topic_arns : can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[a-zA-Z0-9_.-]{1,256}$", arn))])
    error_message = "async_topic_arns must be SNS topic ARNs (arn:aws:sns:<region>:<account>:<name>)."
  }
}

variable "async_topic_kms_key_aliases" {
  description = "Aliases (without `alias/`) of the keys that encrypt the async topics: publishing to an encrypted topic needs its key, through SNS."
  type        = list(string)
  nullable    = false
  default     = []
}

variable "model_data_kms_key" {
  description = "Customer-managed KMS key (ARN) of the bucket that holds model_data_s3_uri: the role may decrypt with it, through S3, and do nothing else with it."
  type        = string
  default     = null

  validation {
    condition     = var.model_data_kms_key == null || (var.model_data_s3_uri != null && can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[a-zA-Z0-9-]+$", coalesce(var.model_data_kms_key, "-"))))
    error_message = "model_data_kms_key must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>) and needs model_data_s3_uri."
  }
}

variable "kms_key_arns" {
  description = "KMS keys (ARNs) that encrypt the model artifacts; the role may decrypt through S3 only."
  type        = list(string)
  nullable    = false
  default     = []

  validation {
    condition     = alltrue([for arn in var.kms_key_arns : can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[a-zA-Z0-9-]+$", arn))])
    error_message = "kms_key_arns must hold KMS key ARNs (arn:aws:kms:<region>:<account>:key/<id>); use kms_key_aliases for keys created in the same apply."
  }
}

variable "kms_key_aliases" {
  description = "Aliases (without `alias/`) of KMS keys that encrypt the artifacts; for keys created in the same apply, whose ARN is not known at plan time."
  type        = list(string)
  nullable    = false
  default     = []

  validation {
    condition     = alltrue([for alias in var.kms_key_aliases : can(regex("^[a-zA-Z0-9/_-]{1,250}$", alias)) && !startswith(alias, "alias/")])
    error_message = "kms_key_aliases must hold alias names without the 'alias/' prefix, e.g. \"llm-dev\"."
  }
}

variable "metric_namespaces" {
  description = "CloudWatch namespaces the endpoint instances may publish metrics to."
  type        = list(string)
  nullable    = false
  default     = ["/aws/sagemaker/Endpoints"]

  validation {
    condition     = length(var.metric_namespaces) > 0 && alltrue([for ns in var.metric_namespaces : can(regex("^[^:*]{1,255}$", ns))])
    error_message = "metric_namespaces must list 1-255 character namespaces without ':' or '*' (the condition is an exact match)."
  }
}

variable "rollback_alarm_names" {
  description = "CloudWatch alarms the endpoint's blue/green deployments roll back on; the role may describe exactly these."
  type        = list(string)
  nullable    = false
  default     = []

  validation {
    condition     = alltrue([for name in var.rollback_alarm_names : length(name) >= 1 && length(name) <= 255])
    error_message = "rollback_alarm_names must be CloudWatch alarm names of 1-255 characters."
  }
}

variable "vpc_config" {
  description = "Subnets and security groups the endpoint runs in; adds the ENI permissions SageMaker needs. Null: no VPC."
  type = object({
    subnet_ids         = list(string)
    security_group_ids = list(string)
  })
  default = null

  validation {
    condition = var.vpc_config == null || try(
      length(var.vpc_config.subnet_ids) > 0 && length(var.vpc_config.security_group_ids) > 0 &&
      alltrue([for id in var.vpc_config.subnet_ids : can(regex("^subnet-[0-9a-f]{8,17}$", id))]) &&
      alltrue([for id in var.vpc_config.security_group_ids : can(regex("^sg-[0-9a-f]{8,17}$", id))]),
    false)
    error_message = "vpc_config needs at least one subnet ID (subnet-…) and one security group ID (sg-…)."
  }
}

variable "permissions_boundary_arn" {
  description = "ARN of a permissions boundary policy for the role, if your organisation requires one."
  type        = string
  default     = null

  validation {
    condition     = var.permissions_boundary_arn == null || can(regex("^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/.+$", var.permissions_boundary_arn))
    error_message = "permissions_boundary_arn must be an IAM policy ARN (arn:aws:iam::<account>:policy/<name>)."
  }
}

variable "tags" {
  description = "Tags for every resource of the module."
  type        = map(string)
  nullable    = false
  default     = {}
}

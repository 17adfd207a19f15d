# One LLM endpoint with everything it needs. Every name below is derived from var.name and the account, so the plan
# shows every resource name and IAM statement before anything exists.
module "names" {
  source = "../stack-names"

  name       = var.name
  account_id = var.account_id
}

locals {
  # stack-names is the one place names are made: deployer-policies scopes the deployer roles with the same module.
  bucket_name    = coalesce(var.artifacts_bucket_name, module.names.bucket_name)
  role_name      = module.names.role_name
  repository     = module.names.repository
  log_group_name = module.names.log_group_name

  # Provenance from `llmctl render`, on the resources a reviewer looks at.
  render_tags = {
    for key, value in var.llm_render : "llm:${key}" => substr(replace(value, "/[^\\p{L}\\p{Z}\\p{N}_.:/=+@-]/", "_"), 0, 256)
    if contains(["model", "backend", "llmctl_version", "tensor_parallel_degree"], key)
  }
  tensor_parallel_degree = tonumber(lookup(var.llm_render, "tensor_parallel_degree", "1"))
  capture_s3_uri         = var.data_capture == null ? null : "s3://${local.bucket_name}/capture/${var.name}/"

  # Component mode (tfvars schema 2): an inference-component endpoint instead of the real-time one. The variant-level
  # modules (endpoint, alarms, dashboard, autoscaling) exist only in real-time mode; `moved` keeps their addresses.
  component_mode = length(var.inference_components) > 0
  realtime       = local.component_mode ? 0 : 1
  image_uris     = local.component_mode ? distinct([for c in var.inference_components : c.image_uri]) : [var.image_uri]
  weights_s3     = compact([for c in var.inference_components : c.model_data_s3_uri])
  # The components' rollback alarms as modules/inference-components names them (a reference to the module's output
  # would be a cycle: the module needs the role; the unit test checks the two agree).
  # Async mode: callers upload requests under input/, SageMaker writes output/ and failures/ and announces each on
  # the two topics (named here, so the role's statements are known at plan time).
  async             = var.async_inference
  async_prefix      = "s3://${local.bucket_name}/async/${var.name}/"
  async_input_uri   = local.async == null ? null : "${local.async_prefix}input/"
  async_output_uri  = local.async == null ? null : coalesce(local.async.output_s3_uri, "${local.async_prefix}output/")
  async_failure_uri = local.async == null ? null : coalesce(local.async.failure_s3_uri, "${local.async_prefix}failures/")
  async_own_topics  = local.async != null && try(local.async.notifications, false) && try(local.async.success_topic_arn == null && local.async.error_topic_arn == null, false)
  async_topic_names = local.async_own_topics ? module.names.async_topic_names : {}
  async_topic_arns = local.async == null ? {} : (local.async_own_topics ? {
    for kind, topic in local.async_topic_names : kind => "arn:${data.aws_partition.current.partition}:sns:${data.aws_region.current.id}:${var.account_id}:${topic}"
    } : {
    for kind, arn in { success = local.async.success_topic_arn, error = local.async.error_topic_arn } : kind => arn if arn != null
  })
  component_alarm_names = flatten([
    for c in var.inference_components : ["${var.name}-${c.name}-5xx-errors", "${var.name}-${c.name}-model-latency-p90"]
  ])
}

moved {
  from = module.alarms
  to   = module.alarms[0]
}

moved {
  from = module.endpoint
  to   = module.endpoint[0]
}

moved {
  from = module.dashboard
  to   = module.dashboard[0]
}

moved {
  from = module.autoscaling
  to   = module.autoscaling[0]
}

module "kms" {
  source = "../kms-key"

  alias                      = var.name
  account_id                 = var.account_id
  cloudwatch_log_group_names = [local.log_group_name]
  allow_cloudwatch_alarms    = var.alarms.create_sns_topic
  deletion_window_in_days    = var.kms_deletion_window_in_days
  # The deployer role's key permissions are conditioned on this tag (deployer-policies): the key carries it from
  # CreateKey on, before its alias exists.
  tags = merge(var.tags, module.names.tag)
}

module "artifacts" {
  source = "../model-artifacts"

  bucket_name       = local.bucket_name
  kms_key_arn       = module.kms.key_arn
  access_log_bucket = var.access_log_bucket
  lifecycle_rules   = var.artifacts_lifecycle_rules
  tls_only          = var.artifacts_tls_only
  force_destroy     = var.force_destroy
  tags              = var.tags
}

module "ecr" {
  source = "../ecr-repository"

  name         = local.repository
  kms_key_arn  = module.kms.key_arn
  force_delete = var.force_destroy
  tags         = var.tags
}

module "role" {
  source = "../execution-role"

  name                 = local.role_name
  account_id           = var.account_id
  endpoint_name        = var.name
  image_uris           = local.image_uris
  ecr_repository_names = [local.repository]
  model_data_s3_uri    = var.model_data_s3_uri
  model_data_s3_uris   = local.weights_s3
  model_data_kms_key   = var.model_data_kms_key_arn
  data_capture_s3_uri  = local.capture_s3_uri
  async_input_s3_uri   = local.async_input_uri
  async_output_s3_uris = compact([local.async_output_uri, local.async_failure_uri])
  async_topic_arns     = values(local.async_topic_arns)
  # The stack's own topics are encrypted with the stack key.
  async_topic_kms_key_aliases = local.async_own_topics ? [var.name] : []
  # The stack key decrypts weights, captures and async requests/results read/written through S3; a Hub download
  # with nothing else needs none.
  kms_key_aliases = var.model_data_s3_uri == null && length(local.weights_s3) == 0 && var.data_capture == null && local.async == null ? [] : [var.name]
  vpc_config      = var.vpc_config
  rollback_alarm_names = !var.rollback_on_alarms ? [] : (
    local.component_mode ? local.component_alarm_names : one(module.alarms[*].rollback_alarm_names)
  )
  permissions_boundary_arn = var.permissions_boundary_arn
  tags                     = var.tags
}

module "alarms" {
  source = "../endpoint-alarms"
  count  = local.realtime

  endpoint_name                  = var.name
  gpus_per_instance              = local.tensor_parallel_degree
  errors_5xx_threshold           = var.alarms.errors_5xx_threshold
  model_latency_p90_ms           = var.alarms.model_latency_p90_ms
  gpu_memory_utilization_percent = var.alarms.gpu_memory_utilization_percent
  create_sns_topic               = var.alarms.create_sns_topic
  sns_kms_key_arn                = var.alarms.create_sns_topic ? module.kms.key_arn : null
  sns_topic_arn                  = var.alarms.sns_topic_arn
  tags                           = var.tags
}

module "endpoint" {
  source = "../llm-endpoint"
  count  = local.realtime

  name               = var.name
  execution_role_arn = module.role.arn
  image_uri          = var.image_uri
  container_env      = var.container_env
  model_data_s3_uri  = var.model_data_s3_uri
  instance_type      = var.instance_type
  # An async endpoint that scales to zero still starts with one instance (CreateEndpoint needs at least one).
  initial_instance_count                            = max(coalesce(var.initial_instance_count, var.autoscaling.min_capacity), 1)
  container_startup_health_check_timeout_in_seconds = var.container_startup_health_check_timeout_in_seconds
  model_data_download_timeout_in_seconds            = var.model_data_download_timeout_in_seconds
  volume_size_in_gb                                 = var.volume_size_in_gb
  enable_network_isolation                          = var.enable_network_isolation
  vpc_config                                        = var.vpc_config
  log_retention_in_days                             = var.log_retention_in_days
  log_kms_key_arn                                   = module.kms.key_arn

  data_capture = var.data_capture == null ? null : merge(var.data_capture, {
    destination_s3_uri = local.capture_s3_uri
    kms_key_arn        = module.kms.key_arn
  })

  async_inference = local.async == null ? null : {
    max_concurrent_invocations_per_instance = local.async.max_concurrent_invocations_per_instance
    output_s3_uri                           = local.async_output_uri
    failure_s3_uri                          = local.async_failure_uri
    kms_key_arn                             = module.kms.key_arn
    # The stack's own topics by reference, so they exist before the endpoint configuration names them.
    success_topic_arn             = local.async_own_topics ? aws_sns_topic.async["success"].arn : lookup(local.async_topic_arns, "success", null)
    error_topic_arn               = local.async_own_topics ? aws_sns_topic.async["error"].arn : lookup(local.async_topic_arns, "error", null)
    include_inference_response_in = local.async.include_inference_response_in
  }

  deployment = merge(var.deployment, {
    rollback_alarm_names = var.rollback_on_alarms ? module.alarms[0].rollback_alarm_names : []
  })
  update_after = module.autoscaling[0].update_barrier

  tags = merge(var.tags, local.render_tags)
}

data "aws_region" "current" {}
data "aws_partition" "current" {}

resource "aws_sns_topic" "async" {
  # Async mode's success and error notifications, unless the tfvars name a team's own topics.
  for_each = local.async_topic_names

  name              = each.value
  kms_master_key_id = module.kms.key_arn
  tags              = var.tags
}

module "dashboard" {
  source = "../endpoint-dashboard"
  count  = local.realtime

  endpoint_name     = module.endpoint[0].endpoint_name
  variant_name      = module.endpoint[0].variant_name
  region            = data.aws_region.current.id # the region name in provider 5.x and 6.x
  min_capacity      = var.autoscaling.min_capacity
  max_capacity      = var.autoscaling.max_capacity
  gpus_per_instance = local.tensor_parallel_degree
}

module "autoscaling" {
  source = "../endpoint-autoscaling"
  count  = local.realtime

  endpoint_name = module.endpoint[0].endpoint_name
  endpoint_arn  = module.endpoint[0].endpoint_arn
  variant_name  = module.endpoint[0].variant_name
  instance_type = var.instance_type
  min_capacity  = var.autoscaling.min_capacity
  max_capacity  = var.autoscaling.max_capacity
  # Async mode: requests wait in SageMaker's queue, not in the container, so the backlog per instance replaces the
  # invocation and concurrency targets.
  target_tracking = local.async == null ? {
    for key, value in var.autoscaling.target_tracking : key => value if key != "backlog_per_instance"
    } : merge(
    { for key, value in var.autoscaling.target_tracking : key => value if key != "backlog_per_instance" },
    { invocations_per_instance = null, concurrent_requests_per_model = null },
  )
  backlog = local.async == null ? null : {
    target_per_instance = var.autoscaling.target_tracking.backlog_per_instance
    scale_in_cooldown   = var.autoscaling.target_tracking.scale_in_cooldown
    scale_out_cooldown  = var.autoscaling.target_tracking.scale_out_cooldown
  }
  step_scaling      = var.autoscaling.step_scaling
  scheduled_actions = var.autoscaling.scheduled_actions
  tags              = var.tags
}

module "components" {
  source = "../inference-components"
  count  = local.component_mode ? 1 : 0

  name               = var.name
  execution_role_arn = module.role.arn
  instance_type      = var.instance_type
  instance_capacity  = var.instance_capacity
  # The settings' autoscaling bounds are the instances' managed scaling here; min 0 lets the endpoint and every
  # component scale to zero (the module wires the alarm that brings the first copy back).
  instances = {
    initial = max(coalesce(var.initial_instance_count, var.autoscaling.min_capacity), 1)
    min     = var.autoscaling.min_capacity
    max     = var.autoscaling.max_capacity
  }
  components = [
    for c in var.inference_components : {
      name                                    = c.name
      image_uri                               = c.image_uri
      environment                             = c.container_env
      model_data_s3_uri                       = c.model_data_s3_uri
      accelerators                            = c.accelerators
      cpu_cores                               = c.cpu_cores
      min_memory_mb                           = c.min_memory_mb
      copies                                  = merge(c.copies, var.autoscaling.min_capacity == 0 ? { min = 0 } : {})
      startup_health_check_timeout_in_seconds = c.container_startup_health_check_timeout_in_seconds
      model_data_download_timeout_in_seconds  = c.model_data_download_timeout_in_seconds
      enable_network_isolation                = var.enable_network_isolation
    }
  ]
  # Components roll one copy at a time and, as the real-time endpoint, back on their 5XX and p90-latency alarms.
  deployment = {
    wait_interval_in_seconds = var.deployment.wait_interval_in_seconds
    rollback_on_alarms       = var.rollback_on_alarms
    errors_5xx_threshold     = var.alarms.errors_5xx_threshold
    model_latency_p90_ms     = var.alarms.model_latency_p90_ms
  }
  tags = merge(var.tags, local.render_tags)
}

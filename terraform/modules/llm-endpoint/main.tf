data "aws_region" "current" {}

locals {
  secret_rules = jsondecode(file("${path.module}/secret_rules.json"))

  # SageMaker has no UpdateModel: every argument below forces a new model. Naming the model after a hash of them
  # gives each definition its own name, so create_before_destroy never collides and the plan shows the new name.
  model_definition = {
    image                    = var.image_uri
    environment              = var.container_env
    model_data_s3_uri        = var.model_data_s3_uri
    execution_role_arn       = var.execution_role_arn
    enable_network_isolation = var.enable_network_isolation
    vpc_config               = var.vpc_config
  }
  model_hash = substr(sha256(jsonencode(local.model_definition)), 0, 10)
  model_name = "${substr(var.name, 0, 52)}-${local.model_hash}"

  image_region   = regex("^[0-9]{12}\\.dkr\\.ecr\\.([a-z0-9-]+)\\.", var.image_uri)[0]
  log_group_name = "/aws/sagemaker/Endpoints/${var.name}"
  hub_adapters = concat(
    [for entry in split(",", lookup(var.container_env, "LORA_ADAPTERS", "")) : trimspace(entry) if trimspace(entry) != "" && !strcontains(entry, "=")],
    [for module in split(" ", lookup(var.container_env, "SM_VLLM_LORA_MODULES", "")) : split("=", module)[1] if strcontains(module, "=") && !startswith(try(split("=", module)[1], ""), "/opt/ml/")],
  )
  capture = var.data_capture
  # Async notification topics' regions, checked against the endpoint's (SageMaker publishes in its own region).
  async_topics = var.async_inference == null ? {} : {
    for kind, arn in { success = var.async_inference.success_topic_arn, error = var.async_inference.error_topic_arn } :
    kind => arn if arn != null
  }
  async_topic_regions = { for kind, arn in local.async_topics : kind => split(":", arn)[3] }
}

resource "aws_cloudwatch_log_group" "endpoint" {
  # SageMaker writes the container's logs here; creating it first sets retention and encryption.
  name              = local.log_group_name
  retention_in_days = var.log_retention_in_days
  kms_key_id        = var.log_kms_key_arn
  tags              = var.tags
}

resource "aws_sagemaker_model" "this" {
  name                     = local.model_name
  execution_role_arn       = var.execution_role_arn
  enable_network_isolation = var.enable_network_isolation

  primary_container {
    image       = var.image_uri
    mode        = "SingleModel"
    environment = var.container_env

    dynamic "model_data_source" {
      for_each = var.model_data_s3_uri == null ? [] : [var.model_data_s3_uri]
      content {
        s3_data_source {
          s3_uri           = model_data_source.value
          s3_data_type     = "S3Prefix"
          compression_type = "None" # uncompressed: no tarball to download and unpack before startup
        }
      }
    }
  }

  dynamic "vpc_config" {
    for_each = var.vpc_config == null ? [] : [var.vpc_config]
    content {
      subnets            = vpc_config.value.subnet_ids
      security_group_ids = vpc_config.value.security_group_ids
    }
  }

  tags = var.tags

  lifecycle {
    create_before_destroy = true

    precondition {
      # A LoRA adapter given as a Hub id (TGI LORA_ADAPTERS entry without "=", vLLM module path without "/opt/ml")
      # is downloaded at startup, which an isolated container cannot do.
      condition     = !var.enable_network_isolation || length(local.hub_adapters) == 0
      error_message = "enable_network_isolation blocks the Hub download of LoRA adapter(s) ${join(", ", local.hub_adapters)}: stage them under model_data_s3_uri (llmctl render --lora-adapter NAME=s3://…/adapters/NAME/) or turn isolation off."
    }

    precondition {
      condition     = local.image_region == data.aws_region.current.id
      error_message = "image_uri is in ${local.image_region} but the endpoint is in ${data.aws_region.current.id}: SageMaker pulls images from its own region only; render the image for ${data.aws_region.current.id} (llmctl render --region ${data.aws_region.current.id})."
    }
  }

  depends_on = [aws_cloudwatch_log_group.endpoint]
}

resource "aws_sagemaker_endpoint_configuration" "this" {
  # The endpoint picks up a configuration only when its name changes: a prefix makes every change a new name.
  name_prefix = "${substr(var.name, 0, 36)}-"
  kms_key_arn = var.volume_kms_key_arn

  production_variants {
    variant_name                                      = var.variant_name
    model_name                                        = aws_sagemaker_model.this.name
    instance_type                                     = var.instance_type
    initial_instance_count                            = var.initial_instance_count
    initial_variant_weight                            = 1
    container_startup_health_check_timeout_in_seconds = var.container_startup_health_check_timeout_in_seconds
    model_data_download_timeout_in_seconds            = var.model_data_download_timeout_in_seconds
    volume_size_in_gb                                 = var.volume_size_in_gb

    routing_config {
      routing_strategy = var.routing_strategy
    }
  }

  dynamic "data_capture_config" {
    for_each = local.capture == null ? [] : [local.capture]
    content {
      enable_capture              = true
      destination_s3_uri          = data_capture_config.value.destination_s3_uri
      initial_sampling_percentage = data_capture_config.value.sampling_percentage
      kms_key_id                  = data_capture_config.value.kms_key_arn

      dynamic "capture_options" {
        for_each = data_capture_config.value.capture_request ? ["Input"] : []
        content {
          capture_mode = capture_options.value
        }
      }
      dynamic "capture_options" {
        for_each = data_capture_config.value.capture_response ? ["Output"] : []
        content {
          capture_mode = capture_options.value
        }
      }
      capture_content_type_header {
        json_content_types = ["application/json"]
      }
    }
  }

  # Async mode: requests queue in SageMaker, results land in S3 and the topics announce them. An endpoint with this
  # block answers InvokeEndpointAsync only.
  dynamic "async_inference_config" {
    for_each = var.async_inference == null ? [] : [var.async_inference]
    content {
      client_config {
        max_concurrent_invocations_per_instance = async_inference_config.value.max_concurrent_invocations_per_instance
      }
      output_config {
        s3_output_path  = async_inference_config.value.output_s3_uri
        s3_failure_path = async_inference_config.value.failure_s3_uri
        kms_key_id      = async_inference_config.value.kms_key_arn

        dynamic "notification_config" {
          for_each = length(local.async_topics) == 0 ? [] : [async_inference_config.value]
          content {
            success_topic                 = notification_config.value.success_topic_arn
            error_topic                   = notification_config.value.error_topic_arn
            include_inference_response_in = notification_config.value.include_inference_response_in
          }
        }
      }
    }
  }

  tags = var.tags

  lifecycle {
    create_before_destroy = true

    precondition {
      condition     = alltrue([for region in values(local.async_topic_regions) : region == data.aws_region.current.id])
      error_message = "async_inference notification topics must be in the endpoint's region ${data.aws_region.current.id} (got ${jsonencode(local.async_topic_regions)}): SageMaker publishes only to topics in its own region; create the topic there."
    }

    # Autoscaling owns the live instance count: a new count alone must not roll the endpoint. It takes effect with the
    # next configuration (any other change), which `llmctl tf plan` sizes to the count running then (docs/updates.md).
    ignore_changes = [production_variants[0].initial_instance_count]
  }
}

# Carries `update_after` into the graph: the endpoint depends on it, so it is updated only after what that value waits
# for (the deregistration of the variant's scaling when its instance type changes).
resource "terraform_data" "update_barrier" {
  input = var.update_after
}

# UpdateEndpoint refuses to add or remove AsyncInferenceConfig ("The AsyncInferenceConfig parameter cannot be removed
# from this endpoint"): a switch between real-time and asynchronous replaces the endpoint, which the plan shows as an
# outage (`llmctl tf apply` asks for --allow-endpoint-replacement).
resource "terraform_data" "invocation_mode" {
  input = var.async_inference == null ? "real-time" : "asynchronous"
}

resource "aws_sagemaker_endpoint" "this" {
  name                 = var.name
  endpoint_config_name = aws_sagemaker_endpoint_configuration.this.name

  deployment_config {
    blue_green_update_policy {
      termination_wait_in_seconds          = var.deployment.termination_wait_in_seconds
      maximum_execution_timeout_in_seconds = var.deployment.maximum_execution_timeout_in_seconds

      traffic_routing_configuration {
        type                     = var.deployment.strategy
        wait_interval_in_seconds = var.deployment.wait_interval_in_seconds

        dynamic "canary_size" {
          for_each = var.deployment.strategy == "CANARY" ? [var.deployment.canary_size_percent] : []
          content {
            type  = "CAPACITY_PERCENT"
            value = canary_size.value
          }
        }

        dynamic "linear_step_size" {
          for_each = var.deployment.strategy == "LINEAR" ? [var.deployment.linear_step_percent] : []
          content {
            type  = "CAPACITY_PERCENT"
            value = linear_step_size.value
          }
        }
      }
    }

    dynamic "auto_rollback_configuration" {
      for_each = length(var.deployment.rollback_alarm_names) > 0 ? [var.deployment.rollback_alarm_names] : []
      content {
        dynamic "alarms" {
          for_each = toset(auto_rollback_configuration.value)
          content {
            alarm_name = alarms.value
          }
        }
      }
    }
  }

  depends_on = [terraform_data.update_barrier]
  tags       = var.tags

  lifecycle {
    replace_triggered_by = [terraform_data.invocation_mode]

    # SageMaker rolls a failed update back (a rollback alarm fired or the new fleet failed its health check) and the
    # provider waits for InService only, so the apply would go on to delete the configuration and model still
    # serving. Failing here stops it: they stay (deposed) until an update succeeds. `llmctl tf apply` names the cause.
    postcondition {
      condition     = self.endpoint_config_name == aws_sagemaker_endpoint_configuration.this.name
      error_message = "SageMaker rolled endpoint ${self.name} back to configuration ${self.endpoint_config_name}, which is kept; DescribeEndpoint's FailureReason (`llmctl status`) says why the new configuration ${aws_sagemaker_endpoint_configuration.this.name} failed: fix that and plan and apply again."
    }
  }
}

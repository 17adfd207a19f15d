# An inference-component endpoint: a model-less endpoint configuration (execution role, managed instance scaling,
# routing), the endpoint, and one component per model with its compute requirements and copies; copy autoscaling and,
# at copies.min 0, the alarm and step policy that bring the first copy back.
#
# Route: hashicorp/aws has no inference-component resource in any release, and its endpoint configuration can only
# leave out the model and carry the role from 6.2x. The configuration, the endpoint and the components are therefore
# one CloudFormation stack (aws_cloudformation_stack: in 5.100 and 6.x), generated from the inputs below; the models
# and the scaling are native resources. The inputs do not depend on the route (docs/components.md: moving to native
# resources with removed/import blocks).
locals {
  components = { for c in var.components : c.name => merge(c, { full_name = "${var.name}-${c.name}" }) }

  # Each component's rollback alarms (named here so the template and the role can name them before they exist).
  alarm_names = { for name, c in local.components : name => ["${c.full_name}-5xx-errors", "${c.full_name}-model-latency-p90"] }

  # CloudFormation logical ids are alphanumeric; names are lower-case letters, digits and hyphens (validated).
  logical_ids = { for name in keys(local.components) : name => "Component${join("", [for part in split("-", name) : title(part)])}" }

  endpoint_config = {
    ExecutionRoleArn = var.execution_role_arn
    ProductionVariants = [{
      VariantName          = "AllTraffic"
      InstanceType         = var.instance_type
      InitialInstanceCount = var.instances.initial
      ManagedInstanceScaling = {
        Status           = "ENABLED"
        MinInstanceCount = var.instances.min
        MaxInstanceCount = var.instances.max
      }
      RoutingConfig = { RoutingStrategy = var.routing_strategy }
    }]
  }
  # A new configuration name for a new configuration: SageMaker only picks up a configuration by name.
  endpoint_config_name = "${var.name}-${substr(sha1(jsonencode(local.endpoint_config)), 0, 10)}"
  cfn_tags             = [for key in sort(keys(var.tags)) : { Key = key, Value = var.tags[key] }]

  template = {
    AWSTemplateFormatVersion = "2010-09-09"
    Description              = "Inference-component endpoint ${var.name} (terraform/modules/inference-components)"
    Resources = merge(
      {
        EndpointConfig = {
          Type       = "AWS::SageMaker::EndpointConfig"
          Properties = merge(local.endpoint_config, { EndpointConfigName = local.endpoint_config_name, Tags = local.cfn_tags })
        }
        Endpoint = {
          Type = "AWS::SageMaker::Endpoint"
          Properties = {
            EndpointName       = var.name
            EndpointConfigName = { "Fn::GetAtt" = ["EndpointConfig", "EndpointConfigName"] }
            Tags               = local.cfn_tags
          }
        }
      },
      {
        for name, c in local.components : local.logical_ids[name] => {
          Type = "AWS::SageMaker::InferenceComponent"
          Properties = {
            InferenceComponentName = c.full_name
            EndpointName           = { "Fn::GetAtt" = ["Endpoint", "EndpointName"] }
            VariantName            = "AllTraffic"
            Specification = {
              ModelName = aws_sagemaker_model.component[name].name
              StartupParameters = {
                ModelDataDownloadTimeoutInSeconds           = c.model_data_download_timeout_in_seconds
                ContainerStartupHealthCheckTimeoutInSeconds = c.startup_health_check_timeout_in_seconds
              }
              ComputeResourceRequirements = {
                NumberOfAcceleratorDevicesRequired = c.accelerators
                NumberOfCpuCoresRequired           = c.cpu_cores
                MinMemoryRequiredInMb              = c.min_memory_mb
              }
            }
            RuntimeConfig = { CopyCount = c.copies.initial }
            DeploymentConfig = merge(
              {
                RollingUpdatePolicy = {
                  MaximumBatchSize      = { Type = "COPY_COUNT", Value = var.deployment.maximum_batch_copies }
                  WaitIntervalInSeconds = var.deployment.wait_interval_in_seconds
                }
              },
              var.deployment.rollback_on_alarms ? {
                AutoRollbackConfiguration = { Alarms = [for alarm in local.alarm_names[name] : { AlarmName = alarm }] }
              } : {}
            )
            Tags = local.cfn_tags
          }
        }
      }
    )
    Outputs = merge(
      { EndpointName = { Value = { "Fn::GetAtt" = ["Endpoint", "EndpointName"] } } },
      { for name in keys(local.components) : local.logical_ids[name] => { Value = { "Fn::GetAtt" = [local.logical_ids[name], "InferenceComponentArn"] } } }
    )
  }
}

resource "aws_sagemaker_model" "component" {
  for_each = local.components

  # No name_prefix on models: the name carries a hash of the definition, so a changed model is a new one.
  name                     = "${each.value.full_name}-${substr(sha1(jsonencode([each.value.image_uri, each.value.environment, each.value.model_data_s3_uri, each.value.enable_network_isolation])), 0, 10)}"
  execution_role_arn       = var.execution_role_arn
  enable_network_isolation = each.value.enable_network_isolation
  tags                     = var.tags
  #checkov:skip=CKV_AWS_370:Isolation is per component (enable_network_isolation, from the stack's setting): a component whose weights come from the Hub needs the network, and the module refuses isolation without S3 weights.

  primary_container {
    image       = each.value.image_uri
    environment = each.value.environment

    dynamic "model_data_source" {
      for_each = each.value.model_data_s3_uri == null ? [] : [each.value.model_data_s3_uri]
      content {
        s3_data_source {
          s3_uri           = model_data_source.value
          s3_data_type     = "S3Prefix"
          compression_type = "None"
        }
      }
    }
  }

  lifecycle {
    create_before_destroy = true
  }
}

# Per component, as the real-time endpoint's alarms per variant: they roll a changed component back.
resource "aws_cloudwatch_metric_alarm" "errors_5xx" {
  for_each = local.components

  alarm_name          = local.alarm_names[each.key][0]
  alarm_description   = "5XX errors of ${each.value.full_name}; rolls a component update back."
  namespace           = "AWS/SageMaker"
  metric_name         = "Invocation5XXErrors"
  dimensions          = { InferenceComponentName = each.value.full_name }
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 1
  threshold           = var.deployment.errors_5xx_threshold
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "model_latency_p90" {
  for_each = local.components

  alarm_name          = local.alarm_names[each.key][1]
  alarm_description   = "p90 model latency of ${each.value.full_name}; rolls a component update back."
  namespace           = "AWS/SageMaker"
  metric_name         = "ModelLatency" # microseconds
  dimensions          = { InferenceComponentName = each.value.full_name }
  extended_statistic  = "p90"
  period              = 60
  evaluation_periods  = 3
  datapoints_to_alarm = 2
  threshold           = var.deployment.model_latency_p90_ms * 1000
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  tags                = var.tags
}

resource "aws_cloudformation_stack" "endpoint" {
  name              = "${var.name}-components"
  template_body     = jsonencode(local.template)
  notification_arns = var.stack_notification_arns
  tags              = var.tags
  #checkov:skip=CKV_AWS_124:Topics are an input (stack_notification_arns); a failed stack already fails the apply that made it, so none is required.

  # A rollout names the alarms: they exist before the stack does.
  depends_on = [aws_cloudwatch_metric_alarm.errors_5xx, aws_cloudwatch_metric_alarm.model_latency_p90]

  timeouts {
    # Within the provider's hour: copies of a large model take tens of minutes to download and start.
    create = "60m"
    update = "60m"
    delete = "30m"
  }
}

resource "aws_appautoscaling_target" "copies" {
  for_each = local.components

  service_namespace  = "sagemaker"
  resource_id        = "inference-component/${each.value.full_name}"
  scalable_dimension = "sagemaker:inference-component:DesiredCopyCount"
  min_capacity       = each.value.copies.min
  max_capacity       = each.value.copies.max
  tags               = var.tags

  depends_on = [aws_cloudformation_stack.endpoint]
}

resource "aws_appautoscaling_policy" "concurrency" {
  for_each = local.components

  name               = "${each.value.full_name}-concurrency"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.copies[each.key].service_namespace
  resource_id        = aws_appautoscaling_target.copies[each.key].resource_id
  scalable_dimension = aws_appautoscaling_target.copies[each.key].scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = each.value.target_concurrent_requests_per_copy
    scale_in_cooldown  = 300
    scale_out_cooldown = 60

    predefined_metric_specification {
      # 10-second resolution, and a stream counts until its last token.
      predefined_metric_type = "SageMakerInferenceComponentConcurrentRequestsPerCopyHighResolution"
    }
  }
}

# Scale to zero: target tracking cannot bring a component back from zero copies (there is no per-copy metric at
# zero). A request that finds no copy fails and counts in NoCapacityInvocationFailures; this alarm fires the step
# policy that adds the first copy (AWS docs, "Scale an endpoint to zero instances").
resource "aws_appautoscaling_policy" "from_zero" {
  for_each = { for name, c in local.components : name => c if c.copies.min == 0 }

  name               = "${each.value.full_name}-from-zero"
  policy_type        = "StepScaling"
  service_namespace  = aws_appautoscaling_target.copies[each.key].service_namespace
  resource_id        = aws_appautoscaling_target.copies[each.key].resource_id
  scalable_dimension = aws_appautoscaling_target.copies[each.key].scalable_dimension

  step_scaling_policy_configuration {
    adjustment_type         = "ChangeInCapacity"
    metric_aggregation_type = "Maximum"
    cooldown                = 60

    step_adjustment {
      metric_interval_lower_bound = 0
      scaling_adjustment          = 1
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "no_capacity" {
  for_each = aws_appautoscaling_policy.from_zero

  alarm_name          = "${local.components[each.key].full_name}-no-capacity"
  alarm_description   = "Requests found no copy of ${local.components[each.key].full_name}: add the first one."
  namespace           = "AWS/SageMaker"
  metric_name         = "NoCapacityInvocationFailures"
  dimensions          = { InferenceComponentName = local.components[each.key].full_name }
  statistic           = "Maximum"
  period              = 30
  evaluation_periods  = 1
  datapoints_to_alarm = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "missing"
  alarm_actions       = [each.value.arn]
  tags                = var.tags
}

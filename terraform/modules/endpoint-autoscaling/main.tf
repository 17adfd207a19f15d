locals {
  resource_id = "endpoint/${var.endpoint_name}/variant/${var.variant_name}"
  dimensions  = { EndpointName = var.endpoint_name, VariantName = var.variant_name }

  target_tracking = {
    for key, policy in {
      invocations = {
        metric = "SageMakerVariantInvocationsPerInstance"
        target = var.target_tracking.invocations_per_instance
      }
      # Counts a streamed request until its last token, at 10-second resolution: the load signal for LLMs.
      concurrency = {
        metric = "SageMakerVariantConcurrentRequestsPerModelHighResolution"
        target = var.target_tracking.concurrent_requests_per_model
      }
    } : key => policy if policy.target != null
  }
}

# UpdateEndpoint refuses a new instance type for a variant registered with Application Auto Scaling ("Update endpoints
# that use auto scaling"). A change of instance type replaces this record, and with it the target, its policies and
# its schedules: destroyed (deregistered) before the record, created after the endpoint update, which waits for the
# record through `update_barrier` (outputs.tf → llm-endpoint). Order: deregister → UpdateEndpoint → register.
resource "terraform_data" "instance_type" {
  input = var.instance_type
}

# DeleteEndpoint deregisters the variant's target with its policies and schedules; the state would still list them.
# The ARN is unknown while the endpoint is replaced, which changes this record and replaces everything that follows
# it: deregistered before the endpoint goes, registered again once the new one exists.
resource "terraform_data" "endpoint" {
  input = var.endpoint_arn
}

resource "aws_appautoscaling_target" "variant" {
  service_namespace  = "sagemaker"
  scalable_dimension = "sagemaker:variant:DesiredInstanceCount"
  resource_id        = local.resource_id
  min_capacity       = var.min_capacity
  max_capacity       = var.max_capacity
  tags               = var.tags

  lifecycle {
    replace_triggered_by = [terraform_data.instance_type, terraform_data.endpoint]
  }
}

resource "aws_appautoscaling_policy" "target_tracking" {
  for_each = local.target_tracking

  name               = "${var.endpoint_name}-${each.key}"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.variant.service_namespace
  scalable_dimension = aws_appautoscaling_target.variant.scalable_dimension
  resource_id        = aws_appautoscaling_target.variant.resource_id

  target_tracking_scaling_policy_configuration {
    target_value       = each.value.target
    scale_in_cooldown  = var.target_tracking.scale_in_cooldown
    scale_out_cooldown = var.target_tracking.scale_out_cooldown
    disable_scale_in   = var.target_tracking.disable_scale_in

    predefined_metric_specification {
      predefined_metric_type = each.value.metric
    }
  }

  lifecycle {
    # Deregistering the target deletes these on AWS: they are created again with it.
    replace_triggered_by = [terraform_data.instance_type, terraform_data.endpoint]
  }
}

resource "aws_appautoscaling_policy" "step" {
  for_each = var.step_scaling

  name               = "${var.endpoint_name}-${each.key}"
  policy_type        = "StepScaling"
  service_namespace  = aws_appautoscaling_target.variant.service_namespace
  scalable_dimension = aws_appautoscaling_target.variant.scalable_dimension
  resource_id        = aws_appautoscaling_target.variant.resource_id

  step_scaling_policy_configuration {
    adjustment_type         = each.value.adjustment_type
    cooldown                = each.value.cooldown
    metric_aggregation_type = each.value.metric_aggregation_type

    dynamic "step_adjustment" {
      for_each = each.value.steps
      content {
        metric_interval_lower_bound = step_adjustment.value.lower_bound
        metric_interval_upper_bound = step_adjustment.value.upper_bound
        scaling_adjustment          = step_adjustment.value.adjustment
      }
    }
  }

  lifecycle {
    # Deregistering the target deletes these on AWS: they are created again with it.
    replace_triggered_by = [terraform_data.instance_type, terraform_data.endpoint]
  }
}

resource "aws_cloudwatch_metric_alarm" "step" {
  for_each = var.step_scaling

  alarm_name          = "${var.endpoint_name}-${each.key}"
  alarm_description   = "Drives step scaling policy ${each.key} of ${local.resource_id}."
  namespace           = each.value.namespace
  metric_name         = each.value.metric_name
  dimensions          = local.dimensions
  statistic           = each.value.statistic
  period              = each.value.period
  evaluation_periods  = each.value.evaluation_periods
  threshold           = each.value.threshold
  comparison_operator = each.value.comparison_operator
  treat_missing_data  = each.value.treat_missing_data
  alarm_actions       = [aws_appautoscaling_policy.step[each.key].arn]
  tags                = var.tags
}

resource "aws_appautoscaling_scheduled_action" "this" {
  for_each = var.scheduled_actions

  name               = "${var.endpoint_name}-${each.key}"
  service_namespace  = aws_appautoscaling_target.variant.service_namespace
  scalable_dimension = aws_appautoscaling_target.variant.scalable_dimension
  resource_id        = aws_appautoscaling_target.variant.resource_id
  schedule           = each.value.schedule
  timezone           = each.value.timezone

  scalable_target_action {
    min_capacity = each.value.min_capacity
    max_capacity = each.value.max_capacity
  }

  lifecycle {
    # Deregistering the target deletes these on AWS: they are created again with it.
    replace_triggered_by = [terraform_data.instance_type, terraform_data.endpoint]
  }
}

# Asynchronous endpoints: requests wait in SageMaker's queue, so the backlog per instance is the load signal.
resource "aws_appautoscaling_policy" "backlog" {
  count = var.backlog == null ? 0 : 1

  name               = "${var.endpoint_name}-async-backlog"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.variant.service_namespace
  scalable_dimension = aws_appautoscaling_target.variant.scalable_dimension
  resource_id        = aws_appautoscaling_target.variant.resource_id

  target_tracking_scaling_policy_configuration {
    target_value       = var.backlog.target_per_instance
    scale_in_cooldown  = var.backlog.scale_in_cooldown
    scale_out_cooldown = var.backlog.scale_out_cooldown

    customized_metric_specification {
      metric_name = "ApproximateBacklogSizePerInstance"
      namespace   = "AWS/SageMaker"
      statistic   = "Average"

      dimensions {
        name  = "EndpointName"
        value = var.endpoint_name
      }
    }
  }

  lifecycle {
    replace_triggered_by = [terraform_data.instance_type, terraform_data.endpoint]
  }
}

# At zero instances there is no per-instance backlog to track: this alarm sees queued requests with no capacity and
# its step policy adds the first instance (AWS's "autoscale an asynchronous endpoint to zero" recipe).
resource "aws_appautoscaling_policy" "from_zero" {
  count = var.backlog != null && var.min_capacity == 0 ? 1 : 0

  name               = "${var.endpoint_name}-async-from-zero"
  policy_type        = "StepScaling"
  service_namespace  = aws_appautoscaling_target.variant.service_namespace
  scalable_dimension = aws_appautoscaling_target.variant.scalable_dimension
  resource_id        = aws_appautoscaling_target.variant.resource_id

  step_scaling_policy_configuration {
    adjustment_type         = "ChangeInCapacity"
    cooldown                = var.backlog.scale_out_cooldown
    metric_aggregation_type = "Average"

    step_adjustment {
      metric_interval_lower_bound = 0
      scaling_adjustment          = 1
    }
  }

  lifecycle {
    replace_triggered_by = [terraform_data.instance_type, terraform_data.endpoint]
  }
}

resource "aws_cloudwatch_metric_alarm" "from_zero" {
  count = length(aws_appautoscaling_policy.from_zero)

  alarm_name          = "${var.endpoint_name}-async-from-zero"
  alarm_description   = "Requests wait in the queue of ${var.endpoint_name} with no instance running: add the first one."
  namespace           = "AWS/SageMaker"
  metric_name         = "HasBacklogWithoutCapacity"
  dimensions          = { EndpointName = var.endpoint_name }
  statistic           = "Average"
  period              = 60
  evaluation_periods  = 2
  datapoints_to_alarm = 2
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "missing"
  alarm_actions       = [aws_appautoscaling_policy.from_zero[0].arn]
  tags                = var.tags
}

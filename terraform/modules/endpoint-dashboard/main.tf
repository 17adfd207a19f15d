# One CloudWatch dashboard per endpoint, generated from the same variables as the stack (no hand-edited JSON).
# Metrics: AWS/SageMaker (invocations, errors, latency, concurrency; dimensions EndpointName, VariantName) and
# /aws/sagemaker/Endpoints (per-instance CPU, memory, disk, GPU; same dimensions), as documented in "Amazon SageMaker
# AI metrics in Amazon CloudWatch".
locals {
  dims     = ["EndpointName", var.endpoint_name, "VariantName", var.variant_name]
  invoke   = "AWS/SageMaker"
  instance = "/aws/sagemaker/Endpoints"

  widgets = [
    {
      title   = "Invocations and errors (per minute)"
      stat    = "Sum"
      metrics = [for name in ["Invocations", "Invocation4XXErrors", "Invocation5XXErrors", "InvocationModelErrors"] : concat([local.invoke, name], local.dims)]
    },
    {
      title = "Model latency p50 / p90 / p99 and overhead (microseconds)"
      stat  = "p50"
      metrics = concat(
        [for stat in ["p50", "p90", "p99"] : concat([local.invoke, "ModelLatency"], local.dims, [{ stat = stat, label = "ModelLatency ${stat}" }])],
        [concat([local.invoke, "OverheadLatency"], local.dims, [{ stat = "p99", label = "OverheadLatency p99" }])],
      )
    },
    {
      title   = "Concurrent requests per model (10 s resolution)"
      stat    = "Maximum"
      period  = 10
      metrics = [concat([local.invoke, "ConcurrentRequestsPerModel"], local.dims)]
    },
    {
      # SageMaker publishes no instance count for a real-time variant; every instance reports CPUUtilization once a
      # minute, so its sample count per minute is the number of instances serving.
      title       = "Instances (CPUUtilization samples per minute), autoscaling ${var.min_capacity}..${var.max_capacity}"
      stat        = "SampleCount"
      metrics     = [concat([local.instance, "CPUUtilization"], local.dims, [{ label = "instances" }])]
      annotations = { horizontal = [{ label = "min", value = var.min_capacity }, { label = "max", value = var.max_capacity }] }
    },
    {
      title   = "GPU utilisation and GPU memory (% summed over ${var.gpus_per_instance} GPU(s))"
      stat    = "Average"
      metrics = [for name in ["GPUUtilization", "GPUMemoryUtilization"] : concat([local.instance, name], local.dims)]
    },
    {
      title   = "CPU, memory and disk (%)"
      stat    = "Average"
      metrics = [for name in ["CPUUtilization", "MemoryUtilization", "DiskUtilization"] : concat([local.instance, name], local.dims)]
    },
  ]

  body = {
    widgets = [
      for index, widget in local.widgets : {
        type   = "metric"
        x      = (index % 2) * 12
        y      = floor(index / 2) * 6
        width  = 12
        height = 6
        properties = merge(
          {
            title   = widget.title
            region  = var.region
            view    = "timeSeries"
            stacked = false
            stat    = widget.stat
            period  = try(widget.period, 60)
            metrics = widget.metrics
          },
          try({ annotations = widget.annotations }, {}),
        )
      }
    ]
  }
}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = var.endpoint_name
  dashboard_body = jsonencode(local.body)
}

mock_provider "aws" {}

variables {
  endpoint_name     = "llm-test"
  region            = "us-east-1"
  min_capacity      = 1
  max_capacity      = 4
  gpus_per_instance = 4
}

run "widgets_show_the_endpoints_metrics" {
  command = plan

  assert {
    condition     = length(jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets) == 6
    error_message = "six widgets: traffic, latency, concurrency, instances, GPU, host"
  }
  assert {
    condition = alltrue(flatten([
      for widget in jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets : [
        for metric in widget.properties.metrics : contains(["AWS/SageMaker", "/aws/sagemaker/Endpoints"], metric[0]) && metric[2] == "EndpointName" && metric[3] == "llm-test" && metric[4] == "VariantName" && metric[5] == "AllTraffic"
      ]
    ]))
    error_message = "every metric is the endpoint's, in a namespace SageMaker publishes to, with both dimensions"
  }
  assert {
    condition = toset(flatten([
      for widget in jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets : [for metric in widget.properties.metrics : metric[1]]
    ])) == toset(["Invocations", "Invocation4XXErrors", "Invocation5XXErrors", "InvocationModelErrors", "ModelLatency", "OverheadLatency", "ConcurrentRequestsPerModel", "CPUUtilization", "GPUUtilization", "GPUMemoryUtilization", "MemoryUtilization", "DiskUtilization"])
    error_message = "the dashboard shows exactly the documented metrics"
  }
  assert {
    condition     = jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets[3].properties.annotations.horizontal[1].value == 4
    error_message = "the instance graph marks the autoscaling maximum"
  }
}

mock_provider "aws" {
  override_resource {
    target = aws_cloudformation_stack.endpoint
    values = {
      outputs = {
        EndpointName        = "llm-test"
        ComponentChat       = "arn:aws:sagemaker:us-east-1:111122223333:inference-component/llm-test-chat"
        ComponentSmallModel = "arn:aws:sagemaker:us-east-1:111122223333:inference-component/llm-test-small-model"
      }
    }
  }
  override_resource {
    target = aws_appautoscaling_policy.from_zero
    values = { arn = "arn:aws:autoscaling:us-east-1:111122223333:scalingPolicy:1:resource/sagemaker/from-zero" }
  }
}

variables {
  name               = "llm-test"
  execution_role_arn = "arn:aws:iam::111122223333:role/llm-test-sagemaker-execution"
  instance_type      = "ml.g5.12xlarge"
  instance_capacity  = { accelerators = 4, cpu_cores = 47, memory_mb = 192512 }
  components = [
    {
      name          = "chat"
      image_uri     = "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.7.0-tgi3.3.6-gpu-py311-cu124-ubuntu22.04"
      environment   = { HF_MODEL_ID = "meta-llama/Llama-3.1-8B-Instruct", SM_NUM_GPUS = "1" }
      accelerators  = 1
      cpu_cores     = 11
      min_memory_mb = 17408
      copies        = { initial = 2, min = 1, max = 3 }
    },
    {
      name              = "small-model"
      image_uri         = "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-vllm-inference:0.29.0-gpu-py312-cu129-ubuntu22.04"
      model_data_s3_uri = "s3://llm-test-artifacts-111122223333/models/llama-3.2-1b/"
      accelerators      = 1
      cpu_cores         = 4
      min_memory_mb     = 5120
      copies            = { initial = 1, min = 1, max = 1 }
    },
  ]
}

run "a_model_less_configuration_carrying_the_role" {
  command = apply

  assert {
    condition     = jsondecode(aws_cloudformation_stack.endpoint.template_body).Resources.EndpointConfig.Properties.ExecutionRoleArn == var.execution_role_arn
    error_message = "component endpoints carry the execution role on the configuration"
  }
  assert {
    condition     = !contains(keys(jsondecode(aws_cloudformation_stack.endpoint.template_body).Resources.EndpointConfig.Properties.ProductionVariants[0]), "ModelName")
    error_message = "the variant has no model: SageMaker refuses components on an endpoint whose variant has one"
  }
  assert {
    condition     = jsondecode(aws_cloudformation_stack.endpoint.template_body).Resources.EndpointConfig.Properties.ProductionVariants[0].ManagedInstanceScaling == { Status = "ENABLED", MinInstanceCount = 1, MaxInstanceCount = 1 }
    error_message = "managed instance scaling follows var.instances"
  }
  assert {
    condition     = jsondecode(aws_cloudformation_stack.endpoint.template_body).Resources.EndpointConfig.Properties.ProductionVariants[0].RoutingConfig.RoutingStrategy == "LEAST_OUTSTANDING_REQUESTS"
    error_message = "least outstanding requests by default"
  }
  assert {
    condition     = output.endpoint_name == "llm-test" && output.inference_component_names == { chat = "llm-test-chat", small-model = "llm-test-small-model" }
    error_message = "callers get the endpoint and each component's name"
  }
}

run "one_component_per_model_with_its_compute_and_copies" {
  command = apply

  assert {
    condition = jsondecode(aws_cloudformation_stack.endpoint.template_body).Resources.ComponentChat.Properties.DeploymentConfig == {
      RollingUpdatePolicy       = { MaximumBatchSize = { Type = "COPY_COUNT", Value = 1 }, WaitIntervalInSeconds = 300 }
      AutoRollbackConfiguration = { Alarms = [{ AlarmName = "llm-test-chat-5xx-errors" }, { AlarmName = "llm-test-chat-model-latency-p90" }] }
    }
    error_message = "a changed component rolls one copy at a time and rolls back on its own alarms"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.errors_5xx["chat"].dimensions == tomap({ InferenceComponentName = "llm-test-chat" }) && aws_cloudwatch_metric_alarm.model_latency_p90["chat"].threshold == 30000000
    error_message = "the alarms watch the component's own metrics (latency in microseconds)"
  }

  assert {
    condition     = jsondecode(aws_cloudformation_stack.endpoint.template_body).Resources.ComponentChat.Properties.Specification.ComputeResourceRequirements == { NumberOfAcceleratorDevicesRequired = 1, NumberOfCpuCoresRequired = 11, MinMemoryRequiredInMb = 17408 }
    error_message = "the copy's compute requirements, in the API's names"
  }
  assert {
    condition     = jsondecode(aws_cloudformation_stack.endpoint.template_body).Resources.ComponentChat.Properties.RuntimeConfig.CopyCount == 2
    error_message = "the initial copies"
  }
  assert {
    condition     = jsondecode(aws_cloudformation_stack.endpoint.template_body).Resources.ComponentSmallModel.Properties.Specification.ModelName == aws_sagemaker_model.component["small-model"].name
    error_message = "each component serves its own model"
  }
  assert {
    condition     = aws_sagemaker_model.component["small-model"].primary_container[0].model_data_source[0].s3_data_source[0].s3_uri == "s3://llm-test-artifacts-111122223333/models/llama-3.2-1b/"
    error_message = "weights from S3, uncompressed"
  }
  assert {
    condition     = aws_appautoscaling_target.copies["chat"].resource_id == "inference-component/llm-test-chat" && aws_appautoscaling_target.copies["chat"].scalable_dimension == "sagemaker:inference-component:DesiredCopyCount"
    error_message = "copies are the scalable target"
  }
  assert {
    condition     = aws_appautoscaling_target.copies["chat"].min_capacity == 1 && aws_appautoscaling_target.copies["chat"].max_capacity == 3
    error_message = "copy bounds reach the target"
  }
  assert {
    condition     = aws_appautoscaling_policy.concurrency["chat"].target_tracking_scaling_policy_configuration[0].predefined_metric_specification[0].predefined_metric_type == "SageMakerInferenceComponentConcurrentRequestsPerCopyHighResolution"
    error_message = "copies track concurrent requests per copy, at 10-second resolution"
  }
  assert {
    condition     = length(aws_appautoscaling_policy.from_zero) == 0 && length(aws_cloudwatch_metric_alarm.no_capacity) == 0
    error_message = "no scale-from-zero wiring when nothing scales to zero"
  }
}

run "scale_to_zero_brings_the_first_copy_back" {
  command = apply

  variables {
    instances = { initial = 1, min = 0, max = 2 }
    components = [
      {
        name          = "chat"
        image_uri     = "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.7.0-tgi3.3.6-gpu-py311-cu124-ubuntu22.04"
        accelerators  = 1
        cpu_cores     = 11
        min_memory_mb = 17408
        copies        = { initial = 1, min = 0, max = 4 }
      },
    ]
  }

  assert {
    condition     = jsondecode(aws_cloudformation_stack.endpoint.template_body).Resources.EndpointConfig.Properties.ProductionVariants[0].ManagedInstanceScaling.MinInstanceCount == 0
    error_message = "the endpoint may go to zero instances"
  }
  assert {
    condition     = aws_appautoscaling_target.copies["chat"].min_capacity == 0
    error_message = "the component may go to zero copies"
  }
  assert {
    condition     = [for step in aws_appautoscaling_policy.from_zero["chat"].step_scaling_policy_configuration[0].step_adjustment : step.scaling_adjustment] == [1]
    error_message = "a step policy adds the first copy"
  }
  assert {
    condition = (
      aws_cloudwatch_metric_alarm.no_capacity["chat"].metric_name == "NoCapacityInvocationFailures" &&
      aws_cloudwatch_metric_alarm.no_capacity["chat"].namespace == "AWS/SageMaker" &&
      aws_cloudwatch_metric_alarm.no_capacity["chat"].dimensions == tomap({ InferenceComponentName = "llm-test-chat" })
    )
    error_message = "the alarm watches the component's no-capacity failures"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.no_capacity["chat"].alarm_actions == toset([aws_appautoscaling_policy.from_zero["chat"].arn])
    error_message = "the alarm fires the step policy"
  }
}

run "a_changed_configuration_gets_a_new_name" {
  command = plan

  variables {
    instances = { initial = 1, min = 1, max = 2 }
  }

  assert {
    condition     = output.endpoint_config_name != run.a_model_less_configuration_carrying_the_role.endpoint_config_name
    error_message = "a changed configuration gets a new name, which is what makes SageMaker roll to it"
  }
}

run "no_rollback_alarms_when_turned_off" {
  command = plan

  variables {
    deployment = { rollback_on_alarms = false }
  }

  assert {
    condition     = !contains(keys(jsondecode(aws_cloudformation_stack.endpoint.template_body).Resources.ComponentChat.Properties.DeploymentConfig), "AutoRollbackConfiguration")
    error_message = "rollback_on_alarms = false leaves the rollout without alarms"
  }
}

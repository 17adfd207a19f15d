mock_provider "aws" {}

variables {
  name               = "llm-test"
  execution_role_arn = "arn:aws:iam::111122223333:role/llm-test-sagemaker-execution"
  instance_type      = "ml.g5.12xlarge"
  instance_capacity  = { accelerators = 4, cpu_cores = 47, memory_mb = 192512 }
  components = [{
    name          = "chat"
    image_uri     = "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.7.0-tgi3.3.6-gpu-py311-cu124-ubuntu22.04"
    accelerators  = 1
    cpu_cores     = 11
    min_memory_mb = 17408
    copies        = { initial = 1, min = 1, max = 2 }
  }]
}

run "name_with_spaces" {
  command = plan
  variables { name = "llm test" }
  expect_failures = [var.name]
}

run "role_not_an_arn" {
  command = plan
  variables { execution_role_arn = "llm-test-sagemaker-execution" }
  expect_failures = [var.execution_role_arn]
}

run "instance_type_without_ml_prefix" {
  command = plan
  variables { instance_type = "g5.12xlarge" }
  expect_failures = [var.instance_type]
}

run "capacity_zero" {
  command = plan
  variables { instance_capacity = { accelerators = 0, cpu_cores = 47, memory_mb = 192512 } }
  expect_failures = [var.instance_capacity]
}

run "instances_min_negative" {
  command = plan
  variables { instances = { initial = 1, min = -1, max = 2 } }
  expect_failures = [var.instances]
}

run "instances_min_above_initial" {
  command = plan
  variables { instances = { initial = 1, min = 2, max = 2 } }
  expect_failures = [var.instances]
}

run "instances_initial_zero" {
  command = plan
  variables { instances = { initial = 0, min = 0, max = 2 } }
  expect_failures = [var.instances]
}

run "instances_initial_above_max" {
  command = plan
  variables { instances = { initial = 3, min = 1, max = 2 } }
  expect_failures = [var.instances]
}

run "routing_unknown" {
  command = plan
  variables { routing_strategy = "ROUND_ROBIN" }
  expect_failures = [var.routing_strategy]
}

run "no_components" {
  command = plan
  variables { components = [] }
  expect_failures = [var.components]
}

run "duplicate_component_names" {
  command = plan
  variables {
    components = [
      { name = "chat", image_uri = "i", accelerators = 1, cpu_cores = 1, min_memory_mb = 1024, copies = { initial = 1, min = 1, max = 1 } },
      { name = "chat", image_uri = "j", accelerators = 1, cpu_cores = 1, min_memory_mb = 1024, copies = { initial = 1, min = 1, max = 1 } },
    ]
  }
  expect_failures = [var.components]
}

run "component_name_upper_case" {
  command = plan
  variables { components = [{ name = "Chat", image_uri = "i", accelerators = 1, cpu_cores = 1, min_memory_mb = 1024, copies = { initial = 1, min = 1, max = 1 } }] }
  expect_failures = [var.components]
}

run "copy_needs_more_gpus_than_the_instance" {
  command = plan
  variables { components = [{ name = "chat", image_uri = "i", accelerators = 8, cpu_cores = 1, min_memory_mb = 1024, copies = { initial = 1, min = 1, max = 1 } }] }
  expect_failures = [var.components]
}

run "copy_needs_more_cores_than_the_instance" {
  command = plan
  variables { components = [{ name = "chat", image_uri = "i", accelerators = 1, cpu_cores = 48, min_memory_mb = 1024, copies = { initial = 1, min = 1, max = 1 } }] }
  expect_failures = [var.components]
}

run "copy_needs_more_memory_than_the_instance" {
  command = plan
  variables { components = [{ name = "chat", image_uri = "i", accelerators = 1, cpu_cores = 1, min_memory_mb = 200000, copies = { initial = 1, min = 1, max = 1 } }] }
  expect_failures = [var.components]
}

run "copy_without_a_gpu" {
  command = plan
  variables { components = [{ name = "chat", image_uri = "i", accelerators = 0, cpu_cores = 1, min_memory_mb = 1024, copies = { initial = 1, min = 1, max = 1 } }] }
  expect_failures = [var.components]
}

run "copy_below_a_quarter_core" {
  command = plan
  variables { components = [{ name = "chat", image_uri = "i", accelerators = 1, cpu_cores = 0.1, min_memory_mb = 1024, copies = { initial = 1, min = 1, max = 1 } }] }
  expect_failures = [var.components]
}

run "copy_below_128_mb" {
  command = plan
  variables { components = [{ name = "chat", image_uri = "i", accelerators = 1, cpu_cores = 1, min_memory_mb = 64, copies = { initial = 1, min = 1, max = 1 } }] }
  expect_failures = [var.components]
}

run "copies_min_negative" {
  command = plan
  variables { components = [{ name = "chat", image_uri = "i", accelerators = 1, cpu_cores = 1, min_memory_mb = 1024, copies = { initial = 1, min = -1, max = 1 } }] }
  expect_failures = [var.components]
}

run "copies_min_above_initial" {
  command = plan
  variables { components = [{ name = "chat", image_uri = "i", accelerators = 1, cpu_cores = 1, min_memory_mb = 1024, copies = { initial = 1, min = 2, max = 3 } }] }
  expect_failures = [var.components]
}

run "copies_initial_above_max" {
  command = plan
  variables { components = [{ name = "chat", image_uri = "i", accelerators = 1, cpu_cores = 1, min_memory_mb = 1024, copies = { initial = 3, min = 1, max = 2 } }] }
  expect_failures = [var.components]
}

run "copies_max_zero" {
  command = plan
  variables { components = [{ name = "chat", image_uri = "i", accelerators = 1, cpu_cores = 1, min_memory_mb = 1024, copies = { initial = 0, min = 0, max = 0 } }] }
  expect_failures = [var.components]
}

run "copies_to_zero_without_instances_to_zero" {
  command = plan
  variables { components = [{ name = "chat", image_uri = "i", accelerators = 1, cpu_cores = 1, min_memory_mb = 1024, copies = { initial = 1, min = 0, max = 2 } }] }
  expect_failures = [var.components]
}

run "instances_to_zero_with_a_copy_that_must_stay" {
  command = plan
  variables { instances = { initial = 1, min = 0, max = 2 } }
  expect_failures = [var.components]
}

run "weights_prefix_without_trailing_slash" {
  command = plan
  variables { components = [{ name = "chat", image_uri = "i", model_data_s3_uri = "s3://bucket-name/models/chat", accelerators = 1, cpu_cores = 1, min_memory_mb = 1024, copies = { initial = 1, min = 1, max = 1 } }] }
  expect_failures = [var.components]
}

run "isolation_without_s3_weights" {
  command = plan
  variables { components = [{ name = "chat", image_uri = "i", enable_network_isolation = true, accelerators = 1, cpu_cores = 1, min_memory_mb = 1024, copies = { initial = 1, min = 1, max = 1 } }] }
  expect_failures = [var.components]
}

run "initial_copies_need_more_gpus_than_the_fleet" {
  command = plan
  variables { components = [{ name = "chat", image_uri = "i", accelerators = 2, cpu_cores = 1, min_memory_mb = 1024, copies = { initial = 3, min = 1, max = 3 } }] }
  expect_failures = [var.components]
}

run "deployment_batch_zero" {
  command = plan
  variables { deployment = { maximum_batch_copies = 0 } }
  expect_failures = [var.deployment]
}

run "deployment_wait_negative" {
  command = plan
  variables { deployment = { wait_interval_in_seconds = -1 } }
  expect_failures = [var.deployment]
}

run "deployment_wait_over_an_hour" {
  command = plan
  variables { deployment = { wait_interval_in_seconds = 3601 } }
  expect_failures = [var.deployment]
}

# The local environment's settings: what a team changes per environment (docs/tfvars.md, "Per-environment settings").
# `llmctl render` never writes this file. Each object may be given in part: left-out attributes keep the module
# defaults. `make plan` refuses a variable the environment does not declare.

# Every kind of scaling policy, so the local apply exercises all of the autoscaling module.
autoscaling = {
  min_capacity = 1
  max_capacity = 3
  target_tracking = {
    invocations_per_instance      = 20
    concurrent_requests_per_model = 8
  }
  step_scaling = {
    backlog = {
      metric_name         = "ConcurrentRequestsPerModel"
      threshold           = 16
      comparison_operator = "GreaterThanOrEqualToThreshold"
      steps               = [{ lower_bound = 0, adjustment = 1 }]
    }
  }
  scheduled_actions = {
    nights = { schedule = "cron(0 20 * * ? *)", min_capacity = 1, max_capacity = 1 }
  }
}

deployment = {
  strategy            = "LINEAR"
  linear_step_percent = 50
}

alarms = { create_sns_topic = true }

# The dev environment's settings: what a team changes per environment (docs/tfvars.md, "Per-environment settings").
# `llmctl render` never writes this file (it writes llm.auto.tfvars.json). Each object may be given in part:
# left-out attributes keep the module defaults. `make plan` refuses a variable the environment does not declare.

autoscaling = {
  min_capacity    = 1
  max_capacity    = 2
  target_tracking = { concurrent_requests_per_model = 8 }
  scheduled_actions = {
    # Nights and weekends: one instance; mornings: back to the normal range.
    evenings = { schedule = "cron(0 20 ? * MON-FRI *)", min_capacity = 1, max_capacity = 1 }
    mornings = { schedule = "cron(0 7 ? * MON-FRI *)", min_capacity = 1, max_capacity = 2 }
  }
}

deployment = {
  strategy                 = "CANARY"
  canary_size_percent      = 50
  wait_interval_in_seconds = 600
}

alarms = { create_sns_topic = true }

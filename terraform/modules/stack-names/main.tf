# The names the stack gives its resources and the ARNs they get: llm-stack names its resources from these outputs and
# deployer-policies scopes the deployer roles to them, so the two cannot drift apart.
locals {
  arn      = "arn:${var.partition}"
  regional = "${coalesce(var.region, "-")}:${var.account_id}"

  bucket_name    = "${lower(var.name)}-artifacts-${var.account_id}"
  role_name      = substr("${var.name}-sagemaker-execution", 0, 64)
  repository     = "${lower(var.name)}/service"
  log_group_name = "/aws/sagemaker/Endpoints/${var.name}"
  topic_name     = "${var.name}-alarms"
  # Async mode's notification topics.
  async_topic_names = { success = "${var.name}-async-success", error = "${var.name}-async-error" }
}

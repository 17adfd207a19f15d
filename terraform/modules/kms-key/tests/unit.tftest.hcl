provider "aws" {
  region                      = "us-east-1"
  access_key                  = "unit-test"
  secret_key                  = "unit-test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}

variables {
  alias      = "llm-test"
  account_id = "123456789012"
}

run "rotated_key_with_account_policy" {
  command = plan

  assert {
    condition     = aws_kms_key.this.enable_key_rotation && aws_kms_key.this.deletion_window_in_days == 30
    error_message = "rotation on, 30-day deletion window"
  }
  assert {
    condition     = aws_kms_alias.this.name == "alias/llm-test"
    error_message = "the alias is alias/<alias>"
  }
  assert {
    condition     = length(jsondecode(data.aws_iam_policy_document.key.json).Statement) == 1
    error_message = "only the account statement without log groups or alarms"
  }
}

run "logs_and_alarms" {
  command = plan

  variables {
    cloudwatch_log_group_names = ["/aws/sagemaker/Endpoints/llm-test"]
    allow_cloudwatch_alarms    = true
  }

  assert {
    condition = one([
      for s in jsondecode(data.aws_iam_policy_document.key.json).Statement : s.Condition.ArnEquals["kms:EncryptionContext:aws:logs:arn"] if s.Sid == "CloudWatchLogsForNamedGroups"
    ]) == "arn:aws:logs:us-east-1:123456789012:log-group:/aws/sagemaker/Endpoints/llm-test"
    error_message = "CloudWatch Logs may use the key for the named log group only"
  }
  assert {
    condition = one([
      for s in jsondecode(data.aws_iam_policy_document.key.json).Statement : s.Principal.Service if s.Sid == "CloudWatchAlarmsToEncryptedTopics"
    ]) == "cloudwatch.amazonaws.com"
    error_message = "CloudWatch alarms may publish to encrypted topics"
  }
}

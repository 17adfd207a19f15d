# Plans with the real provider (no API call is made: policies, partition and region are computed locally), so the
# assertions read the exact IAM JSON a reviewer sees in `terraform plan`.
provider "aws" {
  region                      = "us-east-1"
  access_key                  = "unit-test"
  secret_key                  = "unit-test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}

variables {
  name                 = "llm-test-sagemaker-execution"
  account_id           = "123456789012"
  endpoint_name        = "llm-test"
  image_uris           = ["763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.7.0-tgi3.3.6-gpu-py311-cu124-ubuntu22.04"]
  ecr_repository_names = ["llm-test/service"]
  model_data_s3_uri    = "s3://llm-test-artifacts/models/llama-3.1-8b/"
  kms_key_aliases      = ["llm-test"]
}

run "least_privilege" {
  command = plan

  assert {
    condition = toset([
      for s in jsondecode(data.aws_iam_policy_document.permissions.json).Statement : s.Sid if s.Resource == "*"
    ]) == toset(["EcrLogin", "EndpointMetrics"])
    error_message = "only ecr:GetAuthorizationToken and the namespace-limited PutMetricData may use Resource \"*\""
  }
  assert {
    condition = alltrue([
      for s in jsondecode(data.aws_iam_policy_document.permissions.json).Statement :
      alltrue([for action in flatten([s.Action]) : !strcontains(action, "*")])
    ])
    error_message = "no action wildcards"
  }
  assert {
    condition = one([
      for s in jsondecode(data.aws_iam_policy_document.permissions.json).Statement : s.Condition.StringEquals["cloudwatch:namespace"] if s.Sid == "EndpointMetrics"
    ]) == "/aws/sagemaker/Endpoints"
    error_message = "PutMetricData is limited to the SageMaker endpoint namespace"
  }
  assert {
    condition = toset(flatten([
      for s in jsondecode(data.aws_iam_policy_document.permissions.json).Statement : s.Resource if s.Sid == "PullServingImages"
      ])) == toset([
      "arn:aws:ecr:us-east-1:763104351884:repository/huggingface-pytorch-tgi-inference",
      "arn:aws:ecr:us-east-1:123456789012:repository/llm-test/service",
    ])
    error_message = "pulls only from the serving image's repository and the project's"
  }
  assert {
    condition = one([
      for s in jsondecode(data.aws_iam_policy_document.permissions.json).Statement : s.Resource if s.Sid == "ReadModelPrefix"
    ]) == "arn:aws:s3:::llm-test-artifacts/models/llama-3.1-8b/*"
    error_message = "reads the model prefix only"
  }
  assert {
    condition = toset(flatten([
      for s in jsondecode(data.aws_iam_policy_document.permissions.json).Statement : s.Resource if s.Sid == "EndpointLogs"
      ])) == toset([
      "arn:aws:logs:us-east-1:123456789012:log-group:/aws/sagemaker/Endpoints/llm-test",
      "arn:aws:logs:us-east-1:123456789012:log-group:/aws/sagemaker/Endpoints/llm-test:log-stream:*",
    ])
    error_message = "writes to its own endpoint's log group only"
  }
  assert {
    condition = one([
      for s in jsondecode(data.aws_iam_policy_document.permissions.json).Statement : s.Condition["ForAnyValue:StringEquals"]["kms:ResourceAliases"] if s.Sid == "UseArtifactKeysByAlias"
    ]) == "alias/llm-test"
    error_message = "decrypts only with the key that carries the stack's alias"
  }
  assert {
    condition     = jsondecode(data.aws_iam_policy_document.trust.json).Statement[0].Principal.Service == "sagemaker.amazonaws.com"
    error_message = "only SageMaker may assume the role"
  }
  assert {
    condition     = jsondecode(data.aws_iam_policy_document.trust.json).Statement[0].Condition.StringEquals["aws:SourceAccount"] == "123456789012"
    error_message = "only on behalf of this account (confused deputy)"
  }
  assert {
    condition     = output.arn == "arn:aws:iam::123456789012:role/llm-test-sagemaker-execution"
    error_message = "the role ARN is known at plan time"
  }
}

run "hub_model_reads_no_s3" {
  command = plan

  variables {
    model_data_s3_uri = null
    kms_key_aliases   = []
  }

  assert {
    condition = length([
      for s in jsondecode(data.aws_iam_policy_document.permissions.json).Statement : s if startswith(s.Sid, "ReadModel") || startswith(s.Sid, "ListModel") || startswith(s.Sid, "UseArtifact")
    ]) == 0
    error_message = "a Hub download needs no S3 or KMS permissions"
  }
}

run "vpc_adds_eni_permissions" {
  command = plan

  variables {
    vpc_config = { subnet_ids = ["subnet-0123456789abcdef0"], security_group_ids = ["sg-0123456789abcdef0"] }
  }

  assert {
    condition = toset([
      for s in jsondecode(data.aws_iam_policy_document.permissions.json).Statement : s.Sid if s.Resource == "*"
    ]) == toset(["EcrLogin", "EndpointMetrics", "DescribeVpcForEni"])
    error_message = "VPC adds only the Describe calls, which have no resource-level permissions, to Resource \"*\""
  }
  assert {
    condition = one([
      for s in jsondecode(data.aws_iam_policy_document.permissions.json).Statement : s.Condition.ArnEquals["ec2:Subnet"] if s.Sid == "ManageOwnEnis"
    ]) == "arn:aws:ec2:us-east-1:123456789012:subnet/subnet-0123456789abcdef0"
    error_message = "ENIs are managed only in the given subnets"
  }
}

run "data_capture_writes_its_prefix" {
  command = plan

  variables {
    data_capture_s3_uri = "s3://llm-test-artifacts/capture/llm-test/"
  }

  assert {
    condition = one([
      for s in jsondecode(data.aws_iam_policy_document.permissions.json).Statement : s.Resource if s.Sid == "WriteDataCapture"
    ]) == "arn:aws:s3:::llm-test-artifacts/capture/llm-test/*"
    error_message = "data capture writes to its prefix only"
  }
}

run "weights_bucket_key_is_decrypt_only" {
  command = plan

  variables {
    model_data_kms_key  = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    data_capture_s3_uri = "s3://llm-test-artifacts/capture/llm-test/"
  }

  assert {
    condition = one([
      for s in jsondecode(data.aws_iam_policy_document.permissions.json).Statement : s if s.Sid == "DecryptModelWeights"
      ]) == {
      Sid       = "DecryptModelWeights"
      Effect    = "Allow"
      Action    = "kms:Decrypt"
      Resource  = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
      Condition = { StringEquals = { "kms:ViaService" = "s3.us-east-1.amazonaws.com" } }
    }
    error_message = "the team's weights key may decrypt, through S3, and nothing else (even when captures write with the stack key)"
  }
}

run "each_component_prefix_is_readable_and_nothing_else" {
  command = plan

  variables {
    model_data_s3_uri  = null
    model_data_s3_uris = ["s3://llm-test-artifacts/models/llama-3.1-8b/", "s3://llm-test-artifacts/models/llama-3.2-1b/"]
  }

  assert {
    condition = toset(one([
      for s in jsondecode(data.aws_iam_policy_document.permissions.json).Statement : s.Resource if s.Sid == "ReadModelPrefix"
    ])) == toset(["arn:aws:s3:::llm-test-artifacts/models/llama-3.1-8b/*", "arn:aws:s3:::llm-test-artifacts/models/llama-3.2-1b/*"])
    error_message = "the role reads each component's prefix"
  }
  assert {
    condition = toset(one([
      for s in jsondecode(data.aws_iam_policy_document.permissions.json).Statement : s.Condition.StringLike["s3:prefix"] if s.Sid == "ListModelPrefix"
    ])) == toset(["models/llama-3.1-8b/", "models/llama-3.1-8b/*", "models/llama-3.2-1b/", "models/llama-3.2-1b/*"])
    error_message = "listing is limited to the same prefixes"
  }
}

run "async_reads_requests_writes_results_publishes_to_its_topics_only" {
  command = plan

  variables {
    async_input_s3_uri          = "s3://llm-test-artifacts/async/llm-test/input/"
    async_output_s3_uris        = ["s3://llm-test-artifacts/async/llm-test/output/", "s3://llm-test-artifacts/async/llm-test/failures/"]
    async_topic_arns            = ["arn:aws:sns:us-east-1:123456789012:llm-test-async-success", "arn:aws:sns:us-east-1:123456789012:llm-test-async-error"]
    async_topic_kms_key_aliases = ["llm-test"]
  }

  assert {
    condition = one([
      for s in jsondecode(data.aws_iam_policy_document.permissions.json).Statement : s if s.Sid == "ReadAsyncRequests"
      ]) == {
      Sid      = "ReadAsyncRequests"
      Effect   = "Allow"
      Action   = "s3:GetObject"
      Resource = "arn:aws:s3:::llm-test-artifacts/async/llm-test/input/*"
    }
    error_message = "SageMaker reads requests from the input prefix only"
  }
  assert {
    condition = toset(one([
      for s in jsondecode(data.aws_iam_policy_document.permissions.json).Statement : s.Resource if s.Sid == "WriteAsyncResults"
      ])) == toset([
      "arn:aws:s3:::llm-test-artifacts/async/llm-test/output/*",
      "arn:aws:s3:::llm-test-artifacts/async/llm-test/failures/*",
    ]) && one([for s in jsondecode(data.aws_iam_policy_document.permissions.json).Statement : s.Action if s.Sid == "WriteAsyncResults"]) == "s3:PutObject"
    error_message = "results and failures are written under their two prefixes only, and only written"
  }
  assert {
    condition = one([
      for s in jsondecode(data.aws_iam_policy_document.permissions.json).Statement : s if s.Sid == "PublishAsyncNotifications"
      ]) == {
      Sid      = "PublishAsyncNotifications"
      Effect   = "Allow"
      Action   = "sns:Publish"
      Resource = ["arn:aws:sns:us-east-1:123456789012:llm-test-async-success", "arn:aws:sns:us-east-1:123456789012:llm-test-async-error"]
    }
    error_message = "the role publishes to exactly the two notification topics"
  }
  assert {
    condition = one([
      for s in jsondecode(data.aws_iam_policy_document.permissions.json).Statement : s.Condition if s.Sid == "EncryptAsyncNotifications"
      ]) == {
      "ForAnyValue:StringEquals" = { "kms:ResourceAliases" = "alias/llm-test" }
      StringEquals               = { "kms:ViaService" = "sns.us-east-1.amazonaws.com" }
    }
    error_message = "the topics' key is used through SNS only"
  }
  assert {
    condition = toset(one([
      for s in jsondecode(data.aws_iam_policy_document.permissions.json).Statement : s.Action if s.Sid == "UseArtifactKeysByAlias"
    ])) == toset(["kms:Decrypt", "kms:GenerateDataKey"])
    error_message = "writing results to the SSE-KMS bucket needs GenerateDataKey"
  }
}

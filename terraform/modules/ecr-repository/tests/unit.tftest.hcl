mock_provider "aws" {}

variables {
  name        = "llm-test/service"
  kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
}

run "immutable_scanned_encrypted" {
  command = apply

  assert {
    condition     = aws_ecr_repository.this.image_tag_mutability == "IMMUTABLE"
    error_message = "tags are immutable"
  }
  assert {
    condition     = aws_ecr_repository.this.image_scanning_configuration[0].scan_on_push
    error_message = "images are scanned on push"
  }
  assert {
    condition = (
      aws_ecr_repository.this.encryption_configuration[0].encryption_type == "KMS" &&
      aws_ecr_repository.this.encryption_configuration[0].kms_key == var.kms_key_arn
    )
    error_message = "images are encrypted with the given key"
  }
  assert {
    condition     = !aws_ecr_repository.this.force_delete
    error_message = "a repository holding images is not deleted by default"
  }
  assert {
    condition     = [for rule in jsondecode(aws_ecr_lifecycle_policy.this.policy).rules : rule.selection.countNumber] == [7, 30]
    error_message = "untagged images expire after 7 days; the newest 30 images are kept"
  }
}

output "state_bucket" {
  description = "The state bucket: `bucket` in each env's backend.hcl."
  value       = aws_s3_bucket.state.id
}

output "plan_role_arn" {
  description = "Repository variable AWS_PLAN_ROLE_ARN."
  value       = aws_iam_role.deployer["plan"].arn
}

output "apply_role_arn" {
  description = "Repository variable AWS_APPLY_ROLE_ARN (trusted for the apply environment only)."
  value       = aws_iam_role.deployer["apply"].arn
}

output "backend_hcl" {
  description = "terraform/envs/dev/backend.hcl (and the repository variable TF_BACKEND_HCL)."
  value       = <<-EOT
    bucket       = "${aws_s3_bucket.state.id}"
    key          = "sagemaker-llm-stack/dev/terraform.tfstate"
    region       = "${var.region}"
    encrypt      = true
    kms_key_id   = "${aws_kms_key.state.arn}"
    use_lockfile = true
  EOT
}

output "bucket_name" {
  description = "Bucket name."
  value       = aws_s3_bucket.this.bucket
}

output "bucket_arn" {
  description = "Bucket ARN."
  value       = aws_s3_bucket.this.arn
}

output "models_s3_uri" {
  description = "Where to stage uncompressed weights: s3://<bucket>/models/ (use a sub-prefix per model)."
  value       = "s3://${aws_s3_bucket.this.bucket}/models/"
}

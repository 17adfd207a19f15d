output "dashboard_name" {
  description = "Dashboard name (the endpoint's)."
  value       = aws_cloudwatch_dashboard.this.dashboard_name
}

output "dashboard_url" {
  description = "Console URL of the dashboard (`make dashboard` prints it)."
  value       = "https://${var.region}.console.aws.amazon.com/cloudwatch/home?region=${var.region}#dashboards/dashboard/${var.endpoint_name}"
}

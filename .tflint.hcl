# `make tflint`: tflint's bundled Terraform ruleset, every rule (preset "all"). Not part of `make test`: see
# docs/terraform.md ("tflint"). The AWS ruleset is not served from this machine's registries.
config {
  call_module_type = "local"
}

plugin "terraform" {
  enabled = true
  preset  = "all"
}

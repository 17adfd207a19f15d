terraform {
  required_version = ">= 1.10" # S3-native state locking (use_lockfile) for the envs that use this bucket

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 7.0"
    }
  }

  # Local state on the first apply; then move it into the bucket it created (docs/bootstrap.md, two commands).
}

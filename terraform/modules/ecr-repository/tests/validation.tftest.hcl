mock_provider "aws" {}

variables {
  name        = "llm-test/service"
  kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
}

run "uppercase_name" {
  command = plan
  variables {
    name = "LLM/Service"
  }
  expect_failures = [var.name]
}

run "key_alias_instead_of_arn" {
  command = plan
  variables {
    kms_key_arn = "alias/llm"
  }
  expect_failures = [var.kms_key_arn]
}

run "keep_zero_images" {
  command = plan
  variables {
    tagged_images_to_keep = 0
  }
  expect_failures = [var.tagged_images_to_keep]
}

run "untagged_expiry_too_long" {
  command = plan
  variables {
    untagged_image_expiry_days = 400
  }
  expect_failures = [var.untagged_image_expiry_days]
}

run "name_too_short" {
  command = plan
  variables {
    name = "a"
  }
  expect_failures = [var.name]
}

run "name_too_long" {
  command = plan
  variables {
    name = join("", [for i in range(257) : "a"])
  }
  expect_failures = [var.name]
}

run "keep_too_many_images" {
  command = plan
  variables {
    tagged_images_to_keep = 1001
  }
  expect_failures = [var.tagged_images_to_keep]
}

run "keep_half_an_image" {
  command = plan
  variables {
    tagged_images_to_keep = 2.5
  }
  expect_failures = [var.tagged_images_to_keep]
}

run "untagged_expiry_zero" {
  command = plan
  variables {
    untagged_image_expiry_days = 0
  }
  expect_failures = [var.untagged_image_expiry_days]
}

run "untagged_expiry_not_whole" {
  command = plan
  variables {
    untagged_image_expiry_days = 1.5
  }
  expect_failures = [var.untagged_image_expiry_days]
}

"""A local AWS control plane: moto on 127.0.0.1, taught what the `local` Terraform environment needs."""

"""Run Terraform for an environment root through python-terraform; Terraform's own output reaches the user verbatim.

Offline machines: when a provider mirror exists (TF_PLUGIN_MIRROR, else /opt/tf-plugins) and the user has no CLI
configuration of their own, a CLI configuration that installs providers from that mirror is written under .local/
and used for every call. Users with registry access and no mirror are unaffected.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .errors import LlmctlError

DEFAULT_MIRROR = Path("/opt/tf-plugins")
PLAN_FILE = "llm.tfplan"
PLAN_JSON = "llm.tfplan.json"
QUOTAS_JSON = "llm.quotas.json"  # the endpoint quotas `llmctl tf plan` read: `llmctl plan-review --quotas`
# Beside a plan made with --offline: `llmctl tf apply` refuses it (fake keys, a throwaway state).
OFFLINE_PLAN_MARKER = "llm.tfplan.offline"
TFVARS = "llm.auto.tfvars.json"
OFFLINE_DATA_DIR = ".terraform-offline"
OFFLINE_OVERRIDE = "llmctl_offline_override.tf"
OFFLINE_ACCOUNT_ID = "123456789012"


def mirror_dir() -> Path | None:
    configured = os.environ.get("TF_PLUGIN_MIRROR")
    if configured:
        path = Path(configured)
        if not path.is_dir():
            raise LlmctlError(f"TF_PLUGIN_MIRROR={configured} is not a directory; unset it or point it at a mirror.")
        return path
    return DEFAULT_MIRROR if DEFAULT_MIRROR.is_dir() else None


def _mirrored_providers(mirror: Path) -> list[str]:
    # Mirror layout: <hostname>/<namespace>/<type>/<version>/<os_arch>/
    return sorted("/".join(path.relative_to(mirror).parts) for path in mirror.glob("*/*/*") if path.is_dir())


def cli_config_text(mirror: Path) -> str:
    providers = json.dumps(_mirrored_providers(mirror))
    return (
        "# Written by llmctl: install providers from the local mirror; the registry is not reachable here.\n"
        "provider_installation {\n"
        f'  filesystem_mirror {{\n    path    = "{mirror}"\n    include = {providers}\n  }}\n'
        f"  direct {{\n    exclude = {providers}\n  }}\n"
        "}\n"
    )


def terraform_env(state_dir: Path) -> dict[str, str]:
    """Environment for Terraform: non-interactive, and the mirror CLI configuration when one is needed."""
    env = {"TF_IN_AUTOMATION": "1", "TF_INPUT": "0"}
    user_config = os.environ.get("TF_CLI_CONFIG_FILE")
    if user_config and Path(user_config).is_file():
        return env
    mirror = mirror_dir()
    if mirror is None:
        return env
    state_dir.mkdir(parents=True, exist_ok=True)
    config = state_dir / "terraform.rc"
    config.write_text(cli_config_text(mirror))
    env["TF_CLI_CONFIG_FILE"] = str(config.resolve())
    return env


@contextmanager
def patched_environ(values: Mapping[str, str]) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class TerraformRoot:
    """One environment root (terraform/envs/<env>)."""

    def __init__(self, directory: Path, state_dir: Path, env: Mapping[str, str] | None = None) -> None:
        if not directory.is_dir():
            raise LlmctlError(f"{directory} is not a Terraform root; pass --env dev|local or --dir DIR.")
        self.directory = directory
        self.env = {**terraform_env(state_dir), **(env or {})}

    def run(self, command: str, *args: str, capture: bool = False, **options: Any) -> str:
        """Run one Terraform command; non-zero exit raises with Terraform's exit code (its error is already shown)."""
        from python_terraform import Terraform

        tf = Terraform(working_dir=str(self.directory))
        # Colour for a person at a terminal, plain text in CI logs and pipes.
        options.setdefault("no_color", None if sys.stdout.isatty() else flag())
        with patched_environ(self.env):
            try:
                code, out, err = tf.cmd(command, *args, capture_output=capture, **options)
            except FileNotFoundError:
                raise LlmctlError("terraform is not on PATH; install Terraform >= 1.9.") from None
        if code != 0:
            if capture and err:
                click_echo_err(err)
            raise LlmctlError(
                f"terraform {command} failed in {self.directory} (exit {code}); see its message above.", code
            )
        return out or ""

    def outputs(self) -> dict[str, Any]:
        text = self.run("output", capture=True, json=flag())
        return {key: value["value"] for key, value in json.loads(text or "{}").items()}

    def has_backend_block(self) -> bool:
        return any('backend "' in path.read_text() for path in self.directory.glob("*.tf"))


def flag() -> Any:
    """python-terraform's marker for a bare flag (`-json`, `-reconfigure`, `-auto-approve`)."""
    from python_terraform import IsFlagged

    return IsFlagged


def click_echo_err(text: str) -> None:
    import click

    click.echo(text.rstrip(), err=True)


def offline_override(account_id: str) -> str:
    """Override file for reviewing a plan with no AWS access: local state, fake keys, no STS call."""
    return (
        "# Written by `llmctl tf plan --offline` and removed after the plan: review without AWS credentials.\n"
        'terraform {\n  backend "local" {}\n}\n\n'
        'provider "aws" {\n'
        '  access_key                  = "offline-review"\n'
        '  secret_key                  = "offline-review"\n'
        "  skip_credentials_validation = true\n"
        "  skip_requesting_account_id  = true\n"
        "  skip_metadata_api_check     = true\n"
        "}\n\n"
        'data "aws_caller_identity" "current" {\n  count = 0\n}\n\n'
        f'locals {{\n  account_id = "{account_id}"\n}}\n'
    )

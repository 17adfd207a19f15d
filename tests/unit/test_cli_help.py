"""Every llmctl command answers --help with at least one example (the house rule for operator commands)."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner
from llmctl.cli import _COMMANDS, cli


def _paths() -> list[list[str]]:
    paths = []
    for name in _COMMANDS:
        command = cli.get_command(click.Context(cli), name)
        assert command is not None, name
        if isinstance(command, click.Group):
            paths += [[name, sub] for sub in command.list_commands(click.Context(command))]
        else:
            paths.append([name])
    return paths


@pytest.mark.parametrize("path", _paths(), ids=" ".join)
def test_help_has_an_example(path: list[str]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example" in result.output, f"llmctl {' '.join(path)} --help shows no example"


def test_render_does_not_load_boto3_or_the_sagemaker_sdk() -> None:
    """README: subcommands are imported when they run, so `llmctl render` pays for neither."""
    import subprocess
    import sys

    code = (
        "import sys; from llmctl.cli import cli\n"
        "try:\n"
        "    cli(['render', 'Qwen/Qwen2.5-7B-Instruct', '-i', 'ml.g6.xlarge', '--format', 'env'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'boto3', 'botocore', 'sagemaker'}))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "HF_MODEL_ID=Qwen/Qwen2.5-7B-Instruct" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "[]"

"""The one rule for what counts as a secret in a container environment.

catalog/secret_rules.json is a link to terraform/modules/llm-endpoint/secret_rules.json, which the module's
container_env validation reads too: render, `llmctl check`, plan-review's masking and Terraform share one definition.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

MASK = "(secret, masked)"


@dataclass(frozen=True)
class SecretRule:
    key: re.Pattern[str]
    values: tuple[tuple[str, re.Pattern[str]], ...]  # (what it looks like, pattern)


@cache
def rule() -> SecretRule:
    data = json.loads((resources.files("llmctl") / "catalog" / "secret_rules.json").read_text())
    # Terraform's RE2 and Python's re read these patterns alike: (?i) inline flags, classes, anchors, repetitions.
    return SecretRule(
        key=re.compile(data["key_pattern"]),
        values=tuple((item["name"], re.compile(item["pattern"])) for item in data["value_patterns"]),
    )


def why_secret(key: str, value: str) -> str | None:
    """What makes KEY=VALUE look like a secret (key name or value shape), or None."""
    r = rule()
    if r.key.search(key):
        return f"{key} is named like a token, password or key"
    for name, pattern in r.values:
        if pattern.search(value):
            return f"{key}'s value looks like {name}"
    return None


def secret_problems(env: Mapping[str, str]) -> list[str]:
    """One sentence per secret-looking variable; never quotes the value."""
    return [
        f"{reason}: a container variable is stored in plain text in the model, DescribeModel and Terraform state; "
        "stage gated weights in S3 (--model-s3-uri) or read the secret at run time from Secrets Manager instead."
        for key, value in sorted(env.items())
        if (reason := why_secret(key, value)) is not None
    ]


def masked(env: Mapping[str, str]) -> dict[str, str]:
    """The environment with every value the rule flags replaced by MASK (for reviews and logs)."""
    return {key: MASK if why_secret(key, str(value)) else value for key, value in env.items()}

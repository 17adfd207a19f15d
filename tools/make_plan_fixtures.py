"""Regenerate tests/fixtures/plans/*.json: real `terraform plan` JSON of terraform/envs/local against the local
control plane (moto), for the plan-review golden tests. Nothing here is hand-written; each scenario edits a private
copy of the repository's Terraform or tfvars the way a pull request would, then plans.

    python tools/make_plan_fixtures.py            # ~3 minutes: one apply, then ten plans

Scenarios: first-deploy (empty state), no-op, env-change (one container variable), instance-type (Llama-3.1-8B from
ml.g5.2xlarge to ml.g6e.2xlarge, re-rendered), autoscaling (1..3 → 2..6), iam-widening (the execution role's image
pull statement widened to ecr:* on *), disable-encryption (the bucket's SSE-KMS and the repository's KMS downgraded to
AES256, the log group's key removed), public-access (a public access block relaxed and a bucket policy statement for
Principal *), async (the model rendered with --async, min_capacity 0), replace-endpoint (rollback_on_alarms turned
off in settings.auto.tfvars: the provider forces a new endpoint), destroy (plan -destroy: the bucket, repository and
key go).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "fixtures" / "plans"
MODEL = "meta-llama/Llama-3.1-8B-Instruct"
KEEP = ("format_version", "terraform_version", "resource_changes", "output_changes", "planned_values", "checks")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _llmctl(args: list[str], cwd: Path, env: dict[str, str]) -> None:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "llmctl"), *args],
        cwd=cwd,
        env=env,
        text=True,
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"llmctl {' '.join(args)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")


def _trimmed(plan: dict[str, Any]) -> dict[str, Any]:
    """What a review reads; prior state, configuration and the timestamp are left out to keep fixtures small."""
    kept = {key: plan[key] for key in KEEP if key in plan}
    kept["planned_values"] = {"outputs": plan.get("planned_values", {}).get("outputs", {})}
    return kept


def _save(root: Path, name: str) -> None:
    plan = json.loads((root / "llm.tfplan.json").read_text())
    (OUT / f"{name}.json").write_text(json.dumps(_trimmed(plan), indent=1, sort_keys=True) + "\n")
    print(f"wrote {OUT / name}.json ({len(plan['resource_changes'])} resource changes)", flush=True)


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        shutil.copytree(
            ROOT / "terraform",
            tmp / "terraform",
            symlinks=True,
            ignore=shutil.ignore_patterns(
                ".terraform*", "*.tfstate*", "*.tfplan*", "*.auto.tfvars.json", "*_override.tf"
            ),
        )
        root = tmp / "terraform" / "envs" / "local"
        # Plans of the stack as every other environment runs it: with the TLS-only bucket policy, which the local env
        # drops only because its control plane speaks plain HTTP (no object is read or written here).
        main_tf = root / "main.tf"
        assert "artifacts_tls_only = false" in main_tf.read_text(), "the local env's TLS setting moved; update this"
        main_tf.write_text(main_tf.read_text().replace("artifacts_tls_only = false", "artifacts_tls_only = true"))
        port, runtime_port = str(_free_port()), str(_free_port())
        aws = f"http://127.0.0.1:{port}"
        env = {**os.environ, "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local", "AWS_REGION": "us-east-1"}
        _llmctl(["local", "up", "--port", port, "--runtime-port", runtime_port], tmp, env)
        plan = ["tf", "plan", "--env", "local", "--dir", str(root), "--aws-endpoint-url", aws]
        tfvars = root / "llm.auto.tfvars.json"

        def render(instance: str) -> None:
            _llmctl(["render", MODEL, "-i", instance, "--format", "tfvars", "--out", str(tfvars)], tmp, env)

        try:
            render("ml.g5.2xlarge")
            _llmctl(plan, tmp, env)
            _save(root, "first-deploy")
            _llmctl(["tf", "apply", "--env", "local", "--dir", str(root), "--no-smoke"], tmp, env)
            _llmctl(plan, tmp, env)
            _save(root, "no-op")

            original = tfvars.read_text()
            data = json.loads(original)
            data["container_env"]["MAX_BATCH_PREFILL_TOKENS"] = "8192"  # a valid edit: llmctl check runs first
            tfvars.write_text(json.dumps(data))
            _llmctl(plan, tmp, env)
            _save(root, "env-change")

            render("ml.g6e.2xlarge")
            _llmctl(plan, tmp, env)
            _save(root, "instance-type")
            tfvars.write_text(original)

            settings_file = root / "settings.auto.tfvars"  # where a team changes bounds (docs/tfvars.md)
            settings = settings_file.read_text()
            scaled = settings.replace("min_capacity = 1\n  max_capacity = 3", "min_capacity = 2\n  max_capacity = 6")
            assert scaled != settings, "the local env's autoscaling settings moved; update this scenario"
            settings_file.write_text(scaled)
            _llmctl(plan, tmp, env)
            _save(root, "autoscaling")

            # Issue 19: the same model rendered as an asynchronous endpoint that scales to zero.
            _llmctl(
                ["render", MODEL, "-i", "ml.g5.2xlarge", "--async", "--format", "tfvars", "--out", str(tfvars)],
                tmp,
                env,
            )
            settings_file.write_text(settings.replace("min_capacity = 1\n", "min_capacity = 0\n", 1))
            _llmctl(plan, tmp, env)
            _save(root, "async")
            tfvars.write_text(original)
            settings_file.write_text(settings)

            role_tf = tmp / "terraform" / "modules" / "execution-role" / "main.tf"
            role = role_tf.read_text()
            widened = role.replace(
                'actions   = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]\n'
                "    resources = local.repository_arns",
                'actions   = ["ecr:*"]\n    resources = ["*"]',
            )
            assert widened != role, "the execution role's pull statement moved; update this scenario"
            role_tf.write_text(widened)
            _llmctl(plan, tmp, env)
            _save(root, "iam-widening")
            role_tf.write_text(role)

            def edited(path: Path, *replacements: tuple[str, str]) -> str:
                """Apply each replacement to a module file (asserting it matched); returns the original text."""
                original_text = path.read_text()
                text = original_text
                for old, new in replacements:
                    assert old in text, f"{path.name} no longer has {old!r}; update this scenario"
                    text = text.replace(old, new)
                path.write_text(text)
                return original_text

            modules = tmp / "terraform" / "modules"
            weakened = {
                modules / "model-artifacts" / "main.tf": edited(
                    modules / "model-artifacts" / "main.tf",
                    (
                        'sse_algorithm     = "aws:kms"\n      kms_master_key_id = var.kms_key_arn',
                        'sse_algorithm = "AES256"',
                    ),
                ),
                modules / "ecr-repository" / "main.tf": edited(
                    modules / "ecr-repository" / "main.tf",
                    ('encryption_type = "KMS"\n    kms_key         = var.kms_key_arn', 'encryption_type = "AES256"'),
                ),
                modules / "llm-endpoint" / "main.tf": edited(
                    modules / "llm-endpoint" / "main.tf",
                    ("kms_key_id        = var.log_kms_key_arn", "kms_key_id = null"),
                ),
            }
            _llmctl(plan, tmp, env)
            _save(root, "disable-encryption")
            for path, text in weakened.items():
                path.write_text(text)

            artifacts = modules / "model-artifacts" / "main.tf"
            opened = edited(
                artifacts,
                ("block_public_policy     = true", "block_public_policy     = false"),
                (
                    'data "aws_iam_policy_document" "bucket" {\n',
                    'data "aws_iam_policy_document" "bucket" {\n  statement {\n    sid     = "PublicRead"\n'
                    '    actions = ["s3:GetObject"]\n    principals {\n      type        = "*"\n'
                    '      identifiers = ["*"]\n    }\n    resources = ["${local.bucket_arn}/*"]\n  }\n\n',
                ),
            )
            _llmctl(plan, tmp, env)
            _save(root, "public-access")
            artifacts.write_text(opened)

            settings_file.write_text(settings + "\nrollback_on_alarms = false\n")
            _llmctl(plan, tmp, env)
            _save(root, "replace-endpoint")
            settings_file.write_text(settings)

            _llmctl([*plan, "--destroy"], tmp, env)
            _save(root, "destroy")
        finally:
            _llmctl(["local", "down", "--port", port, "--runtime-port", runtime_port], tmp, env)
    return 0


if __name__ == "__main__":
    sys.exit(main())

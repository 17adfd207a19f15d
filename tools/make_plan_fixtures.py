"""Regenerate tests/fixtures/plans/*.json: real `terraform plan` JSON of terraform/envs/local against the local
control plane (moto), for the plan-review golden tests. Nothing here is hand-written; each scenario edits a private
copy of the repository's Terraform or tfvars the way a pull request would, then plans.

    python tools/make_plan_fixtures.py            # ~3 minutes: one apply, then seven plans

Scenarios: first-deploy (empty state), no-op, env-change (one container variable), instance-type (Llama-3.1-8B from
ml.g5.2xlarge to ml.g6e.2xlarge, re-rendered), autoscaling (1..3 → 2..6), iam-widening (the execution role's image
pull statement widened to ecr:* on *), destroy (plan -destroy: the bucket, repository and key go).
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
KEEP = ("format_version", "terraform_version", "resource_changes", "output_changes", "planned_values")


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
            data["container_env"]["MAX_BATCH_PREFILL_TOKENS"] = "4096"
            tfvars.write_text(json.dumps(data))
            _llmctl(plan, tmp, env)
            _save(root, "env-change")

            render("ml.g6e.2xlarge")
            _llmctl(plan, tmp, env)
            _save(root, "instance-type")
            tfvars.write_text(original)

            main_tf = root / "main.tf"
            stack = main_tf.read_text()
            scaled = stack.replace("min_capacity = 1\n    max_capacity = 3", "min_capacity = 2\n    max_capacity = 6")
            assert scaled != stack, "the local env's autoscaling block moved; update this scenario"
            main_tf.write_text(scaled)
            _llmctl(plan, tmp, env)
            _save(root, "autoscaling")
            main_tf.write_text(stack)

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

            _llmctl([*plan, "--destroy"], tmp, env)
            _save(root, "destroy")
        finally:
            _llmctl(["local", "down", "--port", port, "--runtime-port", runtime_port], tmp, env)
    return 0


if __name__ == "__main__":
    sys.exit(main())

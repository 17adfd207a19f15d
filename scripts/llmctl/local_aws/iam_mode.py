"""IAM enforcement in the local control plane, for proving the deployer policies (tests/integration/
test_deployer_policies.py, docs/bootstrap.md). moto enforces IAM when started with INITIAL_NO_AUTH_ACTION_COUNT=N:
after N unauthenticated calls (which create the users and their policies), every call is checked against the
caller's policies. Two additions:

- moto rebuilds each request's SigV4 canonical form with botocore and gets another one than the Go SDK (Terraform's
  AWS provider) signed, so every provider call would be a 403 before its policy is looked at. The signature check is
  off in this mode; the caller is still identified by its access key, and what these runs test is the policy.
- `LLMCTL_ACTION_LOG=<file>` records every authorized call (action, resource, allowed or denied): the list of actions
  a workflow needs, from which the policies were written.
"""

from __future__ import annotations

import os
from typing import Any

ENFORCE_ENV = "INITIAL_NO_AUTH_ACTION_COUNT"
LOG_ENV = "LLMCTL_ACTION_LOG"


def apply() -> None:
    if not os.environ.get(ENFORCE_ENV):
        return
    from moto.iam.access_control import IAMRequestBase

    IAMRequestBase.check_signature = lambda self: None  # type: ignore[method-assign]
    path = os.environ.get(LOG_ENV)
    if not path:
        return
    check = IAMRequestBase.check_action_permitted

    def check_and_record(self: Any, resource: str) -> None:
        try:
            check(self, resource)
        except Exception:
            _write(path, f"{self._action}\t{resource}\tdenied\n")
            raise
        _write(path, f"{self._action}\t{resource}\tallowed\n")

    IAMRequestBase.check_action_permitted = check_and_record  # type: ignore[method-assign]


def _write(path: str, line: str) -> None:
    with open(path, "a", encoding="utf-8") as log:
        log.write(line)

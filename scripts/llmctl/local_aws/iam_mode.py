"""IAM enforcement in the local control plane, for proving the deployer policies (tests/integration/
test_deployer_policies.py, docs/bootstrap.md). moto enforces IAM when started with INITIAL_NO_AUTH_ACTION_COUNT=N:
after N unauthenticated calls (which create the users and their policies), every call is checked against the
caller's policies. Two additions:

- moto rebuilds each request's SigV4 canonical form with botocore and gets another one than the Go SDK (Terraform's
  AWS provider) signed, so every provider call would be a 403 before its policy is looked at. The signature check is
  off in this mode; the caller is still identified by its access key, and what these runs test is the policy.
- S3 answers a read of a missing object with 403 AccessDenied, not 404, when the caller may not s3:ListBucket the
  bucket (S3 documentation, GetObject: "If you don't have the s3:ListBucket permission, Amazon S3 returns an HTTP
  status code 403"). moto always says 404; Terraform's S3 backend reads a state that does not exist yet on its first
  run, which is why the state statements need s3:ListBucket.
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
    _hide_missing_objects_from_non_listers()
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


def _hide_missing_objects_from_non_listers() -> None:
    from moto.s3.exceptions import BucketAccessDeniedError, MissingKey
    from moto.s3.responses import S3Response

    key_response = S3Response._key_response

    def like_aws(self: Any, request: Any, full_url: str) -> Any:
        try:
            response = key_response(self, request, full_url)
        except MissingKey:
            if not _may_list(self, request, full_url):
                raise BucketAccessDeniedError(bucket=self.parse_bucket_name_from_url(request, full_url)) from None
            raise
        if request.method == "HEAD" and response[0] == 404 and not _may_list(self, request, full_url):
            return 403, response[1], ""
        return response

    S3Response._key_response = like_aws  # type: ignore[method-assign]


def _may_list(response: Any, request: Any, full_url: str) -> bool:
    from moto import settings
    from moto.core.authorization import ActionAuthenticatorMixin
    from moto.iam.access_control import S3IAMRequest
    from moto.s3.exceptions import S3ClientError

    if ActionAuthenticatorMixin.request_count < settings.INITIAL_NO_AUTH_ACTION_COUNT:
        return True
    bucket = response.parse_bucket_name_from_url(request, full_url)
    lister = S3IAMRequest(
        account_id=response.current_account,
        method="GET",
        path=f"/{bucket}",
        data={},
        body=b"",
        headers=response.headers,
        action="ListBucket",
    )
    try:
        lister.check_action_permitted(f"arn:aws:s3:::{bucket}")
    except S3ClientError:
        return False
    return True

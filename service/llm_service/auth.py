"""Bearer API keys, compared in constant time. Keys are held as SHA-256 digests, never logged."""

from __future__ import annotations

import hashlib
import hmac


def key_id(key: str) -> str:
    """A stable, non-secret name for a key: used in logs, metrics and concurrency limits."""
    return "key-" + hashlib.sha256(key.encode()).hexdigest()[:10]


class ApiKeys:
    def __init__(self, keys: list[str]) -> None:
        self._digests = [(hashlib.sha256(k.encode()).digest(), key_id(k)) for k in keys]

    def __len__(self) -> int:
        return len(self._digests)

    def identify(self, authorization: str | None) -> str | None:
        """The key id for an `Authorization: Bearer <key>` header, or None."""
        if not authorization:
            return None
        scheme, _, presented = authorization.partition(" ")
        if scheme.lower() != "bearer" or not presented:
            return None
        digest = hashlib.sha256(presented.strip().encode()).digest()
        found = None
        for known, ident in self._digests:  # no early exit: every key is compared
            if hmac.compare_digest(digest, known):
                found = ident
        return found

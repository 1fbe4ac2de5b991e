"""Who may call an endpoint: every handler method declares one `Policy`."""

from __future__ import annotations

import dataclasses

from server import errors
from server.core.principal import ROLES


@dataclasses.dataclass(frozen=True)
class Policy:
    kind: str  # public | user | roles | sync | signed_url
    roles: frozenset[str] = frozenset()

    def check(self, handler) -> None:
        if self.kind in ("public", "sync", "signed_url"):
            # sync requests are verified by their signature in the handler; a signed URL too, and
            # without a valid one the handler applies the logged-in rule itself
            return
        p = handler.principal
        if p is None:
            raise errors.Unauthorized()
        if self.kind == "roles" and not p.roles.intersection(self.roles):
            raise errors.Forbidden()

    def allows(self, roles: frozenset[str] | None) -> bool:
        """For the permission matrix: would a caller with these roles (None = anonymous) pass?"""
        if self.kind in ("public", "sync"):
            return True
        if roles is None:
            return False
        return self.kind in ("user", "signed_url") or bool(roles & self.roles)

    def describe(self) -> str:
        if self.kind == "roles":
            return "roles: " + ", ".join(sorted(self.roles))
        return {"public": "public", "user": "any logged-in user", "sync": "signed PC-side request",
                "signed_url": "a signed URL (exp, sig), or any logged-in user"}[self.kind]


PUBLIC = Policy("public")
LOGGED_IN = Policy("user")
SYNC = Policy("sync")
# GET /api/v1/uploads/{id}: a valid `exp`/`sig` pair, else the Authorization header (API.md v1.1)
SIGNED_URL_OR_LOGGED_IN = Policy("signed_url")


def roles(*names: str) -> Policy:
    unknown = set(names) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {unknown}")
    return Policy("roles", frozenset(names))

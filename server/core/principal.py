"""Who is calling: the roles there are and the caller a session stands for.

The web layer decides from these who may call an endpoint (`server.web.auth_policy`); services take
a `Principal` to reach objects only through the caller's scope.
"""

from __future__ import annotations

import dataclasses

ROLES = ("holder", "window_staff", "reviewer", "venue_staff", "admin", "employer")


@dataclasses.dataclass(frozen=True)
class Principal:
    id: int
    name: str
    roles: frozenset[str]
    org_id: int | None
    session_id: int | None = None

    def has(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

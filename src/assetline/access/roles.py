"""Roles and the permission matrix. One table, read by the API, the UI and the CLI alike.

    admin     everything in the tenant, including users and tokens
    producer  runs campaigns, reviews, bulk-decides, delivers; feeds performance events, manages experiments,
              serves DCO decisions (an ad server's service account is a producer)
    reviewer  reviews (single and bulk), comments
    client    sees only assets that reached review; approves, rejects, requests changes, comments
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from assetline.errors import PermissionDeniedError

Role = Literal["admin", "producer", "reviewer", "client"]
ROLES: tuple[str, ...] = get_args(Role)

Permission = Literal["view", "view_unreviewed", "decide", "bulk_decide", "comment", "start_run", "deliver",
                     "manage_users", "ingest_events", "manage_experiments", "serve_decisions"]

_MATRIX: dict[str, frozenset[str]] = {
    "admin": frozenset(get_args(Permission)),
    "producer": frozenset({"view", "view_unreviewed", "decide", "bulk_decide", "comment", "start_run", "deliver",
                           "ingest_events", "manage_experiments", "serve_decisions"}),
    "reviewer": frozenset({"view", "view_unreviewed", "decide", "bulk_decide", "comment"}),
    "client": frozenset({"view", "decide", "comment"}),
}


@dataclass(frozen=True)
class Actor:
    """The authenticated user behind a request or command."""

    tenant_id: str
    user_id: int | None
    email: str
    role: str
    name: str = ""

    @property
    def label(self) -> str:
        return self.email


def allowed(role: str, permission: Permission) -> bool:
    return permission in _MATRIX.get(role, frozenset())


def require(actor: Actor, permission: Permission) -> None:
    if not allowed(actor.role, permission):
        raise PermissionDeniedError(f"role '{actor.role}' may not {permission.replace('_', ' ')}",
                                    hint="ask an admin of your workspace for a role that allows it")

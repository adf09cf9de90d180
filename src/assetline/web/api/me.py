"""GET /me: who the token belongs to."""

from __future__ import annotations

from typing import get_args

from fastapi import APIRouter

from assetline.access.roles import Permission, allowed
from assetline.web.api.deps import ActorDep
from assetline.web.api.schemas import Me, problems

router = APIRouter(tags=["me"])


@router.get("/me", response_model=Me, responses=problems(), summary="Who am I")
def me(actor: ActorDep) -> Me:
    """The token's user: e-mail, role, tenant and what the role may do."""
    return Me(email=actor.email, name=actor.name, role=actor.role, tenant=actor.tenant_id,
              permissions=[p for p in get_args(Permission) if allowed(actor.role, p)])

"""Per-request dependencies of the JSON API: the bearer-token actor, the review service, typed parameters."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from assetline.access.roles import Actor
from assetline.access.users import authenticate_token
from assetline.errors import AuthError
from assetline.review.service import ReviewService
from assetline.web.api.schemas import ID_PATTERN, MAX_ID
from assetline.web.context import SessionDep, review_service

bearer = HTTPBearer(auto_error=False, description="An API token: `assetline token create EMAIL`.")


def token_actor(session: SessionDep,
                credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Actor:
    """The actor behind ``Authorization: Bearer <token>`` (401 problem otherwise)."""
    if credentials is None:
        raise AuthError("missing bearer token", hint="send 'Authorization: Bearer <token>' (assetline token create)")
    return authenticate_token(session, credentials.credentials)


ActorDep = Annotated[Actor, Depends(token_actor)]


def service(request: Request, session: SessionDep, actor: ActorDep) -> ReviewService:
    return review_service(request, session, actor)


ServiceDep = Annotated[ReviewService, Depends(service)]
AssetId = Annotated[int, Path(ge=1, le=MAX_ID, description="An asset id.")]
Slug = Annotated[str, Path(pattern=ID_PATTERN, max_length=64, description="A campaign id (its slug).")]

"""Per-request dependencies of the pages: the transaction, the signed-in actor, the review service, CSRF.

The session dependency is function-scoped: its transaction commits *before* the response is sent, so a
browser that follows a redirect after a decision always reads the decision.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Query, Request
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from assetline.access.roles import Actor
from assetline.errors import InvalidRequestError
from assetline.review.service import ReviewService
from assetline.web.context import csrf_ok, db_session, review_service, session_actor
from assetline.web.pages.errors import CsrfRejected, LoginRequired

CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"

PageSession = Annotated[Session, Depends(db_session, scope="function")]
Slug = Annotated[str, Path(max_length=64, description="campaign id")]
AssetId = Annotated[int, Path(ge=1, le=2**31 - 1)]
"""Out-of-range ids are 404 pages, not database errors."""
Revision = Annotated[int | None, Query(ge=1, le=100_000)]


def current_actor(request: Request, session: PageSession) -> Actor:
    actor = session_actor(request, session)
    if actor is None:
        raise LoginRequired()
    request.state.actor = actor
    return actor


ActorDep = Annotated[Actor, Depends(current_actor)]


def service(request: Request, session: PageSession, actor: ActorDep) -> ReviewService:
    return review_service(request, session, actor)


ServiceDep = Annotated[ReviewService, Depends(service)]


async def checked_form(request: Request) -> FormData:
    """The posted form, after checking the session's CSRF token (form field ``csrf`` or the htmx header)."""
    try:
        form = await request.form(max_files=0, max_fields=2000)
    except Exception as exc:  # malformed multipart or urlencoded body
        raise InvalidRequestError("the form could not be read") from exc
    submitted = form.get(CSRF_FIELD)
    token = submitted if isinstance(submitted, str) else request.headers.get(CSRF_HEADER)
    if not csrf_ok(request, token):
        raise CsrfRejected()
    return form


FormDep = Annotated[FormData, Depends(checked_form)]


def text(form: FormData, name: str, limit: int = 5000) -> str:
    value = form.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidRequestError(f"'{name}' must be text")
    if len(value) > limit:
        raise InvalidRequestError(f"'{name}' is too long ({limit:,} characters at most)")
    return value


def integer(form: FormData, name: str) -> int:
    raw = text(form, name, 20).strip()
    try:
        return int(raw)
    except ValueError:
        raise InvalidRequestError(f"'{name}' must be a whole number, not '{raw[:20]}'") from None


def integers(form: FormData, name: str, limit: int = 1000) -> list[int]:
    values = form.getlist(name)
    if len(values) > limit:
        raise InvalidRequestError(f"choose at most {limit:,} items")
    out = []
    for v in values:
        if not isinstance(v, str) or not v.strip().isdigit():
            raise InvalidRequestError(f"'{name}' must be asset ids")
        out.append(int(v))
    return out

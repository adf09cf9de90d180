"""Per-app state and per-request dependencies: database session, the acting user, CSRF."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from assetline.access.roles import Actor
from assetline.access.users import actor_of
from assetline.config import Settings
from assetline.experiments.serving import DecisionServer
from assetline.review.service import ReviewService
from assetline.store.blobs import BlobStore
from assetline.store.db import Database
from assetline.store.models import User

SESSION_USER = "uid"
SESSION_CSRF = "csrf"


@dataclass
class AppState:
    settings: Settings
    db: Database
    blobs: BlobStore
    _dco: DecisionServer | None = None

    @property
    def dco(self) -> DecisionServer:
        """The app's in-memory decision server (POST /api/v1/decide), made on first use."""
        if self._dco is None:
            self._dco = DecisionServer(self.db)
        return self._dco

    def close(self) -> None:
        """At shutdown: stop the decision server's thread and write the decisions it still holds."""
        if self._dco is not None:
            self._dco.close()


def state(request: Request) -> AppState:
    return request.app.state.assetline  # type: ignore[no-any-return]


def db_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the handler returns, rolled back when it raises."""
    with state(request).db.session() as session:
        yield session


SessionDep = Annotated[Session, Depends(db_session, scope="function")]
"""scope="function": the transaction commits before the response is sent, so a client that got a 2xx can read
its own write, and a failed commit becomes an error response instead of a lost write after a 200."""


def session_actor(request: Request, session: Session) -> Actor | None:
    """The logged-in user of a browser session, or None."""
    uid = request.session.get(SESSION_USER)
    if not isinstance(uid, int):
        return None
    user = session.get(User, uid)
    if user is None or user.disabled:
        request.session.clear()
        return None
    return actor_of(user)


def csrf_token(request: Request) -> str:
    token = request.session.get(SESSION_CSRF)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[SESSION_CSRF] = token
    return token


def csrf_ok(request: Request, submitted: str | None) -> bool:
    expected = request.session.get(SESSION_CSRF)
    return bool(isinstance(expected, str) and submitted and hmac.compare_digest(expected, submitted))


def review_service(request: Request, session: Session, actor: Actor) -> ReviewService:
    return ReviewService(session, actor, state(request).blobs)


def secret_key(workspace: Path) -> str:
    """The workspace's session-signing key, created on first use (mode 0600)."""
    path = workspace / ".assetline-secret"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    workspace.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key, encoding="utf-8")
    path.chmod(0o600)
    return key

"""Users and API tokens. Tokens are shown once at creation; only their SHA-256 is stored."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from assetline.access.passwords import check_password, hash_password
from assetline.access.roles import ROLES, Actor
from assetline.errors import AuthError, InvalidRequestError, NotFoundError
from assetline.store.models import ApiToken, Event, Tenant, User, utcnow

TOKEN_PREFIX = "al_"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 8


@dataclass(frozen=True)
class NewToken:
    id: int
    token: str
    """The secret, shown once."""
    prefix: str
    user: str


def create_user(session: Session, tenant_id: str, email: str, role: str, name: str = "",
                password: str | None = None) -> User:
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise InvalidRequestError(f"'{email}' is not an e-mail address", hint="write it as name@example.com")
    if role not in ROLES:
        raise InvalidRequestError(f"unknown role '{role}'", hint=f"choose one of: {', '.join(ROLES)}")
    if password is not None and len(password) < MIN_PASSWORD:
        raise InvalidRequestError(f"password too short (minimum {MIN_PASSWORD} characters)")
    if session.scalar(select(User).where(User.email == email)) is not None:
        raise InvalidRequestError(f"a user '{email}' already exists", hint="e-mail addresses are unique")
    if session.get(Tenant, tenant_id) is None:
        session.add(Tenant(id=tenant_id, name=tenant_id))
        session.flush()
    user = User(tenant_id=tenant_id, email=email, name=name or email.split("@")[0], role=role,
                password_hash=hash_password(password) if password else None, disabled=False)
    session.add(user)
    session.flush()
    session.add(Event(tenant_id=tenant_id, kind="user.created", actor="cli", reason=f"{email} as {role}",
                      data={"user_id": user.id, "role": role}))
    return user


def list_users(session: Session, tenant_id: str) -> Sequence[User]:
    return session.scalars(select(User).where(User.tenant_id == tenant_id).order_by(User.email)).all()


def find_user(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise NotFoundError(f"no user '{email}'", hint="create one with `assetline user add EMAIL --role ROLE`")
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(session: Session, email: str, name: str = "") -> NewToken:
    user = find_user(session, email)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(tenant_id=user.tenant_id, user_id=user.id, name=name, prefix=secret[:10],
                   token_hash=_token_hash(secret))
    session.add(row)
    session.flush()
    session.add(Event(tenant_id=user.tenant_id, kind="token.created", actor=user.email,
                      reason=f"token {row.prefix}… '{name}'", data={"token_id": row.id}))
    return NewToken(id=row.id, token=secret, prefix=row.prefix, user=user.email)


def list_tokens(session: Session, tenant_id: str) -> Sequence[ApiToken]:
    return session.scalars(select(ApiToken).where(ApiToken.tenant_id == tenant_id).order_by(ApiToken.id)).all()


def revoke_token(session: Session, tenant_id: str, token_id: int) -> None:
    row = session.scalar(select(ApiToken).where(ApiToken.tenant_id == tenant_id, ApiToken.id == token_id))
    if row is None:
        raise NotFoundError(f"no token {token_id}")
    row.revoked_at = row.revoked_at or utcnow()


def actor_of(user: User) -> Actor:
    """The acting identity of ``user`` (what permission checks and the audit trail use)."""
    return Actor(tenant_id=user.tenant_id, user_id=user.id, email=user.email, role=user.role, name=user.name)


def authenticate_token(session: Session, token: str) -> Actor:
    """The actor behind a bearer token; AuthError for unknown, revoked or disabled."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(token)))
    if row is None or row.revoked_at is not None:
        raise AuthError("invalid or revoked API token", hint="create one with `assetline token create EMAIL`")
    user = session.get(User, row.user_id)
    if user is None or user.disabled:
        raise AuthError("the token's user is disabled")
    row.last_used_at = utcnow()
    return actor_of(user)


def authenticate_password(session: Session, email: str, password: str, source: str = "") -> Actor | None:
    """Check a login and write it to the audit log, success or failure. Returns None on failure (not an
    exception, so the caller commits the audit row before answering 401)."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or user.disabled or not check_password(password, user.password_hash):
        if user is not None:
            session.add(Event(tenant_id=user.tenant_id, kind="auth.login_failed", actor=user.email,
                              reason="wrong password" if not user.disabled else "user disabled",
                              data={"source": source}))
        return None
    session.add(Event(tenant_id=user.tenant_id, kind="auth.login", actor=user.email, reason="signed in",
                      data={"source": source}))
    return actor_of(user)

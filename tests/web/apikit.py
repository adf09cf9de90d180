"""Helpers for the JSON API tests: ApiEnv (one reviewed workspace on one backend: apps, tokens, assets).

Tests that write take their assets from ``ApiEnv.take()``, which never hands out the same asset twice, so
tests stay independent in any order on both backends (the Postgres workspace is shared by the modules).
Tenant globex carries a marker (MARKER) in a comment and a decision note, so a test can check that no
response to an acme token ever contains it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from assetline.access.roles import Actor
from assetline.config import Settings
from assetline.review.service import ReviewService
from assetline.store.db import Database
from assetline.store.models import Asset
from assetline.web.app import create_app
from reviewkit import ReviewWorkspace

MARKER = "GLOBEX-PRIVATE-7f3a"
A, B = "acme", "globex"


@dataclass
class ApiEnv:
    """One reviewed workspace on one backend, with helpers for API tests."""

    ws: ReviewWorkspace
    backend: str
    db_url: str | None
    free: list[int] = field(default_factory=list)
    """acme assets in review that no test has used yet (see take())."""
    b_assets: list[int] = field(default_factory=list)
    _db: Database | None = field(default=None, repr=False)

    def settings(self, tenant: str = A) -> Settings:
        return self.ws.settings(tenant, db_url=self.db_url)

    def app(self) -> FastAPI:
        return create_app(self.settings(), session_secret="test-secret")

    @contextmanager
    def client(self, wrap: Callable[[FastAPI], Any] | None = None) -> Iterator[TestClient]:
        """A client of a fresh app (optionally wrapped in ASGI middleware); its database is closed after."""
        app = self.app()
        try:
            with TestClient(wrap(app) if wrap else app) as client:
                yield client
        finally:
            app.state.assetline.db.dispose()

    def headers(self, tenant: str = A, role: str = "producer") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.ws.tokens[(tenant, role)]}"}

    def database(self) -> Database:
        """The test's own connection to the store (cached; the app under test opens its own)."""
        if self._db is None:
            self._db = Database(self.settings().db_url)
        return self._db

    def take(self, n: int = 1) -> list[int]:
        """``n`` acme assets in review, never handed out before (tests that write use these)."""
        if len(self.free) < n:
            raise RuntimeError("the review workspace ran out of fresh assets: build a bigger one in reviewkit")
        taken, self.free[:] = self.free[:n], self.free[n:]
        return taken

    def set_status(self, asset_id: int, status: str) -> None:
        db = self.database()
        with db.session() as s:
            s.execute(update(Asset).where(Asset.id == asset_id).values(status=status, version=Asset.version + 1))

    def version(self, asset_id: int) -> int:
        db = self.database()
        with db.session() as s:
            v = s.scalar(select(Asset.version).where(Asset.id == asset_id))
        assert v is not None
        return v


def prepare(ws: ReviewWorkspace, db_url: str | None, backend: str) -> ApiEnv:
    """Give globex its private marker and list the assets of each tenant."""
    db = Database(ws.settings(db_url=db_url).db_url)
    with db.session() as s:
        b_ids = list(s.scalars(select(Asset.id).where(Asset.tenant_id == B).order_by(Asset.id)))
        reviewer = Actor(tenant_id=B, user_id=None, email=f"reviewer@{B}.example", role="reviewer")
        svc = ReviewService(s, reviewer)
        svc.comment(b_ids[0], f"{MARKER} comment")
        svc.decide(b_ids[-1], "approve", None, f"{MARKER} note")
        a_ids = list(s.scalars(select(Asset.id).where(Asset.tenant_id == A, Asset.status == "in_review")
                               .order_by(Asset.id)))
    db.dispose()
    return ApiEnv(ws, backend, db_url, free=a_ids, b_assets=b_ids)


def sqlite_copy(template: ApiEnv, target: Path) -> ApiEnv:
    """A private copy of the SQLite workspace (its campaigns pointed at the copied briefs)."""
    ws = template.ws.copy_to(target)  # copy_to also points the stored spec paths at the copied briefs
    return ApiEnv(ws, "sqlite", None, free=list(template.free), b_assets=list(template.b_assets))

"""Helpers for the learning-loop API tests: a private delivered workspace, an app client, token headers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from assetline.store.db import Database
from assetline.store.models import Asset
from assetline.web.app import create_app
from reviewkit import ReviewWorkspace

API = "/api/v1"


@dataclass
class LoopEnv:
    ws: ReviewWorkspace

    def headers(self, tenant: str = "acme", role: str = "producer") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.ws.tokens[(tenant, role)]}"}

    def assets(self, tenant: str = "acme", fmt: str | None = None) -> list[Asset]:
        db = Database(self.ws.settings(tenant).db_url)
        try:
            with db.session() as s:
                query = select(Asset).where(Asset.tenant_id == tenant).order_by(Asset.id)
                if fmt:
                    query = query.where(Asset.format == fmt)
                return list(s.scalars(query))
        finally:
            db.dispose()

    @contextmanager
    def client(self) -> Iterator[TestClient]:
        app = create_app(self.ws.settings("acme"), session_secret="test-secret")
        try:
            with TestClient(app) as client:
                yield client
        finally:
            if app.state.assetline._dco is not None:
                app.state.assetline._dco.close()
            app.state.assetline.db.dispose()


def events(asset_id: int, impressions: int, clicks: int, prefix: str = "e") -> list[dict[str, Any]]:
    """One aggregated impression row and one click row for an asset."""
    out: list[dict[str, Any]] = [{"id": f"{prefix}-{asset_id}-imp", "asset_id": asset_id, "kind": "impression",
                                  "count": impressions}]
    if clicks:
        out.append({"id": f"{prefix}-{asset_id}-clk", "asset_id": asset_id, "kind": "click", "count": clicks})
    return out

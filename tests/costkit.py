"""A delivered workspace with every number the cost report reads set by hand, and the figures it must show.

``arrange(ws)`` takes a private copy of ``delivered_base`` (tests/experimentkit.py: acme's 16 assets from 2
concepts × 2 segments × 2 formats × 2 variants, 8 backgrounds shared by the two segments, all delivered) and
rewrites the rows the report reads:

- every acme artifact's ``seconds``: copy 0.5 s, visual 2.0 s, render 1.0 s;
- one asset gets a regenerated render (QC attempt 1, 3.0 s) as revision 2;
- one asset gets a change request after its approval (a decision with no review entry before it: untimed);
- each asset enters review at BASE and is approved GAPS_MINUTES[i] later; one gap is 10 h (capped at 60 min);
- the campaign was first seen at CREATED; its deliveries are at CREATED + 3 days and + 4 days; asset i's
  ``delivered`` event is at CREATED + (i + 1) h.

EXPECTED holds the figures, worked out by hand from those numbers (not by the code under test).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from assetline.store.db import Database
from assetline.store.models import Artifact, Asset, AssetRevision, Campaign, Decision, Delivery, Event
from reviewkit import ReviewWorkspace

TENANT, SLUG = "acme", "acme-launch"
SECONDS = {"copy": 0.5, "visual": 2.0, "compose": 1.0}
REGEN_SECONDS = 3.0
BASE = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CREATED = BASE - timedelta(days=2)
GAPS_MINUTES = [float(i + 1) for i in range(15)] + [600.0]
"""Minutes from entering review to the approval, per asset (by id); the last one is capped at 60."""
RATES_TOML = """\
[cost]
currency = "EUR"
compute_per_second = 0.01
reviewer_per_hour = 60

[cost.engines."builtin.visual"]
per_call = 0.25
per_second = 0.1

[cost.engines."builtin.copy"]
per_call = 0.002
"""

# Worked out by hand. Renders: 16 × 1.0 s + the regenerated one 3.0 s; copies 16 × 0.5 s; backgrounds 8 × 2.0 s.
_COMPUTE_SECONDS = 16 * 1.0 + 3.0 + 16 * 0.5 + 8 * 2.0                 # 43.0
_VISUAL_ENGINE = 8 * 0.25 + 8 * 2.0 * 0.1                              # 3.6
_COPY_ENGINE = 16 * 0.002                                              # 0.032
_REVIEW_MINUTES = sum(range(1, 16)) + 60.0                             # 180
_TOTAL = _COMPUTE_SECONDS * 0.01 + _VISUAL_ENGINE + _COPY_ENGINE + _REVIEW_MINUTES / 60 * 60
EXPECTED: dict[str, Any] = {
    "assets": 16, "steps": 16 + 8 + 17, "compute_seconds": _COMPUTE_SECONDS,
    "compute_cost": _COMPUTE_SECONDS * 0.01, "engine_cost": _VISUAL_ENGINE + _COPY_ENGINE,
    "review_minutes": _REVIEW_MINUTES, "review_cost": 180.0, "total_cost": _TOTAL, "cost_per_asset": _TOTAL / 16,
    "decisions": 17, "timed_decisions": 16, "capped_decisions": 1, "change_requests": 1, "regenerations": 1,
    "regenerated_assets": 1, "judged_assets": 16, "first_pass_assets": 14, "first_pass_yield": 14 / 16,
    "turnaround_seconds": 3 * 86400.0,
    # per asset: copy 0.5 + half a background 1.0 + render 1.0 = 2.5 s; the regenerated one + 3.0 s
    "asset_seconds": 2.5, "regenerated_asset_seconds": 5.5,
    "asset_engine_cost": 0.002 + (0.25 + 2.0 * 0.1) / 2,               # 0.227
    # review minutes over assets: 1..15 and 60 → median 8.5; per-asset turnaround 1..16 h → p50 8.5 h, p90 14.5 h
    "review_p50": 8.5, "turnaround_p50": 8.5 * 3600, "turnaround_p90": 14.5 * 3600,
    "engines": {"builtin.visual": {"calls": 8, "seconds": 16.0, "engine_cost": 3.6},
                "builtin.copy": {"calls": 16, "seconds": 8.0, "engine_cost": 0.032},
                "builtin.compose": {"calls": 17, "seconds": 19.0, "engine_cost": 0.0}},
}


@dataclass(frozen=True)
class Arranged:
    ws: ReviewWorkspace
    asset_ids: list[int]
    regenerated: int
    changed: int
    capped: int


def arrange(ws: ReviewWorkspace) -> Arranged:
    """Rewrite ``ws`` (a private copy of delivered_base) as the module docstring says."""
    db = Database(ws.settings(TENANT).db_url)
    try:
        with db.session() as s:
            campaign = s.scalar(select(Campaign).where(Campaign.tenant_id == TENANT, Campaign.slug == SLUG))
            assert campaign is not None
            campaign.created_at = CREATED
            for art in s.scalars(select(Artifact).where(Artifact.tenant_id == TENANT)):
                art.meta = {**art.meta, "seconds": SECONDS[art.step]}
            ids = list(s.scalars(select(Asset.id).where(Asset.tenant_id == TENANT).order_by(Asset.id)))
            assert len(ids) == 16
            regenerated, changed, capped = ids[3], ids[5], ids[-1]
            _regenerate(s, regenerated)
            for i, asset_id in enumerate(ids):
                s.execute(update(Event).where(Event.tenant_id == TENANT, Event.asset_id == asset_id,
                                              Event.kind == "asset.state", Event.to_status == "in_review")
                          .values(created_at=BASE))
                s.execute(update(Decision).where(Decision.tenant_id == TENANT, Decision.asset_id == asset_id)
                          .values(created_at=BASE + timedelta(minutes=GAPS_MINUTES[i])))
                s.execute(update(Event).where(Event.tenant_id == TENANT, Event.asset_id == asset_id,
                                              Event.kind == "asset.state", Event.to_status == "delivered")
                          .values(created_at=CREATED + timedelta(hours=i + 1)))
            s.add(Decision(tenant_id=TENANT, asset_id=changed, revision=1, actor="client@acme.example",
                           role="client", decision="request_changes", note="warmer",
                           created_at=BASE + timedelta(days=1)))
            deliveries = list(s.scalars(select(Delivery).where(Delivery.tenant_id == TENANT).order_by(Delivery.id)))
            assert len(deliveries) == 2
            deliveries[0].created_at = CREATED + timedelta(days=4)
            deliveries[1].created_at = CREATED + timedelta(days=3)
    finally:
        db.dispose()
    return Arranged(ws, ids, regenerated, changed, capped)


def _regenerate(s: Any, asset_id: int) -> None:
    """A second render of ``asset_id``: attempt 1 after a blocking QC failure, same copy and background."""
    asset = s.get(Asset, asset_id)
    first = s.get(Artifact, asset.artifact_id)
    lineage = dict(first.meta["lineage"])
    lineage["params"] = {**lineage["params"], "attempt": 1}
    again = Artifact(tenant_id=TENANT, content_key="f" * 64, step="compose", engine_id=first.engine_id,
                     engine_version=first.engine_version, blob_sha=first.blob_sha, media_type=first.media_type,
                     size=first.size, meta={**first.meta, "lineage": lineage, "seconds": REGEN_SECONDS})
    s.add(again)
    s.flush()
    s.add(AssetRevision(tenant_id=TENANT, asset_id=asset_id, revision=2, artifact_id=again.id,
                        content_key=again.content_key, reason="regenerated after a blocking QC failure (attempt 2)"))

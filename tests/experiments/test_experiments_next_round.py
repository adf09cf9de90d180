"""The next round's brief: winners kept, clear losers dropped (only with enough data), a loadable file,
no clobbering."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from assetline.errors import InvalidRequestError, NotFoundError
from assetline.experiments.attributes import AssetAttributes, campaign_attributes
from assetline.experiments.ingest import PerfEvent, ingest
from assetline.experiments.next_round import next_id, next_round
from assetline.spec.loader import load_campaign
from assetline.store.db import Database
from assetline.store.models import Campaign
from reviewkit import ReviewWorkspace

SLUG = "acme-launch"


@pytest.fixture
def ws(delivered_base: ReviewWorkspace, tmp_path: Path) -> ReviewWorkspace:
    return delivered_base.copy_to(tmp_path / "ws")


@pytest.fixture
def session(ws: ReviewWorkspace) -> Iterator[Session]:
    db = Database(ws.settings().db_url)
    try:
        with db.session() as s:
            yield s
    finally:
        db.dispose()


def spec_path(s: Session) -> Path:
    return Path(s.scalar(select(Campaign.spec_path).where(Campaign.tenant_id == "acme", Campaign.slug == SLUG)))


def feed(s: Session, rate: Callable[[AssetAttributes], float], impressions: int = 3000) -> None:
    rng = np.random.default_rng(3)
    cid = int(s.scalar(select(Campaign.id).where(Campaign.tenant_id == "acme", Campaign.slug == SLUG)))
    events: list[PerfEvent] = []
    for a in campaign_attributes(s, "acme", cid).values():
        clicks = int(rng.binomial(impressions, rate(a)))
        events += [PerfEvent(f"i-{a.asset_id}", a.asset_id, "impression", count=impressions),
                   PerfEvent(f"c-{a.asset_id}", a.asset_id, "click", count=max(clicks, 1))]
    ingest(s, "acme", events)


def test_keeps_the_winning_layout_and_drops_the_clear_losers(session: Session, tmp_path: Path) -> None:
    feed(session, lambda a: 0.06 if a.layout == "hero" else 0.02)
    original = spec_path(session).read_text(encoding="utf-8")
    out = tmp_path / "round2" / "brief.yaml"
    result = next_round(session, "acme", SLUG, out)
    assert result.new_id == "acme-launch-r2" and result.round == 2
    loaded = load_campaign(out)  # the project's own loader accepts it, brand kit and all
    spec = loaded.campaign
    assert spec.id == "acme-launch-r2"
    assert loaded.brand.path == load_campaign(spec_path(session)).brand.path
    layouts = {c.id: c.layouts for c in spec.concepts}
    assert layouts == {"morning-launch": ["hero"], "lift-off": ["hero"]}  # split and product lost
    assert [c.id for c in spec.concepts] == ["morning-launch", "lift-off"]  # no concept is a clear loser
    assert spec.variants == 3
    kinds = [c.kind for c in result.changes]
    assert kinds.count("drop_layout") == 2 and "lead_layout" in kinds
    text = out.read_text(encoding="utf-8")
    header = text.split("\nid:", 1)[0]
    assert "dropped layout 'split' of concept 'morning-launch'" in header
    assert "P(best) < 0.01" in header and "impressions" in header
    # comments of the original are kept, and the original is untouched
    assert "# QC gates: every check's failure blocks" in text
    assert spec_path(session).read_text(encoding="utf-8") == original
    assert result.to_dict()["out"] == str(out)


def test_drops_a_losing_concept_but_never_everything(session: Session, tmp_path: Path) -> None:
    feed(session, lambda a: 0.07 if a.concept == "morning-launch" else 0.01)
    result = next_round(session, "acme", SLUG, tmp_path / "r2.yaml")
    spec = load_campaign(tmp_path / "r2.yaml").campaign
    assert [c.id for c in spec.concepts] == ["morning-launch"]
    dropped = [c for c in result.changes if c.kind == "drop_concept"]
    assert len(dropped) == 1 and "lift-off" in dropped[0].detail and "P(best)" in dropped[0].evidence


def test_the_losing_headline_template_is_dropped_within_its_concept(session: Session, tmp_path: Path) -> None:
    # lift-off sits at morning-launch's pooled rate (2 of its 8 assets have the winning headline): no concept loses
    feed(session, lambda a: 0.0425 if a.concept == "lift-off"
         else 0.08 if a.headline == "Every great day starts with a launch" else 0.03)
    next_round(session, "acme", SLUG, tmp_path / "r2.yaml")
    spec = load_campaign(tmp_path / "r2.yaml").campaign
    morning = next(c for c in spec.concepts if c.id == "morning-launch")
    assert morning.copy_.headline == ["Every great day starts with a launch"]
    lift = next(c for c in spec.concepts if c.id == "lift-off")
    assert len(lift.copy_.headline) == 2  # nothing separates its two headlines


def test_too_little_data_changes_nothing_but_the_id(session: Session, tmp_path: Path) -> None:
    feed(session, lambda a: 0.5 if a.layout == "hero" else 0.1, impressions=15)
    result = next_round(session, "acme", SLUG, tmp_path / "r2.yaml")
    assert [c.kind for c in result.changes] == ["new_id"]
    before = load_campaign(spec_path(session)).campaign
    after = load_campaign(tmp_path / "r2.yaml").campaign
    assert after.variants == before.variants
    assert [c.layouts for c in after.concepts] == [c.layouts for c in before.concepts]


def test_no_data_still_writes_a_loadable_brief(session: Session, tmp_path: Path) -> None:
    result = next_round(session, "acme", SLUG, tmp_path / "r2.yaml")
    assert result.warnings and "no performance data" in result.warnings[0]
    assert load_campaign(tmp_path / "r2.yaml").campaign.id == "acme-launch-r2"


def test_refuses_to_overwrite_without_force(session: Session, tmp_path: Path) -> None:
    out = tmp_path / "r2.yaml"
    out.write_text("keep me", encoding="utf-8")
    with pytest.raises(InvalidRequestError, match="exists"):
        next_round(session, "acme", SLUG, out)
    assert out.read_text(encoding="utf-8") == "keep me"
    next_round(session, "acme", SLUG, out, force=True)
    assert load_campaign(out).campaign.id == "acme-launch-r2"
    assert not list(tmp_path.glob(".r2.yaml.*"))  # no temporary file left behind
    with pytest.raises(InvalidRequestError, match="own brief"):
        next_round(session, "acme", SLUG, spec_path(session), force=True)


def test_bad_input(session: Session, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        next_round(session, "acme", "no-such-campaign", tmp_path / "x.yaml")
    with pytest.raises(NotFoundError):
        next_round(session, "acme", "globex-launch", tmp_path / "x.yaml")
    with pytest.raises(InvalidRequestError, match="unknown metric"):
        next_round(session, "acme", SLUG, tmp_path / "x.yaml", metric="roas")
    assert not (tmp_path / "x.yaml").exists()


def test_round_ids() -> None:
    assert next_id("launch", set()) == ("launch-r2", 2)
    assert next_id("launch-r2", set()) == ("launch-r3", 3)
    assert next_id("launch", {"launch-r2", "launch-r3"}) == ("launch-r4", 4)
    long = "x" * 64
    new, _ = next_id(long, set())
    assert len(new) == 64 and new.endswith("-r2")

"""Attribute insights: attributes read from lineage, pooled counts, Beta intervals, P(best), winners, errors.

Counts are ingested into a private copy of the delivered workspace (acme-launch: 16 assets; layouts hero, split
and product; 2 concepts × 2 segments × 2 formats × 2 variants), then checked against scipy computed here.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from scipy import stats as scipy_stats
from sqlalchemy import select
from sqlalchemy.orm import Session

from assetline.errors import InvalidRequestError, NotFoundError
from assetline.experiments.attributes import campaign_attributes
from assetline.experiments.ingest import PerfEvent, ingest
from assetline.experiments.insights import campaign_insights, probability_best
from assetline.experiments.plots import forest_png, truncate
from assetline.provenance.lineage import build_lineage
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


def campaign_id(s: Session, tenant: str = "acme") -> int:
    return int(s.scalar(select(Campaign.id).where(Campaign.tenant_id == tenant)))


def feed(s: Session, rate: Callable[[object], float], impressions: int = 2000, prefix: str = "e",
         seed: int = 1) -> dict[int, tuple[int, int]]:
    """Ingest ``impressions`` and binomial clicks for every acme asset; returns asset id → (impressions, clicks)."""
    rng = np.random.default_rng(seed)
    out: dict[int, tuple[int, int]] = {}
    events: list[PerfEvent] = []
    for a in campaign_attributes(s, "acme", campaign_id(s)).values():
        clicks = int(rng.binomial(impressions, rate(a)))
        out[a.asset_id] = (impressions, clicks)
        events.append(PerfEvent(f"{prefix}-i-{a.asset_id}", a.asset_id, "impression", count=impressions))
        if clicks:
            events.append(PerfEvent(f"{prefix}-c-{a.asset_id}", a.asset_id, "click", count=clicks))
    ingest(s, "acme", events, source="test")
    return out


# ---------------------------------------------------------------------------------------------------- attributes
def test_attributes_match_the_lineage_record_of_every_asset(session: Session) -> None:
    rows = campaign_attributes(session, "acme", campaign_id(session))
    assert len(rows) == 16
    for asset_id, row in rows.items():
        record = build_lineage(session, "acme", asset_id)
        assert row.layout == record["render"]["layout"]
        assert row.headline == record["copy"]["fields"]["headline"]
        assert row.cta == record["copy"]["fields"]["cta"]
        assert row.concept == record["asset"]["concept"] and row.segment == record["asset"]["segment"]
        visual = next(st for st in record["steps"] if st["step"] == "visual")
        assert row.engine == visual["engine"] == "builtin.visual"
    assert {r.layout for r in rows.values()} == {"hero", "split", "product"}
    assert {r.style for r in rows.values()} == {"photo"}
    assert {r.palette for r in rows.values()} == {"space-navy"}  # #14213D, named from the brand palette


def test_attributes_are_read_in_bulk(session: Session) -> None:
    start = time.perf_counter()
    campaign_attributes(session, "acme", campaign_id(session))
    assert time.perf_counter() - start < 2.0  # a handful of queries, not five per asset


def test_attributes_are_tenant_scoped(session: Session) -> None:
    assert campaign_attributes(session, "globex", campaign_id(session, "acme")) == {}


# ---------------------------------------------------------------------------------------------------- insights
def test_the_winning_layout_is_named_with_independent_numbers(session: Session) -> None:
    truth = feed(session, lambda a: 0.06 if a.layout == "hero" else 0.02)  # type: ignore[attr-defined]
    rows = campaign_attributes(session, "acme", campaign_id(session))
    insights = campaign_insights(session, "acme", SLUG)
    layout = insights.attribute("layout")
    assert layout is not None and layout.winner == "hero"
    assert (None, "layout", "hero") in [(w.segment, w.attribute, w.value) for w in insights.winners()]
    for seg in ("london-commuters", "dubai-professionals"):
        per_segment = insights.attribute("layout", seg)
        assert per_segment is not None and per_segment.winner == "hero"
    # pooled counts, rates and Beta(1+s, 1+n-s) intervals, computed here
    for v in layout.values:
        ids = [i for i, r in rows.items() if r.layout == v.value]
        n = sum(truth[i][0] for i in ids)
        s = sum(truth[i][1] for i in ids)
        assert (v.units, v.successes, v.assets) == (n, s, len(ids))
        assert v.rate == pytest.approx(s / n, rel=1e-12)
        assert v.ci[0] == pytest.approx(scipy_stats.beta.ppf(0.025, 1 + s, 1 + n - s), rel=1e-9)
        assert v.ci[1] == pytest.approx(scipy_stats.beta.ppf(0.975, 1 + s, 1 + n - s), rel=1e-9)
    assert layout.get("hero").p_best > 0.99  # type: ignore[union-attr]
    assert sum(v.p_best for v in layout.values) == pytest.approx(1.0)
    # the lift over the rest pooled, as stats.compare computes it
    hero = layout.get("hero")
    assert hero is not None and hero.lift is not None
    rest_n = sum(v.units for v in layout.values if v.value != "hero")
    rest_s = sum(v.successes or 0 for v in layout.values if v.value != "hero")
    assert hero.lift == pytest.approx((hero.rate - rest_s / rest_n) / (rest_s / rest_n), rel=1e-9)


def test_p_best_agrees_with_an_independent_monte_carlo() -> None:
    counts = [(1000, 50), (1000, 60), (800, 40)]
    ours = probability_best([("beta", 1 + s, 1 + n - s) for n, s in counts], seed=7, draws=10_000)
    rng = np.random.default_rng(12345)
    draws = np.column_stack([rng.beta(1 + s, 1 + n - s, 400_000) for n, s in counts])
    exact = np.bincount(draws.argmax(axis=1), minlength=3) / 400_000
    assert np.allclose(ours, exact, atol=0.015)  # 3 Monte Carlo standard errors at 10,000 draws
    again = probability_best([("beta", 1 + s, 1 + n - s) for n, s in counts], seed=7, draws=10_000)
    assert ours == again


def test_insights_are_deterministic(session: Session) -> None:
    feed(session, lambda a: 0.03)
    first = campaign_insights(session, "acme", SLUG).to_dict()
    assert campaign_insights(session, "acme", SLUG).to_dict() == first


def test_tiny_data_has_no_winner_only_a_leader(session: Session) -> None:
    feed(session, lambda a: 0.5 if a.layout == "hero" else 0.1, impressions=12)  # type: ignore[attr-defined]
    insights = campaign_insights(session, "acme", SLUG)
    layout = insights.attribute("layout")
    assert layout is not None and layout.winner is None and layout.leader
    assert any("fewer than 100" in r for r in layout.reasons)
    assert insights.winners() == []


def test_equal_rates_give_no_winner(session: Session) -> None:
    feed(session, lambda a: 0.04, impressions=5000)
    layout = campaign_insights(session, "acme", SLUG).attribute("layout")
    assert layout is not None and layout.winner is None
    assert any("below 0.95" in r for r in layout.reasons)


def test_a_single_segment_and_other_metrics(session: Session) -> None:
    feed(session, lambda a: 0.05 if a.layout == "hero" else 0.02)  # type: ignore[attr-defined]
    ids = sorted(campaign_attributes(session, "acme", campaign_id(session)))
    ingest(session, "acme", [PerfEvent(f"buy-{i}-{k}", i, "conversion", value=10.0 + k) for i in ids for k in range(3)])
    only = campaign_insights(session, "acme", SLUG, segment="london-commuters")
    assert [s.segment for s in only.segments] == ["london-commuters"]
    revenue = campaign_insights(session, "acme", SLUG, metric="revenue_per_impression")
    layout = revenue.attribute("layout")
    assert layout is not None
    for v in layout.values:  # 3 conversions of 10, 11 and 12 per asset: 33 per asset per 2000 impressions
        assert v.rate == pytest.approx(33 * v.assets / v.units)
        assert v.ci[0] < v.rate < v.ci[1]
    conv = campaign_insights(session, "acme", SLUG, metric="conversion_rate").attribute("concept")
    assert conv is not None and all(v.successes == 3 * v.assets for v in conv.values)


def test_no_revenue_yet_names_no_winner(session: Session) -> None:
    feed(session, lambda a: 0.05 if a.layout == "hero" else 0.02)  # type: ignore[attr-defined]
    revenue = campaign_insights(session, "acme", SLUG, metric="revenue_per_impression")
    for attribute in ("layout", "concept", "headline"):
        found = revenue.attribute(attribute)
        assert found is not None and found.winner is None, attribute  # every value is 0 ± 0: all tie
        assert all(v.p_best == pytest.approx(1 / len(found.values)) for v in found.values)
    assert revenue.winners() == []


def test_no_data_is_an_explained_answer(session: Session) -> None:
    insights = campaign_insights(session, "acme", SLUG)
    assert insights.segments == () and insights.winners() == []
    assert insights.explanation and "no performance data" in insights.explanation
    assert insights.to_dict()["assets_with_data"] == 0


def test_bad_input(session: Session) -> None:
    with pytest.raises(NotFoundError):
        campaign_insights(session, "acme", "no-such-campaign")
    with pytest.raises(NotFoundError):  # another tenant's campaign looks missing
        campaign_insights(session, "acme", "globex-launch")
    with pytest.raises(InvalidRequestError, match="unknown metric"):
        campaign_insights(session, "acme", SLUG, metric="roas")
    with pytest.raises(InvalidRequestError, match="no segment"):
        campaign_insights(session, "acme", SLUG, segment="mars-colonists")


# ---------------------------------------------------------------------------------------------------- plots
def test_forest_plots_are_pngs_sized_for_a_page(session: Session, tmp_path: Path) -> None:
    feed(session, lambda a: 0.06 if a.layout == "hero" else 0.02)  # type: ignore[attr-defined]
    insights = campaign_insights(session, "acme", SLUG)
    for attr in insights.segments[0].attributes:
        png = forest_png(attr)
        image = Image.open(io.BytesIO(png))
        assert image.format == "PNG" and image.width == 1200
        assert 300 < image.height < 300 + 80 * len(attr.values)
        # the winner's row is green: some pixels of the plot are the winner colour #15803d
        if attr.winner:
            pixels = np.asarray(image.convert("RGB")).reshape(-1, 3)
            assert (np.abs(pixels.astype(int) - [0x15, 0x80, 0x3D]).sum(axis=1) < 30).sum() > 200


def test_labels_are_truncated_with_an_ellipsis() -> None:
    def width(text: str) -> float:
        return float(len(text))

    assert truncate("short", width, 10) == "short"
    cut = truncate("The best cup this side of orbit, every single morning", width, 20)
    assert cut.endswith("…") and len(cut) <= 20

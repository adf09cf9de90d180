"""Browser: the analytics page (forest plots, metric and segment selectors, experiments) and the cost and yield page,
reached from the board the way a producer would; a reviewer has no cost link; the empty state before any events.

    data_server    delivered_base with the cost numbers and rates of tests/costkit.py, performance events for every
                   acme asset (the hero layout clicks 3× as often) and experiment EXPERIMENT
    empty_server   delivered_base as it is: no events, no experiments

Screenshots (1280 px wide, full page) go to the ``shots`` folder: analytics.png, analytics-segment.png, cost.png,
analytics-empty.png, and one plot as drawn, plot-layout.png.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import select
from uikit import LiveServer, login, serve

from assetline.config import WORKSPACE_FILE
from assetline.experiments.attributes import campaign_attributes
from assetline.experiments.ingest import PerfEvent, ingest
from assetline.experiments.manage import ExperimentSpec, create_experiment
from assetline.store.db import Database
from assetline.store.models import Asset, Campaign
from costkit import EXPECTED, RATES_TOML, arrange
from reviewkit import ReviewWorkspace

pytestmark = pytest.mark.timeout(180)

SLUG = "acme-launch"
EXPERIMENT = "banner-test"
IMPRESSIONS = 3000
WIDTH = 1280


def feed_and_experiment(ws: ReviewWorkspace) -> None:
    """Impressions and binomial clicks for every acme asset, and an experiment over three banners."""
    db = Database(ws.settings().db_url)
    try:
        with db.session() as s:
            rng = np.random.default_rng(3)
            cid = int(s.scalar(select(Campaign.id).where(Campaign.tenant_id == "acme", Campaign.slug == SLUG)))
            events: list[PerfEvent] = []
            for a in campaign_attributes(s, "acme", cid).values():
                clicks = int(rng.binomial(IMPRESSIONS, 0.06 if a.layout == "hero" else 0.02))
                events += [PerfEvent(f"i-{a.asset_id}", a.asset_id, "impression", count=IMPRESSIONS),
                           PerfEvent(f"c-{a.asset_id}", a.asset_id, "click", count=max(clicks, 1))]
            ingest(s, "acme", events)
            banners = sorted(s.scalars(select(Asset.id).where(Asset.tenant_id == "acme",
                                                              Asset.format == "iab-300x250")))
            create_experiment(s, "acme", SLUG, ExperimentSpec(slug=EXPERIMENT, name="Banner test", channel="iab",
                                                              arms=banners[:3]))
    finally:
        db.dispose()


@pytest.fixture(scope="module")
def data_server(delivered_base: ReviewWorkspace, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    ws = arrange(delivered_base.copy_to(tmp_path_factory.mktemp("e2e-analytics") / "ws")).ws
    toml = ws.root / WORKSPACE_FILE
    toml.write_text((toml.read_text(encoding="utf-8") if toml.exists() else "") + "\n" + RATES_TOML,
                    encoding="utf-8")
    feed_and_experiment(ws)
    live = serve(ws)
    yield live
    live.stop()


@pytest.fixture(scope="module")
def empty_server(delivered_base: ReviewWorkspace, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = serve(delivered_base.copy_to(tmp_path_factory.mktemp("e2e-analytics-empty") / "ws"))
    yield live
    live.stop()


@pytest.fixture
def wide(browser: Any) -> Iterator[Any]:
    """A context 1280 px wide (the screenshots' width)."""
    ctx = browser.new_context(viewport={"width": WIDTH, "height": 900}, reduced_motion="reduce")
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


def watch(page: Any) -> list[str]:
    """Console errors and uncaught exceptions of ``page`` from now on."""
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(f"console: {msg.text}") if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    return errors


def load_plots(page: Any) -> list[dict[str, Any]]:
    """Scroll every plot into view (they load lazily), wait until it is decoded; their src and natural size."""
    plots = page.locator("img.analytics-plot")
    for i in range(plots.count()):
        img = plots.nth(i)
        img.scroll_into_view_if_needed()
        page.wait_for_function("(el) => el.complete && el.naturalWidth > 0", arg=img.element_handle())
    page.evaluate("window.scrollTo(0, 0)")
    found: list[dict[str, Any]] = page.eval_on_selector_all(
        "img.analytics-plot", "els => els.map(e => ({src: e.getAttribute('src'), w: e.naturalWidth, "
                              "h: e.naturalHeight, shown: e.getBoundingClientRect().width, "
                              "attr: e.getAttribute('height')}))")
    return found


def kv(page: Any, label: str) -> str:
    return str(page.locator(f".analytics-summary dt:text-is('{label}') + dd").inner_text()).strip()


def test_producer_reads_analytics_and_cost_from_the_board(wide: Any, data_server: LiveServer, shots: Path) -> None:
    page = login(wide, data_server, "producer")
    errors = watch(page)
    page.click("text=Open board")
    page.wait_for_url(re.compile(rf"/campaigns/{SLUG}$"))

    # 1. Analytics: every attribute with two or more values has a plot that loads, sized as declared
    page.click("a:text-is('Analytics')")
    page.wait_for_url(re.compile(rf"/campaigns/{SLUG}/analytics$"))
    assert kv(page, "assets with data") == "16" and kv(page, "impressions") == f"{16 * IMPRESSIONS:,}"
    assert page.locator("section.analytics-attribute").count() == 4
    plots = load_plots(page)
    assert len(plots) == 4
    for plot in plots:
        assert plot["w"] == 1200 and plot["h"] == int(plot["attr"]), plot
        assert 400 <= plot["shown"] <= 760, plot  # a page column, not stretched across the screen
    layout = page.locator("section[data-attribute=layout]")
    assert "winner" in layout.locator("h2").inner_text()
    assert layout.locator(".analytics-verdict-value").inner_text() == "hero"
    assert layout.locator("tr.is-winner td").first.inner_text() == "hero"

    # 2. The experiment created with manage.create_experiment, its arms and control
    experiment = page.locator(f"[data-experiment={EXPERIMENT}]")
    assert experiment.is_visible()
    assert "Banner test" in experiment.locator("h3").inner_text()
    assert experiment.locator("tbody tr").count() == 3
    assert experiment.locator("tr.is-control").count() == 1
    page.screenshot(path=shots / "analytics.png", full_page=True)
    drawn = page.request.get(data_server.url + plots[1]["src"])
    assert drawn.ok and drawn.headers["content-type"] == "image/png"
    (shots / "plot-layout.png").write_bytes(drawn.body())

    # 3. The metric selector swaps the results in place and keeps the choice in the URL
    page.select_option("select[name=metric]", "conversion_rate")
    page.wait_for_url(re.compile(r"metric=conversion_rate"))
    assert "Conversion rate" in page.locator("#summary-title").inner_text()
    assert all("metric=conversion_rate" in p["src"] and p["w"] == 1200 for p in load_plots(page))

    # 4. The segment selector: only that segment's assets
    page.select_option("select[name=segment]", "london-commuters")
    page.wait_for_url(re.compile(r"segment=london-commuters"))
    assert page.locator("#summary-title").inner_text().startswith("london-commuters")
    assert kv(page, "assets with data") == "8"
    assert all("segment=london-commuters" in p["src"] for p in load_plots(page))
    page.select_option("select[name=metric]", "ctr")
    page.wait_for_url(re.compile(r"metric=ctr"))
    load_plots(page)
    page.screenshot(path=shots / "analytics-segment.png", full_page=True)

    # 5. Cost and yield: campaign figures, engines, every asset
    page.click("text=Back to the board")
    page.wait_for_url(re.compile(rf"/campaigns/{SLUG}$"))
    page.click("a:text-is('Cost and yield')")
    page.wait_for_url(re.compile(rf"/campaigns/{SLUG}/cost$"))
    value = page.locator("[data-figure=total_cost] .cost-value").inner_text()
    assert value == f"{EXPECTED['total_cost']:,.2f} EUR"
    assert page.locator("[data-figure=cost_per_asset] .cost-value").inner_text() == (
        f"{EXPECTED['cost_per_asset']:,.2f} EUR")
    assert page.locator("[data-figure=first_pass_yield] .cost-value").inner_text() == "87.5%"
    assert page.locator("table[data-table=engines] tbody tr").count() == len(EXPECTED["engines"])
    rows = page.locator("table[data-table=assets] tbody tr")
    assert rows.count() == 16
    costs = [float(c.replace(",", "")) for c in rows.locator("td:nth-child(9)").all_inner_texts()]
    assert costs == sorted(costs, reverse=True) and min(costs) > 0  # the most expensive first, all priced
    # the figures fit their cards: nothing is cut off
    clipped = page.eval_on_selector_all(".cost-value", "els => els.filter(e => e.scrollWidth > e.clientWidth).length")
    assert clipped == 0
    page.screenshot(path=shots / "cost.png", full_page=True)
    assert not errors, errors


def test_a_reviewer_has_analytics_but_no_cost_link(context: Any, data_server: LiveServer) -> None:
    page = login(context, data_server, "reviewer")
    errors = watch(page)
    page.click("text=Open board")
    page.wait_for_url(re.compile(rf"/campaigns/{SLUG}$"))
    assert page.locator("a:text-is('Cost and yield')").count() == 0
    assert page.locator(f"a[href='/campaigns/{SLUG}/cost']").count() == 0
    page.click("a:text-is('Analytics')")
    page.wait_for_url(re.compile(rf"/campaigns/{SLUG}/analytics$"))
    assert all(p["w"] == 1200 for p in load_plots(page))
    assert page.locator(f"[data-experiment={EXPERIMENT}]").is_visible()  # reviewers see unreviewed work
    assert not errors, errors
    response = page.goto(f"{data_server.url}/campaigns/{SLUG}/cost")
    assert response is not None and response.status == 403
    assert page.locator(".error-code").inner_text() == "403"
    assert "may not view cost and yield" in page.locator(".error-message").inner_text()


def test_the_empty_state_says_what_to_do(wide: Any, empty_server: LiveServer, shots: Path) -> None:
    page = login(wide, empty_server, "producer")
    errors = watch(page)
    page.goto(f"{empty_server.url}/campaigns/{SLUG}/analytics")
    empty = page.locator(".analytics-empty")
    assert empty.is_visible()
    assert empty.locator("h2").inner_text() == "No performance data yet"
    assert f"assetline events import export.csv --campaign {SLUG}" in empty.inner_text()
    assert page.locator("img.analytics-plot").count() == 0
    assert "No experiments on this campaign yet" in page.locator(".analytics-experiments").inner_text()
    page.screenshot(path=shots / "analytics-empty.png", full_page=True)
    assert not errors, errors

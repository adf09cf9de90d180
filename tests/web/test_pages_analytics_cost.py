"""The analytics page and the cost and yield page without a browser (TestClient): roles, tenants, bad input, the
forest plot PNGs and their caching, the empty state.

    data_ws    delivered_base with the cost numbers of tests/costkit.py, the workspace's [cost] rates, performance
               events for every acme asset (the hero layout clicks 3× as often), experiment EXPERIMENT, and HIDDEN
               assets set back to 'passed' (a client does not see them)
    empty_ws   delivered_base as it is: no performance events, no rates, no experiments

Every mistake must come back as an HTML error page with the right 4xx status, never a traceback.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from assetline.config import WORKSPACE_FILE
from assetline.experiments.attributes import AssetAttributes, campaign_attributes
from assetline.experiments.ingest import PerfEvent, ingest
from assetline.experiments.manage import ExperimentSpec, create_experiment
from assetline.store.db import Database
from assetline.store.models import Asset, Campaign
from assetline.web import create_app
from costkit import EXPECTED, RATES_TOML, Arranged, arrange
from reviewkit import PASSWORD, ReviewWorkspace

SLUG = "acme-launch"
ANALYTICS = f"/campaigns/{SLUG}/analytics"
COST = f"/campaigns/{SLUG}/cost"
IMPRESSIONS = 3000
EXPERIMENT = "banner-test"
HIDDEN = 2
"""Assets of data_ws set back to 'passed': producers count them, clients do not."""
IMMUTABLE = "private, max-age=31536000, immutable"
FRESH = "private, no-cache"


# ------------------------------------------------------------------ workspaces and signed-in clients
def feed(s: Session, rate: Callable[[AssetAttributes], float], impressions: int = IMPRESSIONS, prefix: str = "e",
         seed: int = 3) -> None:
    """Impressions and binomial clicks for every acme asset (as tests/experiments/test_experiments_next_round.py)."""
    rng = np.random.default_rng(seed)
    cid = int(s.scalar(select(Campaign.id).where(Campaign.tenant_id == "acme", Campaign.slug == SLUG)))
    events: list[PerfEvent] = []
    for a in campaign_attributes(s, "acme", cid).values():
        clicks = int(rng.binomial(impressions, rate(a)))
        events += [PerfEvent(f"{prefix}-i-{a.asset_id}", a.asset_id, "impression", count=impressions),
                   PerfEvent(f"{prefix}-c-{a.asset_id}", a.asset_id, "click", count=max(clicks, 1))]
    ingest(s, "acme", events)


def hero_wins(a: AssetAttributes) -> float:
    return 0.06 if a.layout == "hero" else 0.02


def database(ws: ReviewWorkspace) -> Database:
    return Database(ws.settings().db_url)


@pytest.fixture(scope="module")
def data_ws(delivered_base: ReviewWorkspace, tmp_path_factory: pytest.TempPathFactory) -> Arranged:
    done = arrange(delivered_base.copy_to(tmp_path_factory.mktemp("pages-data") / "ws"))
    toml = done.ws.root / WORKSPACE_FILE
    toml.write_text((toml.read_text(encoding="utf-8") if toml.exists() else "") + "\n" + RATES_TOML,
                    encoding="utf-8")
    db = database(done.ws)
    try:
        with db.session() as s:
            feed(s, hero_wins)
            banners = sorted(s.scalars(select(Asset.id).where(Asset.tenant_id == "acme",
                                                              Asset.format == "iab-300x250")))
            create_experiment(s, "acme", SLUG, ExperimentSpec(slug=EXPERIMENT, name="Banner test", channel="iab",
                                                              arms=banners[:3]))
            s.execute(update(Asset).where(Asset.id.in_(done.asset_ids[-HIDDEN:])).values(status="passed"))
    finally:
        db.dispose()
    return done


@pytest.fixture(scope="module")
def empty_ws(delivered_base: ReviewWorkspace, tmp_path_factory: pytest.TempPathFactory) -> ReviewWorkspace:
    return delivered_base.copy_to(tmp_path_factory.mktemp("pages-empty") / "ws")


@contextmanager
def serving(ws: ReviewWorkspace) -> Iterator[FastAPI]:
    app = create_app(ws.settings(), session_secret="test-secret")
    try:
        yield app
    finally:
        app.state.assetline.db.dispose()


@pytest.fixture(scope="module")
def data_app(data_ws: Arranged) -> Iterator[FastAPI]:
    with serving(data_ws.ws) as app:
        yield app


@pytest.fixture(scope="module")
def empty_app(empty_ws: ReviewWorkspace) -> Iterator[FastAPI]:
    with serving(empty_ws) as app:
        yield app


def signed_in(app: FastAPI, role: str, tenant: str = "acme") -> TestClient:
    client = TestClient(app, follow_redirects=False)
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
    assert csrf, "no CSRF field on the sign-in page"
    r = client.post("/login", data={"email": f"{role}@{tenant}.example", "password": PASSWORD, "csrf": csrf.group(1)})
    assert r.status_code == 303, r.text
    return client


@pytest.fixture(scope="module")
def users(data_app: FastAPI) -> dict[str, TestClient]:
    return {role: signed_in(data_app, role) for role in ("admin", "producer", "reviewer", "client")}


def is_page(r: Any, status: int) -> str:
    assert r.status_code == status, (r.status_code, r.text[:500])
    assert r.headers["content-type"].startswith("text/html"), r.headers["content-type"]
    assert "Traceback" not in r.text
    if status >= 400:
        assert f'<p class="error-code">{status}</p>' in r.text
    return str(r.text)


def kv(page: str, label: str) -> str:
    """The value after ``<dt>label</dt>`` on a page."""
    found = re.search(rf"<dt>{re.escape(label)}</dt><dd>([^<]*)</dd>", page)
    assert found, f"no '{label}' on the page"
    return found.group(1).strip()


def plot_src(page: str, attribute: str) -> tuple[str, int, int]:
    """The URL of ``attribute``'s plot on the page, and the width and height its <img> declares."""
    found = re.search(rf'<img class="analytics-plot" src="([^"]*/plots/{attribute}\.png[^"]*)" width="(\d+)" '
                      rf'height="(\d+)"', page)
    assert found, f"no plot of {attribute} on the page"
    return html.unescape(found.group(1)), int(found.group(2)), int(found.group(3))


def figure(page: str, key: str) -> tuple[str, str]:
    """(value, detail) of one headline figure of the cost page."""
    found = re.search(rf'data-figure="{key}">\s*<p class="cost-label">[^<]*</p>\s*<p class="cost-value">([^<]*)</p>'
                      rf'\s*<p class="cost-detail muted">([^<]*)</p>', page)
    assert found, f"no figure {key}"
    return html.unescape(found.group(1)), html.unescape(found.group(2))


# ------------------------------------------------------------------ analytics: roles and tenants
@pytest.mark.parametrize("role", ["admin", "producer", "reviewer"])
def test_roles_that_see_unreviewed_work_get_insights_and_experiments(users: dict[str, TestClient],
                                                                     role: str) -> None:
    page = is_page(users[role].get(ANALYTICS), 200)
    assert kv(page, "assets with data") == "16"
    assert kv(page, "impressions") == f"{16 * IMPRESSIONS:,}"
    assert 'data-winner="layout"' in page and re.search(r"<b>Layout</b> <span dir=\"auto\">hero</span>", page)
    for attribute in ("concept", "layout", "headline", "cta"):
        assert f'data-attribute="{attribute}"' in page
    assert 'data-attribute="style"' not in page  # one style for every asset: listed as constant, not plotted
    assert "Visual style: photo" in page
    assert f'data-experiment="{EXPERIMENT}"' in page and "Banner test" in page
    assert page.count('class="is-control"') == 1


def test_clients_count_only_what_they_may_see_and_get_no_experiments(users: dict[str, TestClient]) -> None:
    page = is_page(users["client"].get(ANALYTICS), 200)
    assert kv(page, "assets with data") == str(16 - HIDDEN)
    assert kv(page, "impressions") == f"{(16 - HIDDEN) * IMPRESSIONS:,}"
    assert "analytics-experiments" not in page and EXPERIMENT not in page
    # the plots are drawn from the client's numbers: another URL (another version) than the producer's
    producer = is_page(users["producer"].get(ANALYTICS), 200)
    assert plot_src(page, "layout")[0] != plot_src(producer, "layout")[0]


def test_only_producers_and_admins_see_the_cost_link_on_the_board(users: dict[str, TestClient]) -> None:
    for role, shown in (("producer", True), ("admin", True), ("reviewer", False), ("client", False)):
        board = is_page(users[role].get(f"/campaigns/{SLUG}"), 200)
        assert (f'href="{COST}"' in board) is shown, role
        assert f'href="{ANALYTICS}"' in board


@pytest.mark.parametrize("url", [ANALYTICS, f"{ANALYTICS}/plots/layout.png", COST])
def test_another_tenants_campaign_looks_missing(users: dict[str, TestClient], url: str) -> None:
    admin = users["admin"]
    theirs = is_page(admin.get(url.replace(SLUG, "globex-launch")), 404)
    missing = is_page(admin.get(url.replace(SLUG, "no-such-campaign")), 404)
    assert theirs.replace("globex-launch", "{slug}") == missing.replace("no-such-campaign", "{slug}")
    assert "Globex launch" not in theirs


def test_pages_need_a_session(data_app: FastAPI) -> None:
    anonymous = TestClient(data_app, follow_redirects=False)
    for url in (ANALYTICS, COST, f"{ANALYTICS}/plots/layout.png"):
        r = anonymous.get(url)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next=/campaigns/")


# ------------------------------------------------------------------ analytics: selectors and bad input
def test_metric_and_segment_selectors(users: dict[str, TestClient]) -> None:
    producer = users["producer"]
    page = is_page(producer.get(f"{ANALYTICS}?metric=conversion_rate"), 200)
    assert '<option value="conversion_rate" selected>' in page
    assert "All segments · Conversion rate" in page
    segment = is_page(producer.get(f"{ANALYTICS}?metric=ctr&segment=london-commuters"), 200)
    assert '<option value="london-commuters" selected>' in segment
    assert kv(segment, "assets with data") == "8"
    src = plot_src(segment, "layout")[0]
    assert "segment=london-commuters" in src and "metric=ctr" in src
    assert producer.get(src).status_code == 200


@pytest.mark.parametrize(("query", "status", "text"), [
    ("metric=roas", 422, "unknown metric &#39;roas&#39;"),
    ("metric=" + "x" * 41, 400, "metric: String should have at most 40 characters"),
    ("segment=mars-colonists", 422, "has no segment &#39;mars-colonists&#39;"),
    ("segment=" + "x" * 65, 400, "segment: String should have at most 64 characters"),
])
def test_analytics_bad_input_is_a_clear_error_page(users: dict[str, TestClient], query: str, status: int,
                                                   text: str) -> None:
    page = is_page(users["producer"].get(f"{ANALYTICS}?{query}"), status)
    assert text in page


def test_an_unknown_metric_names_the_known_ones(users: dict[str, TestClient]) -> None:
    page = is_page(users["producer"].get(f"{ANALYTICS}?metric=roas"), 422)
    assert "ctr, conversion_rate, revenue_per_impression" in page


@pytest.mark.parametrize(("path", "status", "text"), [
    ("mood.png", 404, "no attribute &#39;mood&#39;"),
    ("style.png", 404, "nothing to plot for style"),
    ("layout.png?metric=roas", 422, "unknown metric"),
    ("layout.png?segment=" + "x" * 65, 400, "segment: String should have at most 64 characters"),
    ("layout.png?v=" + "0" * 41, 400, "v: String should have at most 40 characters"),
    ("layout.png?segment=mars-colonists", 422, "has no segment"),
])
def test_plot_bad_input_is_a_clear_error_page(users: dict[str, TestClient], path: str, status: int,
                                              text: str) -> None:
    page = is_page(users["producer"].get(f"{ANALYTICS}/plots/{path}"), status)
    assert text in page


def test_htmx_errors_leave_the_page_as_it_was(users: dict[str, TestClient]) -> None:
    r = users["producer"].get(f"{ANALYTICS}?metric=roas", headers={"HX-Request": "true"})
    assert r.status_code == 422 and r.headers["HX-Reswap"] == "none"
    assert "unknown metric" in r.headers["HX-Trigger"]


# ------------------------------------------------------------------ analytics: the plot PNGs
def test_plots_are_pngs_of_the_declared_size(users: dict[str, TestClient]) -> None:
    producer = users["producer"]
    page = is_page(producer.get(ANALYTICS), 200)
    for attribute, values in (("layout", 3), ("concept", 2)):
        src, width, height = plot_src(page, attribute)
        r = producer.get(src)
        assert r.status_code == 200 and r.headers["content-type"] == "image/png"
        image = Image.open(io.BytesIO(r.content))
        image.load()
        assert image.format == "PNG" and image.mode == "RGB"
        assert image.size == (width, height)  # the <img> reserves exactly its space: no layout shift
        assert width == 1200 and 60 * values < height < 160 + 100 * values
        pixels = np.asarray(image).reshape(-1, 3).astype(int)
        assert (pixels.min(axis=1) < 128).sum() > 500  # something is drawn: dark text and marks, not a blank
    winner = np.asarray(Image.open(io.BytesIO(producer.get(plot_src(page, "layout")[0]).content)).convert("RGB"))
    green = (np.abs(winner.reshape(-1, 3).astype(int) - [0x15, 0x80, 0x3D]).sum(axis=1) < 30).sum()
    assert green > 200  # the winning layout is drawn in the UI's green


def test_plot_caching_follows_the_version_in_the_url(users: dict[str, TestClient]) -> None:
    producer = users["producer"]
    src = plot_src(is_page(producer.get(ANALYTICS), 200), "layout")[0]
    version = re.search(r"[?&]v=([0-9a-f]+)", src)
    assert version
    current = producer.get(src)
    assert current.status_code == 200
    assert current.headers["cache-control"] == IMMUTABLE
    assert current.headers["etag"] == f'"{version.group(1)}"'
    assert [v.strip() for v in current.headers["vary"].split(",")].count("Cookie") == 1
    again = producer.get(src, headers={"If-None-Match": current.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == current.headers["etag"]
    other = producer.get(src, headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200 and other.content == current.content
    stale = producer.get(src.replace(f"v={version.group(1)}", "v=0123"))
    assert stale.status_code == 200 and stale.headers["cache-control"] == FRESH
    assert stale.headers["etag"] == current.headers["etag"] and stale.content == current.content
    bare = producer.get(re.sub(r"&?v=[0-9a-f]+", "", src))
    assert bare.status_code == 200 and bare.headers["cache-control"] == FRESH


def test_new_events_change_the_plot_url_and_the_old_one_goes_fresh(delivered_base: ReviewWorkspace,
                                                                   tmp_path: Path) -> None:
    ws = delivered_base.copy_to(tmp_path / "ws")
    db = database(ws)
    try:
        with db.session() as s:
            feed(s, hero_wins)
        with serving(ws) as app:
            producer = signed_in(app, "producer")
            before = plot_src(is_page(producer.get(ANALYTICS), 200), "layout")[0]
            old = producer.get(before)
            with db.session() as s:
                feed(s, hero_wins, impressions=500, prefix="more", seed=9)
            after = plot_src(is_page(producer.get(ANALYTICS), 200), "layout")[0]
            assert after != before
            replay = producer.get(before, headers={"If-None-Match": old.headers["etag"]})
            assert replay.status_code == 200  # the numbers moved: no 304 for the old drawing
            assert replay.headers["cache-control"] == FRESH and replay.headers["etag"] != old.headers["etag"]
            assert producer.get(after).headers["cache-control"] == IMMUTABLE
    finally:
        db.dispose()


# ------------------------------------------------------------------ analytics: the empty state
def test_no_events_yet_says_how_to_send_them(empty_app: FastAPI) -> None:
    producer = signed_in(empty_app, "producer")
    page = is_page(producer.get(ANALYTICS), 200)
    assert 'data-empty="no-data"' in page and "No performance data yet" in page
    assert f"assetline events import export.csv --campaign {SLUG}" in page and "POST /api/v1/events" in page
    assert 'class="analytics-plot"' not in page
    assert "No experiments on this campaign yet" in page
    is_page(producer.get(f"{ANALYTICS}/plots/layout.png"), 404)
    client = is_page(signed_in(empty_app, "client").get(ANALYTICS), 200)
    assert "No performance data yet" in client and "Your producer imports the numbers" in client
    assert "assetline events import" not in client and "analytics-experiments" not in client


# ------------------------------------------------------------------ cost and yield
@pytest.mark.parametrize("role", ["reviewer", "client"])
def test_cost_is_refused_to_reviewers_and_clients(users: dict[str, TestClient], role: str) -> None:
    page = is_page(users[role].get(COST), 403)
    assert f"role &#39;{role}&#39; may not view cost and yield" in page
    assert "184.06" not in page


@pytest.mark.parametrize("role", ["producer", "admin"])
def test_cost_page_shows_the_campaign_and_asset_figures(users: dict[str, TestClient], data_ws: Arranged,
                                                        role: str) -> None:
    page = is_page(users[role].get(COST), 200)
    # campaign figures: the hand-computed numbers of tests/costkit.py, as people read them
    assert figure(page, "total_cost")[0] == f"{EXPECTED['total_cost']:,.2f} EUR"
    value, detail = figure(page, "cost_per_asset")
    assert value == f"{EXPECTED['cost_per_asset']:,.2f} EUR" and detail.endswith("· 16 assets")
    assert figure(page, "compute_seconds")[0] == f"{EXPECTED['compute_seconds']:,.2f} s"
    assert figure(page, "review_minutes")[0] == f"{EXPECTED['review_minutes']:,.1f} min"
    assert figure(page, "first_pass_yield") == (f"{EXPECTED['first_pass_yield']:.1%}", "14 of 16 assets without rework")
    assert figure(page, "regenerations") == ("1", "1 asset regenerated · 1 change request")
    assert figure(page, "turnaround")[0] == "3.0 days"
    assert "No rates are set" not in page
    # engines
    for engine, numbers in EXPECTED["engines"].items():
        row = re.search(rf'<tr data-engine="{re.escape(engine)}">(.*?)</tr>', page, re.S)
        assert row, engine
        cells = re.findall(r'<td class="cost-num">(?:<strong>)?([^<]*)', row.group(1))
        assert cells[0] == str(numbers["calls"]) and cells[1] == f"{numbers['seconds']:,.2f}"
    # assets: every one, the most expensive first (the one whose review was capped at 60 min)
    rows = re.findall(r'<tr data-asset="(\d+)">(.*?)</tr>', page, re.S)
    assert len(rows) == 16
    assert int(rows[0][0]) == data_ws.capped
    by_id = dict((int(i), body) for i, body in rows)
    assert "cost-no" in by_id[data_ws.regenerated] and "cost-no" in by_id[data_ws.changed]
    assert sum("cost-yes" in body for body in by_id.values()) == EXPECTED["first_pass_assets"]
    assert "0.01 EUR/s" in page and "60 EUR/h" in page


def test_cost_without_rates_says_how_to_set_them(empty_app: FastAPI) -> None:
    page = is_page(signed_in(empty_app, "producer").get(COST), 200)
    assert "No rates are set" in page and "[cost]" in page
    assert figure(page, "total_cost")[0].startswith("0.00 ")
    assert len(re.findall(r'<tr data-asset="\d+">', page)) == 16

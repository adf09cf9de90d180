"""GET /api/v1/campaigns/{slug}/insights: the numbers of experiments.insights for the same data (and pooled counts
checked here), every role (a client counts only the assets a client may see), another tenant's campaign exactly as
missing, bad input → 422 problem+json with a message.

The events are sent through POST /api/v1/events: clicks drawn at 6 % for the hero layout and 2 % otherwise, 3,000
impressions an asset, and two valued conversions an asset. Three acme assets are then moved back to 'flagged'
(not yet in review), which clients do not see.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from scipy import stats as scipy_stats
from sqlalchemy import select, update

from assetline.experiments.attributes import AssetAttributes, campaign_attributes
from assetline.experiments.insights import campaign_insights
from assetline.review.lifecycle import CLIENT_VISIBLE
from assetline.store.db import Database
from assetline.store.models import Asset, Campaign
from assetline.web.app import create_app
from reviewkit import ReviewWorkspace

API = "/api/v1"
PROBLEM = "application/problem+json"
SLUG = "acme-launch"
URL = f"{API}/campaigns/{SLUG}/insights"
IMPRESSIONS = 3000
HIDDEN = "flagged"


@dataclass
class Arranged:
    ws: ReviewWorkspace
    db: Database
    rows: dict[int, AssetAttributes]
    truth: dict[int, tuple[int, int]]
    """asset id → (impressions, clicks) sent."""
    hidden: list[int]
    """Assets moved back to a status clients do not see."""

    def headers(self, tenant: str = "acme", role: str = "producer") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.ws.tokens[(tenant, role)]}"}

    def expected(self, metric: str = "ctr", segment: str | None = None, client: bool = False) -> dict[str, Any]:
        """What the library answers for the same data, as JSON would carry it."""
        with self.db.session() as s:
            found = campaign_insights(s, "acme", SLUG, metric, segment, statuses=CLIENT_VISIBLE if client else None)
            return json.loads(json.dumps(found.to_dict()))  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def app_ws(delivered_base: ReviewWorkspace, tmp_path_factory: pytest.TempPathFactory) -> ReviewWorkspace:
    return delivered_base.copy_to(tmp_path_factory.mktemp("api-insights") / "ws")


@pytest.fixture(scope="module")
def client(app_ws: ReviewWorkspace) -> Iterator[TestClient]:
    app = create_app(app_ws.settings("acme"), session_secret="test-secret")
    try:
        with TestClient(app) as c:
            yield c
    finally:
        app.state.assetline.db.dispose()


@pytest.fixture(scope="module")
def arranged(app_ws: ReviewWorkspace, client: TestClient) -> Iterator[Arranged]:
    db = Database(app_ws.settings().db_url)
    with db.session() as s:
        cid = s.scalar(select(Campaign.id).where(Campaign.tenant_id == "acme", Campaign.slug == SLUG))
        assert cid is not None
        rows = campaign_attributes(s, "acme", cid)
    rng = np.random.default_rng(11)
    truth: dict[int, tuple[int, int]] = {}
    events: list[dict[str, Any]] = []
    for asset_id, row in sorted(rows.items()):
        clicks = int(rng.binomial(IMPRESSIONS, 0.06 if row.layout == "hero" else 0.02))
        truth[asset_id] = (IMPRESSIONS, clicks)
        events += [{"id": f"imp-{asset_id}", "asset_id": asset_id, "kind": "impression", "count": IMPRESSIONS},
                   {"id": f"clk-{asset_id}", "asset_id": asset_id, "kind": "click", "count": clicks},
                   {"id": f"buy-{asset_id}", "asset_id": asset_id, "kind": "conversion", "count": 2,
                    "value": 30.0 + asset_id}]
    sent = client.post(f"{API}/events", json={"events": events}, headers={
        "Authorization": f"Bearer {app_ws.tokens[('acme', 'producer')]}"})
    assert sent.status_code == 200 and sent.json()["accepted"] == len(events), sent.text
    hidden = sorted(rows)[:3]
    with db.session() as s:
        s.execute(update(Asset).where(Asset.id.in_(hidden)).values(status=HIDDEN, version=Asset.version + 1))
    assert HIDDEN not in CLIENT_VISIBLE
    yield Arranged(app_ws, db, rows, truth, hidden)
    db.dispose()


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


def get(client: TestClient, arranged: Arranged, query: str = "", role: str = "producer",
        tenant: str = "acme", slug: str = SLUG) -> Any:
    return client.get(f"{API}/campaigns/{slug}/insights{query}", headers=arranged.headers(tenant, role))


# ---------------------------------------------------------------------------------------------------- numbers
def test_the_winning_layout_with_pooled_counts_and_beta_intervals(client: TestClient, arranged: Arranged) -> None:
    response = get(client, arranged)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["campaign"] == SLUG and body["metric"] == "ctr" and body["explanation"] is None
    assert body["assets_with_data"] == 16
    assert body["available_segments"] == ["dubai-professionals", "london-commuters"]
    assert [s["segment"] for s in body["segments"]] == [None, "dubai-professionals", "london-commuters"]
    assert {"segment": None, "attribute": "layout", "value": "hero"} in [
        {k: w[k] for k in ("segment", "attribute", "value")} for w in body["winners"]]
    everything = body["segments"][0]
    assert everything["units"] == IMPRESSIONS * 16
    assert everything["total"] == sum(c for _, c in arranged.truth.values())
    assert everything["constant"] == {"style": "photo", "palette": "space-navy", "engine": "builtin.visual"}
    layout = next(a for a in everything["attributes"] if a["attribute"] == "layout")
    assert layout["winner"] == layout["leader"] == "hero" and layout["reasons"] == [] and layout["p_best"] > 0.99
    assert [v["rate"] for v in layout["values"]] == sorted((v["rate"] for v in layout["values"]), reverse=True)
    for v in layout["values"]:
        ids = [i for i, r in arranged.rows.items() if r.layout == v["value"]]
        n, s = sum(arranged.truth[i][0] for i in ids), sum(arranged.truth[i][1] for i in ids)
        assert (v["assets"], v["units"], v["successes"]) == (len(ids), n, s)
        assert v["rate"] == pytest.approx(s / n, rel=1e-12)
        assert v["ci"][0] == pytest.approx(scipy_stats.beta.ppf(0.025, 1 + s, 1 + n - s), rel=1e-9)
        assert v["ci"][1] == pytest.approx(scipy_stats.beta.ppf(0.975, 1 + s, 1 + n - s), rel=1e-9)
    assert sum(v["p_best"] for v in layout["values"]) == pytest.approx(1.0)


@pytest.mark.parametrize(("metric", "segment"), [
    ("ctr", None), ("ctr", "london-commuters"), ("conversion_rate", None),
    ("revenue_per_impression", "dubai-professionals"),
])
def test_the_answer_is_what_campaign_insights_says(client: TestClient, arranged: Arranged, metric: str,
                                                   segment: str | None) -> None:
    query = f"?metric={metric}" + (f"&segment={segment}" if segment else "")
    response = get(client, arranged, query)
    assert response.status_code == 200, response.text
    assert response.json() == arranged.expected(metric, segment)
    if segment:
        assert [s["segment"] for s in response.json()["segments"]] == [segment]


def test_revenue_per_impression_pools_the_values(client: TestClient, arranged: Arranged) -> None:
    body = get(client, arranged, "?metric=revenue_per_impression").json()
    concept = next(a for a in body["segments"][0]["attributes"] if a["attribute"] == "concept")
    for v in concept["values"]:
        ids = [i for i, r in arranged.rows.items() if r.concept == v["value"]]
        assert v["successes"] is None and v["units"] == IMPRESSIONS * len(ids)
        assert v["total"] == pytest.approx(sum(30.0 + i for i in ids))
        assert v["rate"] == pytest.approx(v["total"] / v["units"])
        assert v["ci"][0] < v["rate"] < v["ci"][1]


# ---------------------------------------------------------------------------------------------------- roles
@pytest.mark.parametrize("role", ["admin", "reviewer"])
def test_roles_that_see_unreviewed_work_count_every_asset(client: TestClient, arranged: Arranged,
                                                          role: str) -> None:
    producer = get(client, arranged).json()
    response = get(client, arranged, role=role)
    assert response.status_code == 200 and response.json() == producer


def test_a_client_counts_only_the_assets_a_client_may_see(client: TestClient, arranged: Arranged) -> None:
    response = get(client, arranged, role="client")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body == arranged.expected(client=True)
    assert body["assets_with_data"] == 16 - len(arranged.hidden)
    visible = [i for i in arranged.rows if i not in arranged.hidden]
    assert body["segments"][0]["units"] == sum(arranged.truth[i][0] for i in visible)
    layout = next(a for a in body["segments"][0]["attributes"] if a["attribute"] == "layout")
    for v in layout["values"]:
        ids = [i for i in visible if arranged.rows[i].layout == v["value"]]
        assert (v["assets"], v["successes"]) == (len(ids), sum(arranged.truth[i][1] for i in ids))
    assert body != get(client, arranged).json()


# ---------------------------------------------------------------------------------------------------- tenants
def test_another_tenants_campaign_is_exactly_as_missing(client: TestClient, arranged: Arranged) -> None:
    theirs = problem(get(client, arranged, slug="globex-launch"), 404)
    missing = problem(get(client, arranged, slug="no-such-campaign"), 404)
    assert theirs["detail"].replace("globex-launch", "X") == missing["detail"].replace("no-such-campaign", "X")
    assert theirs.keys() == missing.keys()
    problem(get(client, arranged, tenant="globex"), 404)  # and the other way round
    own = get(client, arranged, tenant="globex", slug="globex-launch")
    assert own.status_code == 200, own.text
    body = own.json()  # acme's events never count for globex
    assert body["assets_with_data"] == 0 and body["segments"] == [] and body["winners"] == []
    assert "no performance data" in body["explanation"]


# ---------------------------------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(("query", "message"), [
    ("?metric=roas", "query.metric: Input should be 'ctr', 'conversion_rate' or 'revenue_per_impression'"),
    ("?segment=London%20Commuters", "query.segment: String should match pattern"),
    ("?segment=" + "a" * 65, "query.segment: String should have at most 64 characters"),
    ("?segment=", "query.segment: String should match pattern"),
])
def test_malformed_parameters_are_a_422_with_a_message(client: TestClient, arranged: Arranged, query: str,
                                                       message: str) -> None:
    body = problem(get(client, arranged, query), 422)
    assert body["type"].endswith("/validation") and message in body["detail"]


def test_a_segment_the_campaign_lacks_is_a_422_naming_its_segments(client: TestClient, arranged: Arranged) -> None:
    body = problem(get(client, arranged, "?segment=mars-colonists"), 422)
    assert body["detail"] == "campaign 'acme-launch' has no segment 'mars-colonists'"
    assert "dubai-professionals, london-commuters" in body["hint"]


def test_no_token_and_a_bad_slug(client: TestClient, arranged: Arranged) -> None:
    problem(client.get(URL), 401)
    problem(get(client, arranged, slug="Not%20A%20Slug"), 422)


def test_the_route_is_documented(client: TestClient) -> None:
    operation = client.get(f"{API}/openapi.json").json()["paths"][f"{API}/campaigns/{{slug}}/insights"]["get"]
    assert set(operation["responses"]) >= {"200", "401", "403", "404", "422"}
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("InsightsOut")
    params = {p["name"]: p for p in operation["parameters"]}
    assert params["metric"]["schema"]["enum"] == ["ctr", "conversion_rate", "revenue_per_impression"]

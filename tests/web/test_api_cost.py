"""GET /api/v1/campaigns/{slug}/cost: the hand-computed figures of tests/costkit.py, producers and admins only,
another tenant's campaign exactly as missing, bad rates in the workspace → 422."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assetline.config import WORKSPACE_FILE
from assetline.web.app import create_app
from costkit import EXPECTED, RATES_TOML, SLUG, Arranged, arrange
from reviewkit import ReviewWorkspace

API = "/api/v1"
PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def arranged(delivered_base: ReviewWorkspace, tmp_path_factory: pytest.TempPathFactory) -> Arranged:
    done = arrange(delivered_base.copy_to(tmp_path_factory.mktemp("api-cost") / "ws"))
    toml = done.ws.root / WORKSPACE_FILE
    toml.write_text((toml.read_text(encoding="utf-8") if toml.exists() else "") + "\n" + RATES_TOML,
                    encoding="utf-8")
    return done


@pytest.fixture(scope="module")
def client(arranged: Arranged) -> Iterator[TestClient]:
    app = create_app(arranged.ws.settings("acme"), session_secret="test-secret")
    try:
        with TestClient(app) as c:
            yield c
    finally:
        app.state.assetline.db.dispose()


def headers(arranged: Arranged, tenant: str = "acme", role: str = "producer") -> dict[str, str]:
    return {"Authorization": f"Bearer {arranged.ws.tokens[(tenant, role)]}"}


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


@pytest.mark.parametrize("role", ["producer", "admin"])
def test_producers_and_admins_get_the_figures(client: TestClient, arranged: Arranged, role: str) -> None:
    response = client.get(f"{API}/campaigns/{SLUG}/cost", headers=headers(arranged, role=role))
    assert response.status_code == 200, response.text
    report = response.json()
    totals = report["totals"]
    assert report["currency"] == "EUR" and report["rates"]["reviewer_per_hour"] == 60
    for key in ("total_cost", "engine_cost", "compute_seconds", "review_minutes", "cost_per_asset",
                "first_pass_yield", "turnaround_seconds"):
        assert totals[key] == pytest.approx(EXPECTED[key], abs=1e-5), key
    for key in ("regenerations", "change_requests", "capped_decisions", "timed_decisions"):
        assert totals[key] == EXPECTED[key], key
    assert totals["campaign_created_at"] == "2026-02-28T09:00:00Z"  # costkit.CREATED, in UTC
    engines = {e["engine_id"]: e for e in report["engines"]}
    assert engines["builtin.visual"]["engine_cost"] == pytest.approx(EXPECTED["engines"]["builtin.visual"]
                                                                     ["engine_cost"])
    rows = {a["asset_id"]: a for a in report["assets"]}
    assert rows[arranged.regenerated]["compute_seconds"] == pytest.approx(EXPECTED["regenerated_asset_seconds"])
    assert rows[arranged.regenerated]["first_pass"] is False and rows[arranged.asset_ids[0]]["first_pass"] is True


@pytest.mark.parametrize("role", ["reviewer", "client"])
def test_reviewers_and_clients_are_refused(client: TestClient, arranged: Arranged, role: str) -> None:
    body = problem(client.get(f"{API}/campaigns/{SLUG}/cost", headers=headers(arranged, role=role)), 403)
    assert body["type"].endswith("/forbidden") and "cost" in body["detail"]


def test_unknown_and_other_tenants_campaigns_are_the_same_404(client: TestClient, arranged: Arranged) -> None:
    theirs = problem(client.get(f"{API}/campaigns/globex-launch/cost", headers=headers(arranged)), 404)
    missing = problem(client.get(f"{API}/campaigns/no-such-campaign/cost", headers=headers(arranged)), 404)
    assert theirs["detail"].replace("globex-launch", "X") == missing["detail"].replace("no-such-campaign", "X")
    assert theirs.keys() == missing.keys()
    # and the other way round: globex's producer sees its own campaign, never acme's
    globex = headers(arranged, tenant="globex")
    problem(client.get(f"{API}/campaigns/{SLUG}/cost", headers=globex), 404)
    own = client.get(f"{API}/campaigns/globex-launch/cost", headers=globex)
    assert own.status_code == 200 and own.json()["totals"]["assets"] == 2
    assert not {a["asset_id"] for a in own.json()["assets"]} & set(arranged.asset_ids)


def test_bad_requests(client: TestClient, arranged: Arranged) -> None:
    problem(client.get(f"{API}/campaigns/{SLUG}/cost"), 401)
    problem(client.get(f"{API}/campaigns/Not%20A%20Slug/cost", headers=headers(arranged)), 422)


def test_bad_rates_in_the_workspace_are_a_422(client: TestClient, arranged: Arranged) -> None:
    toml = arranged.ws.root / WORKSPACE_FILE
    good = toml.read_text(encoding="utf-8")
    toml.write_text(good.replace("reviewer_per_hour = 60", "reviewer_per_hour = -60"), encoding="utf-8")
    try:
        body = problem(client.get(f"{API}/campaigns/{SLUG}/cost", headers=headers(arranged)), 422)
    finally:
        toml.write_text(good, encoding="utf-8")
    assert "reviewer_per_hour" in body["detail"] and "greater than or equal to 0" in body["detail"]
    assert client.get(f"{API}/campaigns/{SLUG}/cost", headers=headers(arranged)).status_code == 200


def test_the_route_is_documented(client: TestClient) -> None:
    operation = client.get(f"{API}/openapi.json").json()["paths"][f"{API}/campaigns/{{slug}}/cost"]["get"]
    assert set(operation["responses"]) >= {"200", "401", "403", "404", "422"}
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("CostReportOut")

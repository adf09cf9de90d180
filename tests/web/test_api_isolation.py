"""Tenant isolation and access control, route by route.

Every route under /api/v1 must be listed in ROUTES (a new route fails test_every_route_is_in_the_matrix
until it is), and for each one: another tenant's object is 404 with exactly the body of a missing object,
no token or a bad token is 401, a client is refused producer-only actions (403), and a client asking for
an asset that has not reached review gets 404.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from apikit import MARKER, A, ApiEnv, B
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from assetline.experiments.manage import ExperimentSpec, create_experiment, list_experiments
from assetline.review.lifecycle import CLIENT_VISIBLE
from assetline.store.models import Asset
from assetline.web.api.schemas import MAX_ID

API = "/api/v1"
PROBLEM = "application/problem+json"
MISSING_ID = MAX_ID - 1
MISSING_SLUG = "no-such-campaign"
EXPERIMENT = "iso"
"""An experiment both tenants' campaigns have (see the experiments fixture): the same slug, so a route that
names it shows nothing of the other tenant's."""
PUBLIC = {("GET", "/openapi.json"), ("GET", "/docs")}
"""The schema and its viewer: public, no tenant data."""


@dataclass(frozen=True)
class Target:
    slug: str
    asset_id: int
    version: int = 1


@dataclass(frozen=True)
class Route:
    kind: str
    """tenant (no object in the path), campaign, asset, bulk (asset ids in the body), or storyboard (a campaign's
    storyboard: these campaigns have no videos, so their own storyboards are tested in tests/storyboard/)."""
    body: Callable[[Target], dict[str, Any]] | None = None
    query: str = ""
    content: Callable[[Target], bytes] | None = None
    """A body that is not JSON (sent as text/csv), for routes that take a file."""
    producer_only: bool = False
    """Refused to clients (and reviewers) with 403."""


ROUTES: dict[tuple[str, str], Route] = {
    ("GET", "/me"): Route("tenant"),
    ("GET", "/campaigns"): Route("tenant"),
    ("GET", "/campaigns/{slug}"): Route("campaign"),
    ("POST", "/campaigns/{slug}/runs"): Route("campaign", producer_only=True),
    ("GET", "/campaigns/{slug}/runs"): Route("campaign"),
    ("GET", "/campaigns/{slug}/progress"): Route("campaign"),
    ("GET", "/campaigns/{slug}/cost"): Route("campaign", producer_only=True),
    ("GET", "/campaigns/{slug}/insights"): Route("campaign", query="?metric=ctr"),
    ("GET", "/campaigns/{slug}/assets"): Route("campaign", query="?per_page=5"),
    ("POST", "/campaigns/{slug}/events/import"): Route(
        "campaign", content=lambda t: f"asset_id,impressions\na{t.asset_id},1\n".encode(), producer_only=True),
    ("GET", "/assets/{asset_id}"): Route("asset"),
    ("GET", "/assets/{asset_id}/file"): Route("asset", query="?revision=1"),
    ("GET", "/assets/{asset_id}/revisions"): Route("asset"),
    ("GET", "/assets/{asset_id}/history"): Route("asset"),
    ("GET", "/assets/{asset_id}/lineage"): Route("asset", query="?revision=1"),
    ("GET", "/assets/{asset_id}/qc"): Route("asset", query="?revision=1"),
    ("GET", "/assets/{asset_id}/variants"): Route("asset"),
    ("POST", "/assets/{asset_id}/decisions"): Route(
        "asset", body=lambda t: {"decision": "approve", "expected_version": t.version, "note": "fine"}),
    ("GET", "/assets/{asset_id}/decisions"): Route("asset"),
    ("POST", "/decisions/bulk"): Route(
        "bulk", body=lambda t: {"asset_ids": [t.asset_id], "decision": "approve"}, producer_only=True),
    ("POST", "/assets/{asset_id}/comments"): Route("asset", body=lambda t: {"body": "looks good"}),
    ("GET", "/assets/{asset_id}/comments"): Route("asset"),
    ("POST", "/events"): Route(
        "asset", body=lambda t: {"events": [{"id": f"iso-{t.asset_id}", "asset_id": t.asset_id, "kind": "impression"}]},
        producer_only=True),
    ("POST", "/campaigns/{slug}/experiments"): Route(
        "campaign", body=lambda t: {"slug": "iso-new", "channel": "meta", "arms": [t.asset_id, t.asset_id + 1]},
        producer_only=True),
    ("GET", "/campaigns/{slug}/experiments"): Route("campaign"),
    ("GET", "/campaigns/{slug}/experiments/{experiment}"): Route("campaign"),
    ("PATCH", "/campaigns/{slug}/experiments/{experiment}"): Route(
        "campaign", body=lambda t: {"status": "running"}, producer_only=True),
    ("GET", "/campaigns/{slug}/experiments/{experiment}/results"): Route("campaign"),
    ("GET", "/campaigns/{slug}/storyboards"): Route("storyboard"),
    ("GET", "/campaigns/{slug}/storyboards/{concept}"): Route("storyboard"),
    ("POST", "/campaigns/{slug}/storyboards/{concept}"): Route("storyboard", producer_only=True),
    ("POST", "/campaigns/{slug}/storyboards/{concept}/frames/{index}/decision"): Route(
        "storyboard", body=lambda t: {"decision": "approve", "expected_version": 1, "note": ""}),
    ("GET", "/campaigns/{slug}/storyboards/{concept}/frames/{index}/image"): Route("storyboard"),
    ("GET", "/campaigns/{slug}/storyboards/{concept}/pdf"): Route("storyboard"),
    ("GET", "/campaigns/{slug}/storyboards/{concept}/sheet"): Route("storyboard"),
    ("POST", "/decide"): Route(
        "campaign", body=lambda t: {"campaign": t.slug, "experiment": EXPERIMENT, "channel": "iab",
                                    "format": "iab-300x250", "user_key": "iso-user"}, producer_only=True),
}
KEYS = sorted(ROUTES)
IDS = [f"{m} {p}" for m, p in KEYS]


def keys(keep: Callable[[tuple[str, str], Route], bool]) -> list[tuple[str, str]]:
    return [k for k in KEYS if keep(k, ROUTES[k])]


def select(keep: Callable[[tuple[str, str], Route], bool]) -> list[Any]:
    """Parameters for the routes ``keep`` accepts, each named 'METHOD /path'."""
    return [pytest.param(k, id=f"{k[0]} {k[1]}") for k in keys(keep)]


def call(client: TestClient, key: tuple[str, str], target: Target, headers: dict[str, str] | None) -> Any:
    method, path = key
    route = ROUTES[key]
    url = API + path.format(slug=target.slug, asset_id=target.asset_id, experiment=EXPERIMENT, concept="morning-launch",
                            index=1) + route.query
    body = route.body(target) if route.body else None
    if route.content is not None:
        return client.request(method, url, content=route.content(target),
                              headers={"Content-Type": "text/csv", **(headers or {})})
    return client.request(method, url, json=body, headers=headers or {})


def normalised(text: str, identifier: str | int) -> str:
    return re.sub(rf"(?<![\w-]){re.escape(str(identifier))}(?![\w-])", "{ID}", text)


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["type"] and body["title"]
    return body


def a_target(env: ApiEnv) -> Target:
    return Target(env.ws.campaigns[A], env.free[0] if env.free else 1)


def served_routes(app: Any) -> list[Any]:
    """Every route of the app, included routers expanded (FastAPI ≥ 0.16x includes them lazily)."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # older FastAPI: included routes are copied into app.routes
        return [r for r in app.routes if isinstance(r, APIRoute)]
    return list(iter_route_contexts(app.routes))


def api_routes(app: Any) -> set[tuple[str, str]]:
    """(method, path below /api/v1) of every route the app serves there, documented in OpenAPI or not."""
    found = {(m, r.path.removeprefix(API)) for r in served_routes(app)
             if r.path and r.path.startswith(API + "/") and r.methods for m in r.methods - {"HEAD"}}
    documented = {(m.upper(), p.removeprefix(API)) for p, ops in app.openapi()["paths"].items() for m in ops}
    return (found | documented) - PUBLIC


@pytest.fixture(scope="module", autouse=True)
def experiments(env: ApiEnv) -> None:
    """Experiment EXPERIMENT in each tenant's campaign (once per database: the Postgres one is shared)."""
    with env.database().session() as s:
        for tenant in (A, B):
            slug = env.ws.campaigns[tenant]
            if any(e.slug == EXPERIMENT for e in list_experiments(s, tenant, slug)):
                continue
            ids = sorted(s.scalars(sa.select(Asset.id).where(Asset.tenant_id == tenant,
                                                             Asset.format == "iab-300x250")))
            create_experiment(s, tenant, slug, ExperimentSpec(slug=EXPERIMENT, channel="iab", arms=ids[:2]))


def test_every_route_is_in_the_matrix(client: TestClient) -> None:
    routes = api_routes(client.app)
    assert routes == set(ROUTES), f"add the new API routes to ROUTES: {sorted(routes ^ set(ROUTES))}"


@pytest.mark.parametrize("key", KEYS, ids=IDS)
def test_other_tenants_objects_are_not_found(env: ApiEnv, client: TestClient, key: tuple[str, str]) -> None:
    route = ROUTES[key]
    admin = env.headers(A, "admin")
    b_asset = env.b_assets[0]
    b_version = env.version(b_asset)
    b = Target(env.ws.campaigns[B], b_asset, b_version)
    missing = Target(MISSING_SLUG, MISSING_ID, b_version)
    theirs = call(client, key, b, admin)
    if route.kind == "tenant":
        assert theirs.status_code == 200
        assert B not in theirs.text.lower() and MARKER not in theirs.text
        return
    nothing = call(client, key, missing, admin)
    by_slug = route.kind in ("campaign", "storyboard")
    identifier = b.slug if by_slug else b.asset_id
    if route.kind == "bulk":
        assert theirs.status_code == 200, theirs.text
        assert [o["outcome"] for o in theirs.json()["outcomes"]] == ["skipped"]
    else:
        assert_problem(theirs, 404)
    # Exactly what a missing object gets, once the requested id is blanked out: nothing about B shows.
    assert normalised(theirs.text, identifier) == normalised(nothing.text, MISSING_SLUG if by_slug else MISSING_ID)
    assert MARKER not in theirs.text and "globex launch" not in theirs.text.lower()
    assert env.version(b_asset) == b_version, "B's asset changed"


@pytest.mark.parametrize("key", select(lambda k, r: k[0] == "GET" and r.kind not in ("tenant", "storyboard")))
def test_own_objects_never_show_other_tenants_data(env: ApiEnv, client: TestClient, key: tuple[str, str]) -> None:
    response = call(client, key, a_target(env), env.headers(A, "admin"))
    assert response.status_code == 200, response.text
    if response.headers["content-type"].startswith("application/json"):
        assert B not in response.text.lower() and MARKER not in response.text


@pytest.mark.parametrize("key", KEYS, ids=IDS)
@pytest.mark.parametrize("authorization", [None, "Bearer al_not-a-token", "Basic dXNlcjpwYXNz", "Bearer "],
                         ids=["none", "unknown", "basic", "empty"])
def test_no_valid_token_is_401(env: ApiEnv, client: TestClient, key: tuple[str, str],
                               authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization else None
    response = call(client, key, a_target(env), headers)
    body = assert_problem(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"
    assert body["type"].endswith("/unauthorized")


@pytest.mark.parametrize(("key", "role"), [
    *((k, "client") for k in keys(lambda k, r: r.producer_only)),
    (("POST", "/campaigns/{slug}/runs"), "reviewer"),
], ids=lambda v: v if isinstance(v, str) else f"{v[0]} {v[1]}")
def test_producer_only_actions_are_403(env: ApiEnv, client: TestClient, key: tuple[str, str], role: str) -> None:
    target = a_target(env)
    before = env.version(target.asset_id)
    body = assert_problem(call(client, key, target, env.headers(A, role)), 403)
    assert body["type"].endswith("/forbidden")
    assert env.version(target.asset_id) == before


@pytest.fixture(scope="module")
def hidden(env: ApiEnv) -> int:
    """An acme asset that QC flagged but the review policy has not routed yet (clients must not see it)."""
    (asset_id,) = env.take()
    env.set_status(asset_id, "flagged")
    return asset_id


@pytest.mark.parametrize("key", select(lambda k, r: r.kind == "asset" and not r.producer_only))
def test_client_cannot_see_assets_before_review(env: ApiEnv, client: TestClient, hidden: int,
                                                key: tuple[str, str]) -> None:
    version = env.version(hidden)
    target = Target(env.ws.campaigns[A], hidden, version)
    if key[0] == "GET":  # it is there for producers
        assert call(client, key, target, env.headers(A, "producer")).status_code == 200
    theirs = call(client, key, target, env.headers(A, "client"))
    nothing = call(client, key, Target(target.slug, MISSING_ID, version), env.headers(A, "client"))
    assert_problem(theirs, 404)
    assert normalised(theirs.text, hidden) == normalised(nothing.text, MISSING_ID)
    assert env.version(hidden) == version


def test_client_board_and_counts_leave_out_assets_before_review(env: ApiEnv, client: TestClient,
                                                                hidden: int) -> None:
    slug = env.ws.campaigns[A]
    producer = client.get(f"{API}/campaigns/{slug}/assets?per_page=200", headers=env.headers(A, "producer")).json()
    mine = client.get(f"{API}/campaigns/{slug}/assets?per_page=200", headers=env.headers(A, "client")).json()
    assert hidden in {a["id"] for a in producer["items"]}
    assert hidden not in {a["id"] for a in mine["items"]}
    visible = [a["id"] for a in producer["items"] if a["status"] in CLIENT_VISIBLE]
    assert [a["id"] for a in mine["items"]] == visible and mine["total"] == len(visible)
    assert "flagged" not in mine["facets"]["status"]
    for path in (f"/campaigns/{slug}", f"/campaigns/{slug}/progress"):
        counts = client.get(API + path, headers=env.headers(A, "client")).json()["by_status"]
        assert "flagged" not in counts
    listed = client.get(f"{API}/campaigns", headers=env.headers(A, "client")).json()
    assert [c["slug"] for c in listed] == [slug] and "flagged" not in listed[0]["by_status"]


def test_client_sees_no_run_counts(env: ApiEnv, client: TestClient) -> None:
    slug = env.ws.campaigns[A]
    runs = client.get(f"{API}/campaigns/{slug}/runs", headers=env.headers(A, "client")).json()
    assert runs and all(r["summary"] is None for r in runs)
    produced = client.get(f"{API}/campaigns/{slug}/runs", headers=env.headers(A, "producer")).json()
    assert produced[0]["summary"]["cells"] == 16

"""POST /api/v1/campaigns/{slug}/events/import: a CSV export as the body, against a delivered workspace."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assetline.store.db import Database
from assetline.store.performance import PerformanceRepository
from assetline.web.api.imports import MAX_BODY
from assetline.web.app import create_app
from reviewkit import ReviewWorkspace

DATA = Path(__file__).parents[1] / "experiments" / "data"
META, GOOGLE = (DATA / "meta_ads_export.csv").read_bytes(), (DATA / "google_ads_ad_report.csv").read_bytes()
URL = "/api/v1/campaigns/{slug}/events/import"
PROBLEM = "application/problem+json"


class Env:
    def __init__(self, ws: ReviewWorkspace) -> None:
        self.ws = ws
        self.db = Database(ws.settings().db_url)

    def post(self, client: TestClient, body: bytes, role: str = "producer", slug: str = "acme-launch",
             query: str = "", content_type: str = "text/csv", tenant: str = "acme") -> Any:
        headers = {"Authorization": f"Bearer {self.ws.tokens[(tenant, role)]}", "Content-Type": content_type}
        return client.post(URL.format(slug=slug) + query, content=body, headers=headers)

    def counts(self, tenant: str = "acme") -> dict[int, tuple[int, int, int, float]]:
        with self.db.session() as s:
            return {a: (c.impressions, c.clicks, c.conversions, round(c.value_sum, 6))
                    for a, c in PerformanceRepository(s, tenant).counts().items()}


@pytest.fixture(scope="module")
def env(delivered_base: ReviewWorkspace, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    e = Env(delivered_base.copy_to(tmp_path_factory.mktemp("api-imports") / "ws"))
    yield e
    e.db.dispose()


@pytest.fixture(scope="module")
def client(env: Env) -> Iterator[TestClient]:
    app = create_app(env.ws.settings(), session_secret="test-secret")
    with TestClient(app) as c:
        yield c
    app.state.assetline.db.dispose()


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["title"]
    return body


# Tests run in file order on one workspace: the Google report is imported once, first.
def test_import_answers_the_result_and_updates_counts(env: Env, client: TestClient) -> None:
    r = env.post(client, GOOGLE)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["format"], body["rows"], body["summary_rows"], body["events"], body["accepted"]) == \
        ("google", 6, 2, 21, 21)
    assert {a["asset_id"]: (a["impressions"], a["clicks"], a["conversions"]) for a in body["assets"]} == \
        {1: (41_640, 183, 4), 2: (36_731, 131, 4), 9: (37_452, 134, 1)}
    assert env.counts() == {1: (41_640, 183, 4, 99.81), 2: (36_731, 131, 4, 99.81), 9: (37_452, 134, 1, 24.95)}


def test_the_same_file_again_stores_nothing(env: Env, client: TestClient) -> None:
    before = env.counts()
    body = env.post(client, GOOGLE, role="admin", query="?format=google").json()
    assert body["accepted"] == 0 and body["duplicates"] == 21
    assert env.counts() == before


def test_a_corrected_file_is_409_and_stores_nothing(env: Env, client: TestClient) -> None:
    before = env.counts()
    body = problem(env.post(client, GOOGLE.replace(b'"20,140",88', b'"20,140",90')), 409)
    assert body["type"].endswith("/conflict") and "upload.csv" in body["detail"] and "line 4" in body["detail"]
    assert "append-only" in body["hint"]
    assert env.counts() == before


@pytest.mark.parametrize("role", ["reviewer", "client"])
def test_only_producers_and_admins_may_import(env: Env, client: TestClient, role: str) -> None:
    before = env.counts()
    body = problem(env.post(client, META, role=role), 403)
    assert body["type"].endswith("/forbidden")
    assert env.counts() == before


@pytest.mark.parametrize(("data", "query", "fragment"), [
    (META.replace(b'"12,480",231', b'"12,480",-231'), "", "upload.csv:2: clicks is negative"),
    (META.replace(b'"8,115",96', b"95,96"), "", "upload.csv:4: 96 clicks but only 95 impressions"),
    (b"", "", "upload.csv: the file is empty"),
    ("asset_id,clicks\ncafé,1\n".encode("latin-1"), "", "not UTF-8 or UTF-16 text"),
    (b"asset_id,clicks\na17,1\nspring-promo,2\n", "", "2 ad name(s) match no delivered asset"),  # a17: globex's
    (META, "?format=google", "upload.csv:10: the 'ad name' cell is empty"),  # its summary row
], ids=["negative", "clicks-over-impressions", "empty", "latin-1", "unknown-ads", "wrong-format"])
def test_bad_files_are_422_naming_file_and_line(env: Env, client: TestClient, data: bytes, query: str,
                                                fragment: str) -> None:
    before, theirs = env.counts(), env.counts("globex")
    body = problem(env.post(client, data, query=query), 422)
    assert fragment in body["detail"] and body["hint"]
    assert env.counts() == before and env.counts("globex") == theirs


def test_skip_unknown_imports_the_rest(env: Env, client: TestClient) -> None:
    r = env.post(client, b"asset_id,impressions,clicks\na3,100,2\nspring-promo,5,1\n", query="?skip_unknown=true")
    assert r.status_code == 200, r.text
    assert (r.json()["skipped"], r.json()["unknown"]) == (1, ["spring-promo"])
    assert env.counts()[3] == (100, 2, 0, 0.0)


def test_another_tenants_campaign_is_exactly_a_missing_one(env: Env, client: TestClient) -> None:
    theirs = problem(env.post(client, META, role="admin", slug="globex-launch"), 404)
    missing = problem(env.post(client, META, role="admin", slug="no-such-campaign"), 404)
    assert theirs["detail"].replace("globex-launch", "X") == missing["detail"].replace("no-such-campaign", "X")
    assert env.counts("globex") == {}


def test_bodies_over_the_limit_are_413(env: Env, client: TestClient) -> None:
    before = env.counts()
    huge = b"asset_id,impressions\n" + b"a3,1\n" * (MAX_BODY // 5 + 1)
    body = problem(env.post(client, huge), 413)
    assert body["type"].endswith("/too-large") and "20 MB" in body["detail"] and body["hint"]
    assert env.counts() == before


@pytest.mark.parametrize("content_type", ["application/json", "multipart/form-data; boundary=x"])
def test_a_body_that_is_not_csv_is_415(env: Env, client: TestClient, content_type: str) -> None:
    body = problem(env.post(client, b'{"events": []}', content_type=content_type), 415)
    assert "text/csv" in body["hint"]


def test_bad_query_parameters_are_422(env: Env, client: TestClient) -> None:
    body = problem(env.post(client, META, query="?format=xml"), 422)
    assert body["type"].endswith("/validation")


def test_no_token_is_401(client: TestClient) -> None:
    r = client.post(URL.format(slug="acme-launch"), content=META, headers={"Content-Type": "text/csv"})
    assert problem(r, 401)["type"].endswith("/unauthorized")


def test_the_route_is_documented_with_a_csv_body(client: TestClient) -> None:
    op = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/campaigns/{slug}/events/import"]["post"]
    assert "text/csv" in op["requestBody"]["content"]
    assert {"200", "403", "404", "409", "413", "415", "422"} <= set(op["responses"])

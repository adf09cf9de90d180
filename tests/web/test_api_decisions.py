"""Decisions and comments through the API: optimistic concurrency (threads and sessions), bulk, and the
transaction being committed before the answer leaves the server."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from apikit import A, ApiEnv
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from assetline.access.roles import Actor
from assetline.errors import ConflictError
from assetline.review.direction import LAYOUTS
from assetline.review.service import ReviewService
from assetline.store.models import Decision, Event
from assetline.web.api.schemas import ChangesIn

API = "/api/v1"


def decide(client: TestClient, env: ApiEnv, asset_id: int, role: str = "reviewer", **body: Any) -> Any:
    return client.post(f"{API}/assets/{asset_id}/decisions", json=body, headers=env.headers(A, role))


def decision_rows(env: ApiEnv, asset_id: int) -> tuple[int, int]:
    """(decision rows, review.decision events) of the asset."""
    with env.database().session() as s:
        rows = s.scalar(select(func.count()).select_from(Decision).where(Decision.asset_id == asset_id))
        events = s.scalar(select(func.count()).select_from(Event).where(
            Event.asset_id == asset_id, Event.kind == "review.decision"))
    return rows or 0, events or 0


def test_api_layouts_match_the_direction_module() -> None:
    assert ChangesIn.model_fields["layout"].annotation.__args__[0].__args__ == LAYOUTS  # type: ignore[union-attr]


def test_approve_with_the_current_version(env: ApiEnv, client: TestClient) -> None:
    (asset_id,) = env.take()
    version = env.version(asset_id)
    r = decide(client, env, asset_id, decision="approve", expected_version=version, note="on brand")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["id"] == asset_id and body["status"] == "approved" and body["version"] == version + 1
    log = client.get(f"{API}/assets/{asset_id}/decisions", headers=env.headers(A, "client")).json()
    assert [(d["decision"], d["note"], d["role"]) for d in log] == [("approve", "on brand", "reviewer")]
    history = client.get(f"{API}/assets/{asset_id}/history", headers=env.headers()).json()
    assert history[-1]["kind"] == "review.decision" and history[-1]["to_status"] == "approved"


def test_stale_version_is_409_and_changes_nothing(env: ApiEnv, client: TestClient) -> None:
    (asset_id,) = env.take()
    version = env.version(asset_id)
    assert decide(client, env, asset_id, decision="reject", expected_version=version).status_code == 200
    r = decide(client, env, asset_id, role="client", decision="approve", expected_version=version)
    assert r.status_code == 409 and r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["type"].endswith("/conflict") and r.json()["hint"]
    asset = client.get(f"{API}/assets/{asset_id}", headers=env.headers()).json()
    assert asset["status"] == "rejected" and asset["version"] == version + 1
    assert decision_rows(env, asset_id) == (1, 1)


def test_request_changes_with_explicit_options(env: ApiEnv, client: TestClient) -> None:
    (asset_id,) = env.take()
    asset = client.get(f"{API}/assets/{asset_id}", headers=env.headers()).json()
    layout = next(name for name in LAYOUTS if name != asset["layout"])
    r = decide(client, env, asset_id, role="client", decision="request_changes", expected_version=asset["version"],
               note="try another arrangement", changes={"new_visual": True, "layout": layout})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["status"] == "changes_requested" and out["direction"]["layout"] == layout
    assert out["direction"]["salt"] == 1 and out["direction"]["notes"] == ["try another arrangement"]
    log = client.get(f"{API}/assets/{asset_id}/decisions", headers=env.headers()).json()
    assert log[0]["changes"]["direction"]["layout"] == layout


@pytest.mark.parametrize(("body", "fragment"), [
    ({"decision": "request_changes"}, "say what should change"),
    ({"decision": "approve", "changes": {"new_copy": True}}, "request_changes only"),
])
def test_decisions_that_make_no_sense_are_422(env: ApiEnv, client: TestClient, body: dict[str, Any],
                                              fragment: str) -> None:
    asset_id = env.free[0]
    r = decide(client, env, asset_id, expected_version=env.version(asset_id), **body)
    assert r.status_code == 422 and fragment in r.json()["detail"]
    assert r.json()["type"].endswith("/invalid-request")


def test_comments(env: ApiEnv, client: TestClient) -> None:
    asset_id = env.free[0]
    r = client.post(f"{API}/assets/{asset_id}/comments", json={"body": "  Warmer, please  "},
                    headers=env.headers(A, "client"))
    assert r.status_code == 201, r.text
    assert r.json()["body"] == "Warmer, please" and r.json()["author"] == env.ws.emails[(A, "client")]
    listed = client.get(f"{API}/assets/{asset_id}/comments", headers=env.headers()).json()
    assert listed[-1] == r.json()


def test_bulk_decide_reports_each_asset(env: ApiEnv, client: TestClient) -> None:
    first, second = env.take(2)
    r = client.post(f"{API}/decisions/bulk", headers=env.headers(A, "reviewer"),
                    json={"asset_ids": [first, second, first, 2**31 - 2], "decision": "approve", "note": "batch"})
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["decided"], out["skipped"]) == (2, 1)
    assert [(o["id"], o["outcome"]) for o in out["outcomes"]] == [
        (first, "decided"), (second, "decided"), (2**31 - 2, "skipped")]
    assert "no asset" in out["outcomes"][2]["reason"]
    for asset_id in (first, second):
        assert decision_rows(env, asset_id) == (1, 1)


@pytest.mark.parametrize("decisions", [("approve", "approve"), ("approve", "reject")], ids=["same", "different"])
def test_concurrent_decisions_one_wins(env: ApiEnv, decisions: tuple[str, str]) -> None:
    """Two reviewers decide the same version at the same moment (real threads through the app)."""
    (asset_id,) = env.take()
    version = env.version(asset_id)
    results: list[Any] = [None, None]
    start = threading.Barrier(2)
    with env.client() as client:

        def worker(i: int) -> None:
            role = ("reviewer", "client")[i]
            start.wait()
            results[i] = decide(client, env, asset_id, role=role, decision=decisions[i], expected_version=version)

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        statuses = sorted(r.status_code for r in results)
        assert statuses == [200, 409], [r.text for r in results]
        winner = next(r for r in results if r.status_code == 200).json()
        loser = next(r for r in results if r.status_code == 409)
        assert loser.headers["content-type"].startswith("application/problem+json")
        assert decision_rows(env, asset_id) == (1, 1)
        now = client.get(f"{API}/assets/{asset_id}", headers=env.headers()).json()
        assert now["version"] == version + 1 == winner["version"] and now["status"] == winner["status"]
        log = client.get(f"{API}/assets/{asset_id}/decisions", headers=env.headers()).json()
        assert [d["decision"] for d in log] == [{"approved": "approve", "rejected": "reject"}[now["status"]]]


def test_interleaved_sessions_conflict(env: ApiEnv) -> None:
    """Both sessions read version v; the first commits; the second's write finds the row changed."""
    (asset_id,) = env.take()
    version = env.version(asset_id)
    db = env.database()
    actor = Actor(tenant_id=A, user_id=None, email=env.ws.emails[(A, "reviewer")], role="reviewer")
    with db.session() as s1, db.session() as s2:
        one, two = ReviewService(s1, actor), ReviewService(s2, actor)
        assert one.asset(asset_id).version == two.asset(asset_id).version == version
        one.decide(asset_id, "approve", version)
        s1.commit()
        with pytest.raises(ConflictError):
            two.decide(asset_id, "reject", version)
        s2.rollback()
    assert decision_rows(env, asset_id) == (1, 1)


def test_decision_is_committed_before_the_response_starts(env: ApiEnv) -> None:
    """A client that got its 200 can read its own write: the transaction ends before the response is sent."""
    (asset_id,) = env.take()
    seen: list[tuple[int, int]] = []

    def spy(app: Any) -> Any:
        async def wrapped(scope: Any, receive: Any, send: Any) -> None:
            async def send_spy(message: Any) -> None:
                if message["type"] == "http.response.start" and scope["method"] == "POST":
                    seen.append(decision_rows(env, asset_id))
                await send(message)

            await app(scope, receive, send_spy)

        return wrapped

    with env.client(spy) as client:
        r = decide(client, env, asset_id, decision="approve", expected_version=env.version(asset_id))
    assert r.status_code == 200
    assert seen == [(1, 1)]

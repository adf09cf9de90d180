"""The learning loop's JSON API on a delivered workspace: events (batched, idempotent, all or nothing),
experiments (create, list, read, stop), results (numbers equal the statistics module's) and /decide."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from lloopkit import API, LoopEnv, events
from sqlalchemy import func, select

from assetline.experiments import ProportionCounts, compare
from assetline.store.db import Database
from assetline.store.models import Asset, DcoDecision, PerformanceCounts, PerformanceEvent
from reviewkit import ReviewWorkspace

CAMPAIGN = "acme-launch"
META = "meta-feed-1x1"


@pytest.fixture(scope="module")
def env(delivered_base: ReviewWorkspace, tmp_path_factory: pytest.TempPathFactory) -> LoopEnv:
    return LoopEnv(delivered_base.copy_to(tmp_path_factory.mktemp("loop-api") / "ws"))


@pytest.fixture(scope="module")
def client(env: LoopEnv) -> Iterator[TestClient]:
    with env.client() as c:
        yield c


def stored(env: LoopEnv) -> tuple[int, dict[int, tuple[int, int, int, float]]]:
    db = Database(env.ws.settings().db_url)
    try:
        with db.session() as s:
            n = s.scalar(select(func.count()).select_from(PerformanceEvent)) or 0
            counts = {c.asset_id: (c.impressions, c.clicks, c.conversions, c.value_sum)
                      for c in s.scalars(select(PerformanceCounts))}
        return n, counts
    finally:
        db.dispose()


def post(client: TestClient, env: LoopEnv, batch: list[dict[str, Any]], role: str = "producer",
         tenant: str = "acme") -> Any:
    return client.post(f"{API}/events", json={"events": batch}, headers=env.headers(tenant, role))


# ---------------------------------------------------------------------------------------------------- events
def test_events_add_to_running_counts_and_a_retry_is_harmless(env: LoopEnv, client: TestClient) -> None:
    asset = env.assets(fmt=META)[0].id
    before = stored(env)[1].get(asset, (0, 0, 0, 0.0))
    batch = [*events(asset, 250, 12, prefix="t1"),
             {"id": "t1-buy", "asset_id": asset, "kind": "conversion", "count": 2, "value": 30.5, "user_key": "u"}]
    first = post(client, env, batch)
    assert first.status_code == 200, first.text
    assert first.json() == {"accepted": 3, "duplicates": 0, "assets": [asset]}
    again = post(client, env, batch)
    assert again.json() == {"accepted": 0, "duplicates": 3, "assets": []}
    after = stored(env)[1][asset]
    assert after == (before[0] + 250, before[1] + 12, before[2] + 2, pytest.approx(before[3] + 30.5))


BAD_EVENTS = {
    "negative count": {"count": -3},
    "zero count": {"count": 0},
    "fractional count": {"count": 1.5},
    "unknown kind": {"kind": "view"},
    "no kind": {"kind": None},
    "negative value": {"kind": "conversion", "value": -1},
    "infinite value": {"kind": "conversion", "value": "Infinity"},
    "value on an impression": {"value": 2.0},
    "empty id": {"id": ""},
    "id with a space": {"id": "a b"},
    "id too long": {"id": "x" * 129},
    "unknown field": {"campaign": "acme-launch"},
    "asset id zero": {"asset_id": 0},
    "asset id as text": {"asset_id": "five"},
    "asset id too big": {"asset_id": 2**40},
    "bad timestamp": {"occurred_at": "yesterday"},
}


@pytest.mark.parametrize("change", BAD_EVENTS.values(), ids=BAD_EVENTS.keys())
def test_a_malformed_event_refuses_the_whole_batch(env: LoopEnv, client: TestClient,
                                                   change: dict[str, Any]) -> None:
    asset = env.assets(fmt=META)[1].id
    good = {"id": "bad-good-1", "asset_id": asset, "kind": "impression", "count": 5}
    bad = {"id": "bad-2", "asset_id": asset, "kind": "impression", "count": 1}
    bad.update(change)
    bad = {k: v for k, v in bad.items() if v is not None}
    before = stored(env)
    response = post(client, env, [good, bad])
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "Traceback" not in response.text
    assert stored(env) == before


@pytest.mark.parametrize("body", [{}, {"events": []}, {"events": "x"}, [], {"events": [{}]}],
                         ids=["no events key", "empty", "not a list", "array body", "empty event"])
def test_malformed_bodies_are_422(env: LoopEnv, client: TestClient, body: Any) -> None:
    response = client.post(f"{API}/events", json=body, headers=env.headers())
    assert response.status_code == 422, response.text


def test_a_batch_over_the_limit_is_422(env: LoopEnv, client: TestClient) -> None:
    asset = env.assets(fmt=META)[1].id
    batch = [{"id": f"big-{i}", "asset_id": asset, "kind": "impression"} for i in range(10_001)]
    before = stored(env)
    assert post(client, env, batch).status_code == 422
    assert stored(env) == before


def test_duplicate_ids_in_one_batch_are_refused(env: LoopEnv, client: TestClient) -> None:
    asset = env.assets(fmt=META)[1].id
    batch = [{"id": "dup-1", "asset_id": asset, "kind": "impression"},
             {"id": "dup-1", "asset_id": asset, "kind": "click"}]
    before = stored(env)
    response = post(client, env, batch)
    assert response.status_code == 422 and "appears twice" in response.json()["detail"]
    assert stored(env) == before


def test_a_stored_id_with_another_payload_is_a_conflict(env: LoopEnv, client: TestClient) -> None:
    asset = env.assets(fmt=META)[1].id
    assert post(client, env, [{"id": "conf-1", "asset_id": asset, "kind": "impression", "count": 3}]).status_code == 200
    before = stored(env)
    response = post(client, env, [{"id": "conf-2", "asset_id": asset, "kind": "impression"},
                                  {"id": "conf-1", "asset_id": asset, "kind": "impression", "count": 4}])
    assert response.status_code == 409, response.text
    assert "conf-1" in response.json()["detail"]
    assert stored(env) == before


def test_unknown_and_other_tenants_assets_look_alike_and_store_nothing(env: LoopEnv, client: TestClient) -> None:
    mine = env.assets(fmt=META)[1].id
    theirs = env.assets("globex")[0].id
    missing = 2**31 - 2
    before = stored(env)
    answers = {}
    for other in (theirs, missing):
        response = post(client, env, [{"id": f"x-{other}", "asset_id": mine, "kind": "impression"},
                                      {"id": f"y-{other}", "asset_id": other, "kind": "impression"}])
        assert response.status_code == 404, response.text
        answers[other] = response.json()["detail"].replace(str(other), "{ID}")
    assert answers[theirs] == answers[missing]
    assert stored(env) == before


@pytest.mark.parametrize("role", ["client", "reviewer"])
def test_only_producers_and_admins_send_events(env: LoopEnv, client: TestClient, role: str) -> None:
    asset = env.assets(fmt=META)[1].id
    before = stored(env)
    assert post(client, env, events(asset, 10, 1, prefix=role), role=role).status_code == 403
    assert stored(env) == before


def test_events_need_a_token(env: LoopEnv, client: TestClient) -> None:
    assert client.post(f"{API}/events", json={"events": []}).status_code == 401


# ---------------------------------------------------------------------------------------------------- experiments
def create(client: TestClient, env: LoopEnv, **body: Any) -> Any:
    return client.post(f"{API}/campaigns/{CAMPAIGN}/experiments", json=body, headers=env.headers())


def test_create_list_read_and_stop_an_experiment(env: LoopEnv, client: TestClient) -> None:
    meta = [a.id for a in env.assets(fmt=META)]
    response = create(client, env, slug="crud", channel="meta", arms=meta[:3], control=meta[1],
                      cap={"max_impressions": 2, "per_seconds": 3600}, flight_start="2026-01-01")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["arms"] == meta[:3] and body["control"] == meta[1] and body["fallback"] == meta[1]
    assert body["cap"] == {"max_impressions": 2, "per_seconds": 3600} and body["status"] == "running"
    listed = client.get(f"{API}/campaigns/{CAMPAIGN}/experiments", headers=env.headers("acme", "client")).json()
    assert "crud" in [e["slug"] for e in listed]
    stopped = client.patch(f"{API}/campaigns/{CAMPAIGN}/experiments/crud", json={"status": "stopped"},
                           headers=env.headers())
    assert stopped.status_code == 200 and stopped.json()["status"] == "stopped"
    assert client.get(f"{API}/campaigns/{CAMPAIGN}/experiments/crud",
                      headers=env.headers()).json()["status"] == "stopped"


def test_default_arms_are_the_channels_approved_assets(env: LoopEnv, client: TestClient) -> None:
    response = create(client, env, slug="defaults", channel="iab", segment="london-commuters")
    assert response.status_code == 201, response.text
    expected = [a.id for a in env.assets(fmt="iab-300x250") if a.segment == "london-commuters"]
    assert response.json()["arms"] == expected and response.json()["control"] == min(expected)


def bad_specs(env: LoopEnv) -> dict[str, tuple[dict[str, Any], int, str]]:
    meta = [a.id for a in env.assets(fmt=META)]
    iab = [a.id for a in env.assets(fmt="iab-300x250")]
    theirs = env.assets("globex")[0].id
    return {
        "slug taken": ({"slug": "taken", "channel": "meta", "arms": meta[:2]}, 409, "already has"),
        "asset of another channel": ({"slug": "b1", "channel": "meta", "arms": [meta[0], iab[0]]}, 422,
                                     "not made for a meta format"),
        "unknown channel": ({"slug": "b2", "channel": "myspace", "arms": meta[:2]}, 422, "no format"),
        "one arm": ({"slug": "b3", "channel": "meta", "arms": meta[:1]}, 422, "at least 2 arms"),
        "control not an arm": ({"slug": "b4", "channel": "meta", "arms": meta[:2], "control": meta[3]}, 422,
                               "not one of the arms"),
        "other tenant's asset": ({"slug": "b5", "channel": "iab", "arms": [iab[0], theirs]}, 404, "no asset"),
        "missing asset": ({"slug": "b6", "channel": "meta", "arms": [meta[0], 2**31 - 2]}, 404, "no asset"),
        "arm twice": ({"slug": "b7", "channel": "meta", "arms": [meta[0], meta[0]]}, 422, "twice"),
        "flight backwards": ({"slug": "b8", "channel": "meta", "arms": meta[:2], "flight_start": "2027-01-02",
                              "flight_end": "2027-01-01"}, 422, "before"),
        "bad metric": ({"slug": "b9", "channel": "meta", "arms": meta[:2], "metric": "likes"}, 422, ""),
        "bad slug": ({"slug": "Bad Slug", "channel": "meta", "arms": meta[:2]}, 422, ""),
        "explore too high": ({"slug": "b10", "channel": "meta", "arms": meta[:2], "explore": 0.9}, 422, ""),
        "negative burn-in": ({"slug": "b11", "channel": "meta", "arms": meta[:2], "burn_in_units": -1}, 422, ""),
        "zero cap": ({"slug": "b12", "channel": "meta", "arms": meta[:2],
                      "cap": {"max_impressions": 0, "per_seconds": 10}}, 422, ""),
        "wrong segment": ({"slug": "b13", "channel": "meta", "segment": "nowhere", "arms": meta[:2]}, 422,
                          "not for segment"),
    }


def test_bad_experiments_are_refused_with_a_reason(env: LoopEnv, client: TestClient) -> None:
    meta = [a.id for a in env.assets(fmt=META)]
    assert create(client, env, slug="taken", channel="meta", arms=meta[:2]).status_code == 201
    for name, (body, status, words) in bad_specs(env).items():
        before = client.get(f"{API}/campaigns/{CAMPAIGN}/experiments", headers=env.headers()).json()
        response = create(client, env, **body)
        assert response.status_code == status, (name, response.text)
        assert words in response.text, (name, response.text)
        assert client.get(f"{API}/campaigns/{CAMPAIGN}/experiments", headers=env.headers()).json() == before


@pytest.mark.parametrize("role", ["client", "reviewer"])
def test_only_producers_manage_experiments(env: LoopEnv, client: TestClient, role: str) -> None:
    meta = [a.id for a in env.assets(fmt=META)]
    response = client.post(f"{API}/campaigns/{CAMPAIGN}/experiments", headers=env.headers("acme", role),
                           json={"slug": f"r-{role}", "channel": "meta", "arms": meta[:2]})
    assert response.status_code == 403


def test_results_equal_the_statistics_module(env: LoopEnv, client: TestClient) -> None:
    meta = [a.id for a in env.assets(fmt=META)][4:7]
    assert create(client, env, slug="stats", channel="meta", arms=meta).status_code == 201
    truth = {meta[0]: (4000, 200), meta[1]: (4100, 260), meta[2]: (3900, 150)}
    batch = [e for a, (n, k) in truth.items() for e in events(a, n, k, prefix="stats")]
    assert post(client, env, batch).status_code == 200
    report = client.get(f"{API}/campaigns/{CAMPAIGN}/experiments/stats/results", headers=env.headers()).json()
    arms = {a["asset_id"]: a for a in report["arms"]}
    assert arms[meta[0]]["control"] and arms[meta[0]]["result"] is None
    for asset in meta[1:]:
        n, k = truth[asset]
        expected = compare(ProportionCounts(*truth[meta[0]]), ProportionCounts(n, k))
        got = arms[asset]["result"]
        assert got["chance_to_beat_control"] == pytest.approx(expected.chance_to_beat_control, abs=1e-12)
        assert got["expected_lift"] == pytest.approx(expected.expected, abs=1e-12)
        assert got["ci"] == pytest.approx(list(expected.ci), abs=1e-12)
        assert got["risk_variant"] == pytest.approx(expected.risk_variant, abs=1e-12)
        assert arms[asset]["rate"] == pytest.approx(k / n)
    assert arms[meta[1]]["result"]["chance_to_beat_control"] > 0.98
    assert arms[meta[2]]["result"]["chance_to_beat_control"] < 0.05
    assert report["srm"]["expected"] == "equal split" and not report["srm"]["mismatch"]


# ---------------------------------------------------------------------------------------------------- decide
def ask(client: TestClient, env: LoopEnv, experiment: str, tenant: str = "acme", **extra: Any) -> Any:
    body = {"campaign": CAMPAIGN if tenant == "acme" else "globex-launch", "experiment": experiment,
            "channel": "meta", "format": META, "user_key": "user-1", "country": "GB", "language": "en", **extra}
    return client.post(f"{API}/decide", json=body, headers=env.headers(tenant))


def test_decide_serves_eligible_arms_with_propensities_and_logs_them(env: LoopEnv, client: TestClient) -> None:
    london = [a.id for a in env.assets(fmt=META) if a.segment == "london-commuters"]
    assert create(client, env, slug="dco", channel="meta", arms=london, burn_in_units=1000).status_code == 201
    chosen = []
    for i in range(40):
        response = ask(client, env, "dco", user_key=f"u{i}", request_id=f"req-{i}")
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["phase"] == "burn_in" and not body["fallback"]
        assert body["propensity"] == pytest.approx(1 / len(london))
        assert set(body["weights"]) == {str(a) for a in london}
        chosen.append(body["asset_id"])
    assert set(chosen) == set(london)  # 40 uniform draws over 4 arms miss one with probability < 1e-4
    client.app.state.assetline.dco.flush()
    db = Database(env.ws.settings().db_url)
    with db.session() as s:
        logged = s.scalars(select(DcoDecision).where(DcoDecision.request_id.like("req-%"))).all()
    db.dispose()
    assert len(logged) == 40 and all(r.propensity == pytest.approx(0.25) for r in logged)
    assert sorted(r.asset_id for r in logged) == sorted(chosen)


def test_decide_excludes_with_reasons_and_falls_back(env: LoopEnv, client: TestClient) -> None:
    london = [a.id for a in env.assets(fmt=META) if a.segment == "london-commuters"]
    assert create(client, env, slug="fb", channel="meta", arms=london).status_code == 201
    wrong_country = ask(client, env, "fb", country="FR").json()
    assert wrong_country["fallback"] and wrong_country["phase"] == "fallback"
    assert wrong_country["asset_id"] == min(london) and wrong_country["propensity"] == 1.0
    assert all("segment" in e["reasons"] for e in wrong_country["excluded"])
    wrong_format = ask(client, env, "fb", format="iab-300x250").json()
    assert wrong_format["fallback"] and all("wrong_format" in e["reasons"] for e in wrong_format["excluded"])


def test_frequency_cap_per_user_key(env: LoopEnv, client: TestClient) -> None:
    london = [a.id for a in env.assets(fmt=META) if a.segment == "london-commuters"][:2]
    assert create(client, env, slug="cap", channel="meta", arms=london,
                  cap={"max_impressions": 1, "per_seconds": 3600}).status_code == 201
    seen = [ask(client, env, "cap", user_key="capped").json() for _ in range(3)]
    assert sorted(s["asset_id"] for s in seen[:2]) == sorted(london)
    assert seen[2]["fallback"] and {r for e in seen[2]["excluded"] for r in e["reasons"]} == {"frequency_cap"}
    assert not ask(client, env, "cap", user_key="someone-else").json()["fallback"]


def test_a_stopped_experiment_serves_its_fallback(env: LoopEnv, client: TestClient) -> None:
    london = [a.id for a in env.assets(fmt=META) if a.segment == "london-commuters"]
    assert create(client, env, slug="stop", channel="meta", arms=london, fallback=london[-1]).status_code == 201
    assert not ask(client, env, "stop").json()["fallback"]
    client.patch(f"{API}/campaigns/{CAMPAIGN}/experiments/stop", json={"status": "stopped"}, headers=env.headers())
    server = client.app.state.assetline.dco
    server.refresh_seconds = 0.0
    server.refresh()
    body = ask(client, env, "stop").json()
    assert body["phase"] == "stopped" and body["asset_id"] == london[-1]


def test_arms_are_rebuilt_only_when_their_fingerprint_changes(env: LoopEnv, client: TestClient,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    london = [a.id for a in env.assets(fmt=META) if a.segment == "london-commuters"]
    assert create(client, env, slug="fp", channel="meta", arms=london).status_code == 201
    assert not ask(client, env, "fp").json()["fallback"]
    server = client.app.state.assetline.dco
    builds: list[int] = []
    real = type(server)._arms
    monkeypatch.setattr(type(server), "_arms", staticmethod(lambda s, e, c: builds.append(e.id) or real(s, e, c)))
    server.refresh_seconds = server.arms_seconds = 0.0
    server.refresh()
    assert builds == []  # nothing changed: no lineage reads on the background thread
    mine = server._index[("acme", CAMPAIGN, "fp")]
    db = Database(env.ws.settings().db_url)
    try:
        with db.session() as s:
            s.get(Asset, london[0]).status = "rejected"
        server.refresh()
        assert builds.count(mine) == 1  # (other tests' experiments with this arm are rebuilt too)
        body = ask(client, env, "fp", user_key="fp-user").json()
        assert str(london[0]) not in body["weights"]
        assert any(e["asset_id"] == london[0] and "not_approved" in e["reasons"] for e in body["excluded"])
    finally:
        with db.session() as s:
            s.get(Asset, london[0]).status = "delivered"
        db.dispose()
    server.refresh()
    assert builds.count(mine) == 2 and str(london[0]) in ask(client, env, "fp", user_key="fp-2").json()["weights"]


def test_decide_bad_input(env: LoopEnv, client: TestClient) -> None:
    london = [a.id for a in env.assets(fmt=META) if a.segment == "london-commuters"]
    create(client, env, slug="bad-in", channel="meta", arms=london)
    missing = ask(client, env, "no-such-experiment")
    theirs = ask(client, env, "bad-in", tenant="globex")
    assert missing.status_code == 404 and theirs.status_code == 404
    assert missing.json()["detail"].replace("acme-launch", "C").replace("no-such-experiment", "E") == \
        theirs.json()["detail"].replace("globex-launch", "C").replace("bad-in", "E")
    for change in ({"user_key": ""}, {"user_key": None}, {"campaign": "Bad Slug"}, {"extra": 1},
                   {"attributes": {"k": 5}}, {"request_id": "has space"}):
        body = {"campaign": CAMPAIGN, "experiment": "bad-in", "channel": "meta", "format": META,
                "user_key": "u", **change}
        body = {k: v for k, v in body.items() if v is not None}
        response = client.post(f"{API}/decide", json=body, headers=env.headers())
        assert response.status_code == 422, (change, response.text)
    assert client.post(f"{API}/decide", json={}, headers={"Authorization": "Bearer nope"}).status_code == 401
    assert ask(client, env, "bad-in", tenant="acme").status_code == 200
    refused = client.post(f"{API}/decide", headers=env.headers("acme", "client"),
                          json={"campaign": CAMPAIGN, "experiment": "bad-in", "channel": "meta", "format": META,
                                "user_key": "u"})
    assert refused.status_code == 403


def test_experiment_routes_are_404_for_unknown_campaigns(env: LoopEnv, client: TestClient,
                                                         tmp_path: Path) -> None:
    for path in ("/campaigns/nope/experiments", "/campaigns/nope/experiments/x",
                 "/campaigns/nope/experiments/x/results", f"/campaigns/{CAMPAIGN}/experiments/nope/results"):
        assert client.get(API + path, headers=env.headers()).status_code == 404, path

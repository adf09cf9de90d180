"""The whole learning loop on a synthetic audience: decide → show → click → events → insights → next round.

The audience's true click-through rate of an asset is the sum of its attributes' effects (layout hero +8 %,
split +3 %, product +1 %; concept morning-launch +2 %): arm "morning-launch / hero" is the best. The simulation
asks POST /decide for every impression, draws each click from the true rate (seeded), posts the round's events
to POST /events, and refreshes the decision server. The experiment explores (10 % uniform traffic): without it
Thompson sampling starves the runner-up, and no attribute ever has enough data on both sides to be called.
After the rounds, traffic must have moved to the best arm, the insights must name
the winning layout, and the next round's brief must keep it.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from lloopkit import API, LoopEnv
from ruamel.yaml import YAML

from assetline.experiments.insights import campaign_insights
from assetline.experiments.next_round import next_round
from assetline.spec.loader import load_campaign
from assetline.store.db import Database
from assetline.store.models import Artifact, Asset
from reviewkit import ReviewWorkspace

CAMPAIGN = "acme-launch"
SEGMENT = "london-commuters"
LAYOUT_EFFECT = {"hero": 0.08, "split": 0.03, "product": 0.01}
CONCEPT_EFFECT = {"morning-launch": 0.02, "lift-off": 0.0}
ROUNDS, PER_ROUND = 20, 250


def true_ctr(layout: str, concept: str) -> float:
    return LAYOUT_EFFECT[layout] + CONCEPT_EFFECT[concept]


@pytest.fixture(scope="module")
def env(delivered_base: ReviewWorkspace, tmp_path_factory: pytest.TempPathFactory) -> LoopEnv:
    return LoopEnv(delivered_base.copy_to(tmp_path_factory.mktemp("loop-sim") / "ws"))


def arms_with_truth(env: LoopEnv) -> dict[int, float]:
    db = Database(env.ws.settings().db_url)
    try:
        with db.session() as s:
            rows = [(a.id, a.concept, s.get(Artifact, a.artifact_id)) for a in s.query(Asset).filter(
                Asset.tenant_id == "acme", Asset.format == "meta-feed-1x1", Asset.segment == SEGMENT)]
            return {asset_id: true_ctr(art.meta["layout"], concept) for asset_id, concept, art in rows if art}
    finally:
        db.dispose()


def simulate(env: LoopEnv, truth: dict[int, float]) -> list[Counter[int]]:
    rng = np.random.default_rng(20261204)
    traffic: list[Counter[int]] = []
    with env.client() as client:
        created = client.post(f"{API}/campaigns/{CAMPAIGN}/experiments", headers=env.headers(), json={
            "slug": "sim", "channel": "meta", "segment": SEGMENT, "arms": sorted(truth), "burn_in_units": 150,
            "explore": 0.1})
        assert created.status_code == 201, created.text
        server = client.app.state.assetline.dco
        server.refresh_seconds = 0.0
        for r in range(ROUNDS):
            shown: Counter[int] = Counter()
            batch: list[dict[str, Any]] = []
            for i in range(PER_ROUND):
                body = {"campaign": CAMPAIGN, "experiment": "sim", "channel": "meta", "format": "meta-feed-1x1",
                        "user_key": f"user-{r}-{i}", "country": "GB", "language": "en", "request_id": f"r{r}-{i}"}
                decision = client.post(f"{API}/decide", json=body, headers=env.headers()).json()
                assert not decision["fallback"] and 0 < decision["propensity"] <= 1
                asset = decision["asset_id"]
                shown[asset] += 1
                batch.append({"id": f"imp-{r}-{i}", "asset_id": asset, "kind": "impression",
                              "user_key": body["user_key"]})
                if rng.random() < truth[asset]:
                    batch.append({"id": f"clk-{r}-{i}", "asset_id": asset, "kind": "click",
                                  "user_key": body["user_key"]})
            posted = client.post(f"{API}/events", json={"events": batch}, headers=env.headers())
            assert posted.status_code == 200 and posted.json()["accepted"] == len(batch), posted.text
            server.refresh()
            traffic.append(shown)
        server.flush()
        results = client.get(f"{API}/campaigns/{CAMPAIGN}/experiments/sim/results", headers=env.headers()).json()
    assert not results["srm"]["mismatch"] and results["srm"]["expected"] == "served decisions"
    return traffic


@pytest.fixture(scope="module")
def simulated(env: LoopEnv) -> tuple[dict[int, float], list[Counter[int]]]:
    truth = arms_with_truth(env)
    assert sorted(truth.values()) == sorted({0.10, 0.03 + 0.02, 0.01, 0.08}), "the fixture's layouts changed"
    return truth, simulate(env, truth)


def test_traffic_concentrates_on_the_best_arm(simulated: tuple[dict[int, float], list[Counter[int]]]) -> None:
    truth, traffic = simulated
    best = max(truth, key=lambda a: truth[a])
    first, last = traffic[0], sum(traffic[-6:], Counter())
    assert max(first.values()) / PER_ROUND < 0.4  # burn-in: about a quarter each
    share = last[best] / sum(last.values())
    assert share > 0.6, f"best arm got {share:.0%} of the last rounds' traffic: {last}"
    worst = min(truth, key=lambda a: truth[a])
    assert last[worst] / sum(last.values()) < 0.06  # the exploration floor: 0.1 / 4


def test_insights_name_the_winning_layout(env: LoopEnv, simulated: Any) -> None:
    db = Database(env.ws.settings().db_url)
    try:
        with db.session() as s:
            insights = campaign_insights(s, "acme", CAMPAIGN, metric="ctr", segment=SEGMENT)
    finally:
        db.dispose()
    winners = {(w.attribute, w.value) for w in insights.winners()}
    assert ("layout", "hero") in winners, insights.to_dict()
    layout = insights.attribute("layout", SEGMENT)
    assert layout is not None and layout.winner == "hero" and layout.p_best >= 0.95


def test_next_round_keeps_the_winner(env: LoopEnv, simulated: Any, tmp_path: Path) -> None:
    out = env.ws.root / "brief-acme" / "next-round.yaml"
    db = Database(env.ws.settings().db_url)
    try:
        with db.session() as s:
            result = next_round(s, "acme", CAMPAIGN, out, metric="ctr")
    finally:
        db.dispose()
    loaded = load_campaign(out)
    assert loaded.campaign.id != CAMPAIGN
    data = YAML(typ="safe").load(out.read_text(encoding="utf-8"))
    assert "hero" in str(data), "the winning layout is gone from the next round"
    assert any(c.kind in ("lead_layout", "drop_layout") and "hero" in c.detail + c.where for c in result.changes) \
        or any(w.get("value") == "hero" for w in result.winners), result.to_dict()

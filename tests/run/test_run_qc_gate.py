"""QC gates in a campaign run: results stored with each render, policy statuses, regeneration on failure."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML
from sqlalchemy import select

from assetline.api import campaign_status, run_campaign
from assetline.run.gate import decide
from assetline.spec.campaign import QCPolicy
from assetline.store.db import Database
from assetline.store.models import Artifact, Asset, Event

PER_ASSET = {"brand.palette", "text.contrast", "brand.logo", "channel.spec", "copy.rules", "copy.bias",
             "safety.nudity"}
yaml = YAML()


def tiny(brief: Path, **changes: Any) -> Path:
    """The demo brief cut to 1 concept × 1 segment × 2 formats × 1 variant, with ``changes`` applied."""
    path = brief / "campaign.yaml"
    c = yaml.load(path)
    c["concepts"] = c["concepts"][:1]
    c["segments"] = c["segments"][:1]
    c["formats"] = c["formats"][:2]
    c["variants"] = 1
    for key, value in changes.items():
        c[key] = value
    yaml.dump(c, path)
    return path


def banned_headline(brief: Path, retries: int) -> Path:
    """Two headline alternatives, one with the kit's banned term 'miracle'; seed 2 draws it first and the
    other on the first regeneration. The kit's disclaimer rule is dropped so a clean render passes."""
    brand = brief / "brand.yaml"
    kit = yaml.load(brand)
    kit["voice"]["required_disclaimers"] = []
    yaml.dump(kit, brand)
    path = tiny(brief, seed=2, qc={"retries": retries})
    c = yaml.load(path)
    c["concepts"][0]["copy"]["headline"] = ["Miracle brew for your morning", "Fuel your morning launch"]
    yaml.dump(c, path)
    return path


def statuses(ws: Path) -> dict[str, int]:
    """The gate's verdicts (review routing moves the status on; the verdict stays in ``qc_status``)."""
    assert sum(campaign_status(ws)["campaigns"][0]["by_status"].values()) > 0
    out: dict[str, int] = {}
    for asset in rows(ws, Asset):
        verdict = asset.qc_status or asset.status
        out[verdict] = out.get(verdict, 0) + 1
    return out


def rows(ws: Path, model: Any) -> list[Any]:
    db = Database(f"sqlite:///{ws / 'assetline.db'}")
    with db.session() as s:
        out = list(s.scalars(select(model)))
        s.expunge_all()
    db.dispose()
    return out


def test_policy_decides_from_stored_results() -> None:
    results = [{"check": "copy.rules", "status": "fail", "message": "banned"},
               {"check": "brand.palette", "status": "warn", "message": "off"}]
    assert decide(results, QCPolicy()).status == "failed"
    assert decide(results, QCPolicy(warn=["copy.rules"])).status == "flagged"
    assert decide(results, QCPolicy(block=["text.contrast"])).status == "flagged"
    assert decide(results, QCPolicy(block=["copy.rules"])).reasons == ["copy.rules: banned"]
    assert decide(results[1:], QCPolicy()).status == "flagged"
    assert decide([{"check": "x", "status": "na", "message": ""}], QCPolicy()).status == "passed"


def test_clean_demo_assets_pass_and_results_are_stored(demo_brief: Path, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    summary = run_campaign(tiny(demo_brief), ws, executor="inline")
    assert summary.rendered == 2 and summary.failed == 0
    assert summary.qc["failed"] == 0 and summary.qc["passed"] + summary.qc["flagged"] == 2
    assert summary.qc["retried"] == 0
    by_status = statuses(ws)
    assert set(by_status) <= {"passed", "flagged"} and sum(by_status.values()) == 2
    renders = [a for a in rows(ws, Artifact) if a.step == "compose"]
    assert len(renders) == 2
    for art in renders:
        qc = {r["check"]: r for r in art.meta["qc"]}
        assert set(qc) >= PER_ASSET
        assert all(r["status"] != "fail" for r in qc.values()), qc
        assert art.meta["lineage"]["params"]["qc"]["versions"]["copy.rules"]

    again = run_campaign(demo_brief / "campaign.yaml", ws, executor="inline")
    assert again.rendered == 0 and again.reused == 2 and again.qc == summary.qc
    assert statuses(ws) == by_status


def test_blocking_failure_regenerates_until_it_passes(demo_brief: Path, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    campaign = banned_headline(demo_brief, retries=2)
    summary = run_campaign(campaign, ws, executor="inline")
    assert summary.qc["retried"] == 2 and summary.qc["regenerations"] == 2
    assert summary.qc["passed"] == 2 and summary.qc["failed"] == 0
    assert summary.rendered == 4  # two first attempts, two regenerations
    assert statuses(ws) == {"passed": 2}

    renders = {a.id: a for a in rows(ws, Artifact) if a.step == "compose"}
    for asset in rows(ws, Asset):
        final = renders[asset.artifact_id]
        assert final.meta["lineage"]["params"]["attempt"] == 1
        assert final.meta["copy"]["headline"] == "Fuel your morning launch"
        assert asset.revision == 2  # the failed first attempt, then the regeneration
    first = [a for a in renders.values() if a.meta["lineage"]["params"]["attempt"] == 0]
    assert all(a.meta["copy"]["headline"].startswith("Miracle") for a in first)
    passed = [e for e in rows(ws, Event) if e.to_status == "passed"]
    assert len(passed) == 2 and all("miracle" in str(e.data["regenerated_after"]).lower() for e in passed)

    again = run_campaign(campaign, ws, executor="inline")
    assert again.rendered == 0 and again.qc == summary.qc
    assert statuses(ws) == {"passed": 2}


@pytest.mark.parametrize("retries", [0])
def test_out_of_retries_fails_with_reasons(demo_brief: Path, tmp_path: Path, retries: int) -> None:
    ws = tmp_path / "ws"
    summary = run_campaign(banned_headline(demo_brief, retries), ws, executor="inline")
    assert summary.qc["failed"] == 2 and summary.qc["retried"] == 0 and summary.rendered == 2
    assert len(summary.qc_failures) == 2
    assert all("miracle" in " ".join(f["reasons"]).lower() for f in summary.qc_failures)
    assert statuses(ws) == {"failed": 2}
    failed = [e for e in rows(ws, Event) if e.to_status == "failed"]
    assert len(failed) == 2
    assert all(e.reason.startswith("QC failed") and "copy.rules" in e.reason for e in failed)

"""Incremental runs: an unchanged re-run renders nothing; an edit re-renders exactly what it touches.
Runs on SQLite and, when available, on the real Postgres (db_url fixture)."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image
from ruamel.yaml import YAML
from small_brief import set_headline, shrink
from sqlalchemy import create_engine, select
from typer.testing import CliRunner

from assetline.api import campaign_status, doctor, run_campaign
from assetline.cli.main import app
from assetline.store.models import Artifact, Asset


def _run_json(campaign: Path, ws: Path, db_url: str) -> dict:
    result = CliRunner().invoke(app, ["run", str(campaign), "-w", str(ws), "--json", "--workers", "2"],
                                env={"ASSETLINE_DATABASE_URL": db_url})
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _renders(db_url: str) -> dict[str, int | None]:
    """cell → the artifact its asset points at."""
    engine = create_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(select(Asset.cell_key, Asset.artifact_id)).all()
    engine.dispose()
    return {cell: art for cell, art in rows}


def campaign_concept(campaign: Path, index: int) -> str:
    return str(YAML(typ="safe").load(campaign.read_text(encoding="utf-8"))["concepts"][index]["id"])


def test_rerun_renders_nothing_and_edit_renders_only_that_concept(demo_brief: Path, tmp_path: Path,
                                                                  db_url: str) -> None:
    campaign = shrink(demo_brief, concepts=2, segments=2, formats=("iab-300x250", "meta-feed-1x1"), variants=1)
    ws = tmp_path / "ws"
    first = _run_json(campaign, ws, db_url)
    # QC may regenerate a cell with a new seed, so renders can exceed cells; every cell ends with one.
    assert first["cells"] == 8 and first["rendered"] >= 8 and first["failed"] == 0
    before = _renders(db_url)
    assert len(before) == 8

    again = _run_json(campaign, ws, db_url)
    assert again["rendered"] == 0
    assert all(v["executed"] == 0 for v in again["steps"].values())
    assert _renders(db_url) == before

    set_headline(campaign, 0, "A brand new headline for concept one")
    edited = _run_json(campaign, ws, db_url)
    assert edited["rendered"] >= 4  # concept 0 × 2 segments × 2 formats (plus any QC regeneration)
    assert edited["steps"]["visual"]["executed"] == 0  # visuals do not depend on copy
    after = _renders(db_url)
    changed = {cell for cell in before if before[cell] != after[cell]}
    concept0 = sorted(cell for cell in before if cell.startswith(campaign_concept(campaign, 0) + "/"))
    assert sorted(changed) == concept0 and len(concept0) == 4

    status = campaign_status(ws, database_url=db_url)
    counts = status["campaigns"][0]["by_status"]
    assert sum(counts.values()) == 8
    report = doctor(ws, database_url=db_url)
    assert report.ok, report.to_dict()


def test_outputs_are_real_images_with_the_format_size(demo_brief: Path, tmp_path: Path, db_url: str) -> None:
    campaign = shrink(demo_brief, concepts=1, segments=1, formats=("iab-728x90", "meta-feed-4x5"))
    summary = run_campaign(campaign, tmp_path / "ws", database_url=db_url, executor="inline")
    out = Path(summary.output_dir)
    files = sorted(p for p in out.rglob("*") if p.suffix in {".jpg", ".png"} and "thumbs" not in p.parts)
    assert len(files) == 2
    sizes = {Image.open(p).size for p in files}
    assert sizes == {(728, 90), (1080, 1350)}
    sheet = Path(summary.contact_sheet).read_text(encoding="utf-8")
    assert sheet.count("<figure>") == 2
    engine = create_engine(db_url)
    with engine.connect() as conn:
        metas = conn.execute(select(Artifact.meta).where(Artifact.step == "compose")).scalars().all()
    engine.dispose()
    for meta in metas:  # the copy shown on each asset is printed beside its thumbnail
        assert (meta if isinstance(meta, dict) else json.loads(meta))["copy"]["headline"] in sheet


def test_removed_concept_retires_its_assets(demo_brief: Path, tmp_path: Path, db_url: str) -> None:
    campaign = shrink(demo_brief, concepts=2, segments=1, formats=("iab-300x250",))
    ws = tmp_path / "ws"
    run_campaign(campaign, ws, database_url=db_url, executor="inline")
    shrink(demo_brief, concepts=1, segments=1, formats=("iab-300x250",))
    summary = run_campaign(campaign, ws, database_url=db_url, executor="inline")
    assert summary.rendered == 0
    counts = campaign_status(ws, database_url=db_url)["campaigns"][0]["by_status"]
    assert counts.get("retired") == 1

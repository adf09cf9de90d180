"""kill -9 at several points of a run, then run again: every asset exactly once, a clean doctor."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image
from small_brief import shrink
from sqlalchemy import create_engine, func, select

from assetline.api import doctor
from assetline.store.models import Artifact, Asset

CELLS = 8


def _cli(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "assetline.cli.main", *args],
        env=env,
        text=True,
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _env(db_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSETLINE_")}
    env.update({"ASSETLINE_DATABASE_URL": db_url, "ASSETLINE_WORKERS": "2", **extra})
    return env


def _assert_complete(ws: Path, db_url: str) -> None:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        assets = conn.execute(select(Asset.cell_key, Asset.status, Asset.artifact_id)).all()
        dup_keys = conn.execute(
            select(func.count(Artifact.id) - func.count(func.distinct(Artifact.content_key)))
        ).scalar()
    engine.dispose()
    assert len(assets) == CELLS
    assert len({a.cell_key for a in assets}) == CELLS
    # QC gate statuses; 'failed' here is a render that failed its blocking checks (it still has its render)
    assert all(a.status in {"rendered", "passed", "flagged", "failed", "in_review", "approved"} for a in assets), assets
    assert all(a.artifact_id is not None for a in assets)
    assert dup_keys == 0
    report = doctor(ws, database_url=db_url)
    assert report.ok, report.to_dict()
    outputs = [p for p in (ws / "output").rglob("*") if p.suffix in {".jpg", ".png"} and "thumbs" not in p.parts]
    assert len(outputs) == CELLS
    for p in outputs:
        Image.open(p).verify()


@pytest.mark.parametrize("point", ["blob_written:3", "mid_commit:1", "committed:1", "blob_written:11"])
def test_sigkill_at_a_point_then_rerun_completes(point: str, demo_brief: Path, tmp_path: Path, db_url: str) -> None:
    campaign = shrink(demo_brief, concepts=2, segments=2, formats=("iab-300x250", "iab-320x50"))
    ws = tmp_path / "ws"
    proc = _cli("run", str(campaign), "-w", str(ws), "--json", env=_env(db_url, ASSETLINE_CRASH_AT=point))
    proc.communicate(timeout=300)
    assert proc.returncode == -signal.SIGKILL, f"the crash point {point} was not reached"
    proc = _cli("run", str(campaign), "-w", str(ws), "--json", env=_env(db_url))
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    summary = json.loads(out)
    assert summary["failed"] == 0 and summary["cells"] == CELLS
    _assert_complete(ws, db_url)


@pytest.mark.parametrize("delay", [0.5, 1.5, 3.0])
def test_sigkill_from_outside_at_random_moments(delay: float, demo_brief: Path, tmp_path: Path, db_url: str) -> None:
    campaign = shrink(demo_brief, concepts=2, segments=2, formats=("iab-300x250", "meta-feed-1x1"))
    ws = tmp_path / "ws"
    proc = _cli("run", str(campaign), "-w", str(ws), "--json", env=_env(db_url))
    time.sleep(delay)
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=300)
    for _ in range(2):  # the killed run's orphaned workers may still be finishing: run until complete
        proc = _cli("run", str(campaign), "-w", str(ws), "--json", env=_env(db_url))
        _out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    _assert_complete(ws, db_url)

"""The Ray executor runs the same step functions as the local process pool: a campaign run under each gives
byte-identical renders (same blobs for every cell), and a re-run under Ray reuses what the local run made."""

from __future__ import annotations

from pathlib import Path

import pytest
from small_brief import shrink
from sqlalchemy import create_engine, select

from assetline import api
from assetline.config import load_settings
from assetline.errors import EngineError
from assetline.store.models import Artifact, Asset


def _renders(ws: Path) -> dict[str, str]:
    """cell → blob sha of its render."""
    engine = create_engine(load_settings(ws).db_url)
    with engine.connect() as conn:
        rows = conn.execute(select(Asset.cell_key, Artifact.blob_sha)
                            .join(Artifact, Asset.artifact_id == Artifact.id)).all()
    engine.dispose()
    return dict(rows)


@pytest.fixture(autouse=True)
def _ray_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAY_USAGE_STATS_ENABLED", "0")
    monkeypatch.setenv("RAY_AUTH_MODE", "disabled")


def test_ray_executor_gives_byte_identical_renders(demo_brief: Path, tmp_path: Path) -> None:
    campaign = shrink(demo_brief, concepts=2, segments=2, formats=("iab-300x250", "meta-feed-1x1"), variants=1)
    local = api.run_campaign(campaign, tmp_path / "local", workers=2, executor="local")
    on_ray = api.run_campaign(campaign, tmp_path / "ray", workers=2, executor="ray")
    assert local.failed == on_ray.failed == 0 and on_ray.rendered >= 8 and on_ray.workers == 2
    assert _renders(tmp_path / "ray") == _renders(tmp_path / "local")
    again = api.run_campaign(campaign, tmp_path / "ray", workers=2, executor="ray")
    assert again.rendered == 0  # nothing to do: Ray is not even started


def test_a_bad_ray_address_is_a_clear_error(demo_brief: Path, tmp_path: Path) -> None:
    campaign = shrink(demo_brief, concepts=1, segments=1, formats=("iab-300x250",), variants=1)
    with pytest.raises(EngineError, match="Ray cluster") as exc:
        api.run_campaign(campaign, tmp_path / "ws", workers=1, executor="ray", ray_address="127.0.0.1:1")
    assert "ray_address" in (exc.value.hint or "")

"""Review board server time with 1,000 and 10,000 assets (HTML board page and JSON asset list).

One real render (a one-cell run) is cloned into N asset rows of one campaign (varied concept, segment, format,
status and QC flags, like a big campaign), so what is timed is the board's queries and rendering, not the
engines. Times are in-process (FastAPI TestClient), median and p95 over repeated requests: page 1, a middle
page, the last page, a format filter and a QC-flag filter.
"""

from __future__ import annotations

import re
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from sqlalchemy import insert, select

from assetline import api
from assetline.api import example_dir
from assetline.config import load_settings
from assetline.store.db import Database
from assetline.store.models import Asset, Campaign

PASSWORD = "bench-password-1"
STATUSES = ("in_review", "in_review", "in_review", "approved", "rejected", "flagged")
FLAGS = ("", "", "", "copy.rules", "text.contrast", "brand.palette copy.rules")


def _workspace(root: Path) -> tuple[Any, str]:
    brief = root / "brief"
    shutil.copytree(example_dir(), brief, ignore=shutil.ignore_patterns("__pycache__", "make_*.py"))
    yaml = YAML()
    path = brief / "campaign.yaml"
    data = yaml.load(path.read_text(encoding="utf-8"))
    data["concepts"], data["segments"], data["formats"], data["variants"] = (
        data["concepts"][:1], data["segments"][:1], ["iab-300x250"], 1)
    with path.open("w", encoding="utf-8") as fh:
        yaml.dump(data, fh)
    api.run_campaign(path, root, executor="inline")
    api.add_user("producer@bench.example", "producer", password=PASSWORD, workspace=root)
    token = api.create_api_token("producer@bench.example", workspace=root)["token"]
    return load_settings(root), token


def _fill(db: Database, n: int) -> str:
    """Clone the one asset into ``n`` rows (the first is kept); returns the campaign slug."""
    with db.session() as s:
        campaign = s.scalars(select(Campaign)).one()
        first = s.scalars(select(Asset)).one()
        rows = []
        for i in range(1, n):
            concept, segment, fmt = f"concept-{i % 12}", f"segment-{i % 9}", f"format-{i % 25}"
            rows.append({"tenant_id": first.tenant_id, "campaign_id": campaign.id,
                         "cell_key": f"{concept}/{segment}/{fmt}/v{i}", "concept": concept, "segment": segment,
                         "format": fmt, "variant": i, "status": STATUSES[i % len(STATUSES)], "revision": 1,
                         "artifact_id": first.artifact_id, "content_key": first.content_key, "version": 1,
                         "direction": {}, "qc_status": "passed", "qc_flags": FLAGS[i % len(FLAGS)],
                         "sampled": False})
        for start in range(0, len(rows), 2000):
            s.execute(insert(Asset), rows[start:start + 2000])
        return campaign.slug


def _time(client: Any, url: str, reps: int, headers: dict[str, str] | None = None) -> dict[str, float]:
    client.get(url, headers=headers)  # warm
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        r = client.get(url, headers=headers)
        times.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, (url, r.status_code, r.text[:300])
    times.sort()
    return {"median_ms": round(statistics.median(times), 2),
            "p95_ms": round(times[min(len(times) - 1, int(len(times) * 0.95))], 2)}


def _login(client: Any) -> None:
    page = client.get("/login").text
    m = re.search(r'name="csrf[^"]*"\s+value="([^"]+)"', page)
    form = {"email": "producer@bench.example", "password": PASSWORD}
    if m:
        form[re.search(r'name="(csrf[^"]*)"', page).group(1)] = m.group(1)  # type: ignore[union-attr]
    r = client.post("/login", data=form, follow_redirects=False)
    assert r.status_code in (302, 303), r.text[:300]


def run(quick: bool) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from assetline.web.app import create_app

    sizes = (1_000, 10_000)
    reps = 8 if quick else 30
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="assetline-bench-board-") as tmp:
        base = Path(tmp) / "base"
        _workspace(base)
        for n in sizes:
            root = Path(tmp) / f"ws{n}"
            shutil.copytree(base, root)
            settings, token = load_settings(root), None
            db = Database(settings.db_url)
            slug = _fill(db, n)
            db.dispose()
            token = api.create_api_token("producer@bench.example", workspace=root)["token"]
            client = TestClient(create_app(settings))
            _login(client)
            per_page = 60
            last = -(-n // per_page)
            auth = {"Authorization": f"Bearer {token}"}
            urls = {
                "board page 1": f"/campaigns/{slug}",
                "board middle page": f"/campaigns/{slug}?page={last // 2}",
                "board last page": f"/campaigns/{slug}?page={last}",
                "board format filter": f"/campaigns/{slug}?format=format-3",
                "board QC-flag filter": f"/campaigns/{slug}?qc_flag=text.contrast",
            }
            row: dict[str, Any] = {name: _time(client, url, reps) for name, url in urls.items()}
            row["api list page 1"] = _time(client, f"/api/v1/campaigns/{slug}/assets?per_page=60", reps, auth)
            row["api list last page"] = _time(client, f"/api/v1/campaigns/{slug}/assets?per_page=60&page={last}",
                                              reps, auth)
            results[str(n)] = row
            client.close()
    print(f"{'request':24} " + " ".join(f"{n:>22}" for n in results))
    print(f"{'':24} " + " ".join(f"{'median / p95 ms':>22}" for _ in results))
    for name in next(iter(results.values())):
        print(f"{name:24} " + " ".join(f"{r[name]['median_ms']:>12.1f} / {r[name]['p95_ms']:>7.1f}"
                                       for r in results.values()))
    summary = {f"board_page1_ms_{n}": r["board page 1"]["median_ms"] for n, r in results.items()}
    summary.update({f"board_last_page_ms_{n}": r["board last page"]["median_ms"] for n, r in results.items()})
    return {"sizes": results, "summary": summary}

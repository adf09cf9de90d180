"""Plain-Python entry points (for notebooks and scripts); the CLI only calls these.

    init_workspace(path)                       new workspace with the example brand kit and brief
    plan_campaign(campaign, workspace=None)    dry run: counts, sample cells, what would render
    run_campaign(campaign, workspace=None)     incremental, durable run → RunSummary
    campaign_status(workspace, campaign=None)  per-campaign asset counts and last run
    doctor(workspace)                          store/blob consistency report
    run_demo(workspace)                        init (if needed) + run the example campaign
"""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path
from typing import Any

from assetline.config import WORKSPACE_FILE, Settings, load_settings
from assetline.engines.registry import EngineRegistry
from assetline.errors import WorkspaceError
from assetline.plan.planner import build_plan
from assetline.run.runner import ProgressFn, Runner, RunSummary
from assetline.spec.loader import load_campaign
from assetline.store.blobs import BlobStore
from assetline.store.db import Database
from assetline.store.doctor import DoctorReport, check_store
from assetline.store.repositories import Repository

EXAMPLE = "orbit-coffee"
BRIEF_DIR = "brief"


def _settings(workspace: Path | str | None, overrides: dict[str, Any]) -> Settings:
    return load_settings(workspace, **overrides)


def example_dir() -> Path:
    return Path(str(resources.files("assetline") / "examples" / EXAMPLE))


def init_workspace(path: Path | str, force: bool = False) -> dict[str, str]:
    """Create a workspace at ``path`` with assetline.toml and the example brand kit + campaign."""
    ws = Path(path)
    if ws.exists() and not ws.is_dir():
        raise WorkspaceError(f"{ws} exists and is not a folder", hint="choose another path")
    target = ws / BRIEF_DIR
    if (ws / WORKSPACE_FILE).exists() and target.exists() and not force:
        raise WorkspaceError(f"{ws} is already an Assetline workspace",
                             hint="use another folder, or --force to reset its example brief")
    ws.mkdir(parents=True, exist_ok=True)
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(example_dir(), target, ignore=shutil.ignore_patterns("__pycache__", "make_logo.py"))
    toml = ws / WORKSPACE_FILE
    if not toml.exists():
        toml.write_text("# Assetline workspace settings (ASSETLINE_* environment variables override these).\n"
                        "[assetline]\n"
                        "# database_url = \"postgresql+psycopg://user@127.0.0.1:5432/assetline\"\n"
                        "executor = \"local\"\n"
                        "workers = 0        # 0 = one per core\n"
                        "max_cells = 20000\n", encoding="utf-8")
    return {"workspace": str(ws.resolve()), "campaign": str((target / "campaign.yaml").resolve()),
            "brand": str((target / "brand.yaml").resolve())}


def plan_campaign(campaign: Path | str, workspace: Path | str | None = None, sample: int = 5,
                  **overrides: Any) -> dict[str, Any]:
    """Dry run: expand and key the campaign without rendering or writing anything."""
    settings = _settings(workspace, overrides)
    loaded = load_campaign(campaign)
    plan = build_plan(loaded, EngineRegistry.discover(), settings.max_cells)
    counts = plan.counts()
    would_run: dict[str, int] | None = None
    db_file = settings.workspace / "assetline.db"
    if settings.database_url or db_file.exists():
        db = Database(settings.db_url)
        if _has_schema(db):
            blobs = BlobStore(settings.blob_dir)
            with db.session() as s:
                existing = Repository(s, settings.tenant).artifacts_by_keys(plan.steps)
            present = {k for k, a in existing.items() if blobs.exists(a.blob_sha)}
            would_run = {}
            for key, step in plan.steps.items():
                if key not in present:
                    would_run[step.kind] = would_run.get(step.kind, 0) + 1
        db.dispose()
    c = loaded.campaign
    return {
        "campaign": c.id,
        "matrix": {"concepts": len(c.concepts), "segments": len(c.segments), "formats": len(c.formats),
                   "variants": c.variants},
        "cells": counts["cells"],
        "steps": {k: v for k, v in counts.items() if k not in ("cells", "steps")},
        "would_render": (would_run or {}).get("compose", 0) if would_run is not None else counts["cells"],
        "would_run": would_run,
        "limit": min(settings.max_cells, c.max_cells) if c.max_cells else settings.max_cells,
        "sample": [{"cell": pc.cell.key, "layout": plan.steps[pc.compose_key].job["layout"],
                    "compose_key": pc.compose_key, "copy_key": pc.copy_key, "visual_key": pc.visual_key}
                   for pc in plan.cells[:sample]],
    }


def _has_schema(db: Database) -> bool:
    try:
        return db.schema_is_current()
    except Exception:
        return False


def run_campaign(campaign: Path | str, workspace: Path | str | None = None, progress: ProgressFn | None = None,
                 **overrides: Any) -> RunSummary:
    """Run ``campaign`` in ``workspace`` (default: the current folder or ASSETLINE_WORKSPACE)."""
    settings = _settings(workspace, overrides)
    summary = Runner(settings, progress).run(campaign)
    summary.review = route_for_review(settings, campaign)
    return summary


def route_for_review(settings: Settings, campaign: Path | str) -> dict[str, int]:
    """Apply the campaign's review policy to its checked assets (see review/routing.py)."""
    from assetline.review.routing import route_assets

    loaded = load_campaign(campaign)
    db = Database(settings.db_url)
    try:
        with db.session() as s:
            repo = Repository(s, settings.tenant)
            row = repo.get_campaign(loaded.campaign.id)
            counts = route_assets(repo, row, loaded.campaign.review, loaded.campaign.seed)
            last = repo.last_run(row)
            if last is not None:
                last.summary = {**last.summary, "review": counts}
        return counts
    finally:
        db.dispose()


def _open_store(settings: Settings) -> Database:
    if not settings.database_url and not (settings.workspace / "assetline.db").exists():
        raise WorkspaceError(f"no Assetline store in {settings.workspace.resolve()}",
                             hint="run `assetline init` and `assetline run` first, or pass --workspace")
    db = Database(settings.db_url)
    db.migrate()
    return db


def campaign_status(workspace: Path | str | None = None, campaign: str | None = None,
                    **overrides: Any) -> dict[str, Any]:
    settings = _settings(workspace, overrides)
    db = _open_store(settings)
    out: list[dict[str, Any]] = []
    with db.session() as s:
        repo = Repository(s, settings.tenant)
        campaigns = [repo.get_campaign(campaign)] if campaign else list(repo.list_campaigns())
        for c in campaigns:
            last = repo.last_run(c)
            counts = repo.status_counts(c)
            out.append({"campaign": c.slug, "name": c.name, "spec": c.spec_path,
                        "assets": sum(v for k, v in counts.items() if k != "retired"), "by_status": counts,
                        "last_run": None if last is None else {
                            "id": last.id, "status": last.status, "started_at": last.started_at.isoformat(),
                            "rendered": last.summary.get("rendered"), "failed": last.summary.get("failed"),
                            "output_dir": last.summary.get("output_dir"),
                            "contact_sheet": last.summary.get("contact_sheet")}})
    db.dispose()
    return {"workspace": str(settings.workspace.resolve()), "tenant": settings.tenant, "campaigns": out}


def doctor(workspace: Path | str | None = None, verify_hashes: bool = True, **overrides: Any) -> DoctorReport:
    settings = _settings(workspace, overrides)
    db = _open_store(settings)
    try:
        return check_store(db, BlobStore(settings.blob_dir), settings.tenant, verify_hashes=verify_hashes)
    finally:
        db.dispose()


def run_demo(workspace: Path | str = "demo-workspace", progress: ProgressFn | None = None,
             **overrides: Any) -> RunSummary:
    """Set up ``workspace`` with the example brief if needed, then run it."""
    ws = Path(workspace)
    campaign = ws / BRIEF_DIR / "campaign.yaml"
    if not campaign.exists():
        init_workspace(ws, force=True)
    return run_campaign(campaign, ws, progress, **overrides)

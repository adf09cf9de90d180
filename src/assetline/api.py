"""Plain-Python entry points (for notebooks and scripts); the CLI only calls these.

    init_workspace(path)                       new workspace with the example brand kit and brief
    plan_campaign(campaign, workspace=None)    dry run: counts, sample cells, what would render
    run_campaign(campaign, workspace=None)     incremental, durable run → RunSummary
    campaign_status(workspace, campaign=None)  per-campaign asset counts and last run
    doctor(workspace)                          store/blob consistency report
    run_demo(workspace)                        init (if needed) + run the example campaign, approve, sign, deliver
    add_user / create_api_token / …            people and tokens of a tenant
    review_assets / review_decide              review from scripts, as a named user
    lineage / deliver / verify                 provenance and channel bundles
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

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

if TYPE_CHECKING:
    from assetline.access.roles import Actor

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
    shutil.copytree(example_dir(), target, ignore=shutil.ignore_patterns("__pycache__", "make_*.py"))
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
    summary = run_campaign(campaign, ws, progress, **overrides)
    from assetline.demo import finish_demo

    summary.demo = finish_demo(ws, campaign).to_dict()
    return summary


# ---------------------------------------------------------------------- users and tokens
def open_store(workspace: Path | str | None = None, create: bool = False,
               **overrides: Any) -> tuple[Settings, Database]:
    """Settings and a migrated database for ``workspace``; ``create`` makes a store in an empty workspace."""
    settings = _settings(workspace, overrides)
    if create and not settings.database_url:
        if not settings.workspace.is_dir():
            raise WorkspaceError(f"no workspace folder {settings.workspace}",
                                 hint="run `assetline init` first, or pass --workspace")
        db = Database(settings.db_url)
        db.migrate()
        return settings, db
    return settings, _open_store(settings)


@contextmanager
def _session(workspace: Path | str | None, create: bool = False,
             **overrides: Any) -> Iterator[tuple[Settings, Session]]:
    """Settings and one transaction on the workspace's store (see ``open_store``); the engine is disposed after."""
    settings, db = open_store(workspace, create=create, **overrides)
    try:
        with db.session() as s:
            yield settings, s
    finally:
        db.dispose()


def add_user(email: str, role: str, name: str = "", password: str | None = None,
             workspace: Path | str | None = None, **overrides: Any) -> dict[str, Any]:
    from assetline.access.users import create_user

    with _session(workspace, create=True, **overrides) as (settings, s):
        user = create_user(s, settings.tenant, email, role, name=name, password=password)
        return {"id": user.id, "email": user.email, "name": user.name, "role": user.role,
                "tenant": user.tenant_id}


def list_users(workspace: Path | str | None = None, **overrides: Any) -> list[dict[str, Any]]:
    from assetline.access.users import list_users as _list

    with _session(workspace, create=True, **overrides) as (settings, s):
        return [{"id": u.id, "email": u.email, "name": u.name, "role": u.role, "password": bool(u.password_hash),
                 "disabled": u.disabled, "created_at": u.created_at.isoformat()}
                for u in _list(s, settings.tenant)]


def create_api_token(email: str, name: str = "", workspace: Path | str | None = None,
                     **overrides: Any) -> dict[str, Any]:
    """A new token for ``email`` (any tenant: e-mails are unique). The secret is in the result, once."""
    from assetline.access.users import create_token

    with _session(workspace, create=True, **overrides) as (_, s):
        token = create_token(s, email, name=name)
        return {"id": token.id, "token": token.token, "prefix": token.prefix, "user": token.user}


def list_api_tokens(workspace: Path | str | None = None, **overrides: Any) -> list[dict[str, Any]]:
    from assetline.access.users import list_tokens
    from assetline.store.models import User

    with _session(workspace, create=True, **overrides) as (settings, s):
        out = []
        for t in list_tokens(s, settings.tenant):
            user = s.get(User, t.user_id)
            out.append({"id": t.id, "prefix": t.prefix, "user": user.email if user else "?", "name": t.name,
                        "created_at": t.created_at.isoformat(),
                        "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
                        "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None})
        return out


def revoke_api_token(token_id: int, workspace: Path | str | None = None, **overrides: Any) -> None:
    from assetline.access.users import revoke_token

    with _session(workspace, create=True, **overrides) as (settings, s):
        revoke_token(s, settings.tenant, token_id)


# ---------------------------------------------------------------------- review from scripts
def _actor_for(session: Session, email: str) -> Actor:
    from assetline.access.users import actor_of, find_user

    return actor_of(find_user(session, email))


def review_assets(campaign: str, as_user: str, status: str | None = None, workspace: Path | str | None = None,
                  **overrides: Any) -> list[dict[str, Any]]:
    """The campaign's assets as ``as_user`` sees them (a client sees only what reached review)."""
    from assetline.review.service import BoardFilter, ReviewService

    with _session(workspace, **overrides) as (settings, s):
        service = ReviewService(s, _actor_for(s, as_user), BlobStore(settings.blob_dir))
        out, page = [], 1
        while True:
            board = service.board(campaign, BoardFilter(status=status), page=page, per_page=200)
            out += [{"id": a.id, "status": a.status, "concept": a.concept, "segment": a.segment,
                     "format": a.format, "variant": a.variant, "revision": a.revision, "version": a.version,
                     "qc_flags": a.qc_flags} for a in board.items]
            if page >= board.pages:
                return out
            page += 1


def review_decide(asset_ids: list[int], decision: str, as_user: str, note: str = "",
                  workspace: Path | str | None = None, **overrides: Any) -> dict[str, Any]:
    """Decide on assets as ``as_user``; per-asset outcome (decided ids, skipped with reasons)."""
    from assetline.review.service import ReviewService

    with _session(workspace, **overrides) as (settings, s):
        service = ReviewService(s, _actor_for(s, as_user), BlobStore(settings.blob_dir))
        if decision == "request_changes" or len(asset_ids) == 1:
            service.decide(asset_ids[0], decision, None, note)
            return {"decided": [asset_ids[0]], "skipped": []}
        result = service.bulk_decide(asset_ids, decision, note)
        return {"decided": result.decided, "skipped": result.skipped}


# ---------------------------------------------------------------------- provenance and delivery
def init_signing_keys(organisation: str, force: bool = False, workspace: Path | str | None = None,
                      **overrides: Any) -> dict[str, Any]:
    """A local CA and signing certificate for the tenant (see docs/provenance.md)."""
    from assetline.provenance.keys import init_keys

    settings = _settings(workspace, overrides)
    info = init_keys(settings.workspace, settings.tenant, organisation, force=force)
    return _key_info(info)


def import_signing_keys(chain: Path, key: Path, anchors: Path | None = None, force: bool = False,
                        workspace: Path | str | None = None, **overrides: Any) -> dict[str, Any]:
    from assetline.provenance.keys import import_keys

    settings = _settings(workspace, overrides)
    return _key_info(import_keys(settings.workspace, settings.tenant, chain, key, anchors, force=force))


def _key_info(info: Any) -> dict[str, Any]:
    return {"tenant": info.tenant, "directory": str(info.directory), "subject": info.subject,
            "fingerprint": info.fingerprint, "not_after": info.not_after.isoformat(), "alg": info.alg,
            "anchored": info.anchored}


def lineage(asset_id: int, revision: int | None = None, workspace: Path | str | None = None,
            **overrides: Any) -> dict[str, Any]:
    """Inputs, engines, seeds, copy choices, QC and review decisions of one asset revision."""
    from assetline.provenance.lineage import build_lineage

    with _session(workspace, **overrides) as (settings, s):
        return build_lineage(s, settings.tenant, asset_id, revision)


def deliver(campaign: str, channel: str, out: Path | str, overwrite: bool = False, actor: str = "cli",
            workspace: Path | str | None = None, **overrides: Any) -> dict[str, Any]:
    """Licence-gate, watermark, sign and bundle the campaign's approved assets for one channel."""
    from assetline.delivery.deliver import deliver_campaign

    settings, db = open_store(workspace, **overrides)
    db.dispose()
    return deliver_campaign(settings, campaign, channel, Path(out), actor=actor, overwrite=overwrite).to_dict()


def verify(file: Path | str, workspace: Path | str | None = None, anchors: Path | None = None,
           **overrides: Any) -> dict[str, Any]:
    """Read a file's C2PA manifest and watermark; match it to its asset when this workspace has it."""
    from assetline.delivery.lookup import verify_with_store

    settings = _settings(workspace, overrides)
    return verify_with_store(settings, Path(file), anchors)


def audit_log(workspace: Path | str | None = None, kind: str | None = None, actor: str | None = None,
              limit: int = 200, **overrides: Any) -> list[dict[str, Any]]:
    """The tenant's audit trail, newest first: logins, decisions, comments, runs, deliveries, state changes."""
    from sqlalchemy import select

    from assetline.errors import InvalidRequestError
    from assetline.store.models import Event

    if not 1 <= limit <= 10_000:
        raise InvalidRequestError("limit must be between 1 and 10,000")
    with _session(workspace, create=True, **overrides) as (settings, s):
        query = select(Event).where(Event.tenant_id == settings.tenant)
        if kind:
            query = query.where(Event.kind.startswith(kind))
        if actor:
            query = query.where(Event.actor == actor.strip().lower())
        rows = s.scalars(query.order_by(Event.id.desc()).limit(limit)).all()
        return [{"id": e.id, "at": e.created_at.isoformat(), "kind": e.kind, "actor": e.actor,
                 "asset_id": e.asset_id, "campaign_id": e.campaign_id, "from": e.from_status,
                 "to": e.to_status, "reason": e.reason, "data": e.data} for e in rows]


# ---------------------------------------------------------------------- cost and yield
def cost_report(campaign: str, workspace: Path | str | None = None, tenant: str | None = None,
                rates_file: Path | str | None = None, **overrides: Any) -> dict[str, Any]:
    """Compute seconds, engine and review cost, first-pass QC yield, regenerations and turnaround of a campaign,
    priced with ``rates_file`` (TOML) or the workspace's ``[cost]`` rates (see docs/cost.md)."""
    from assetline.experiments.cost import cost_report as build_cost_report
    from assetline.experiments.cost_rates import load_rates

    with _session(workspace, tenant=tenant, **overrides) as (settings, s):
        rates = load_rates(settings.workspace, rates_file)
        return build_cost_report(s, settings.tenant, campaign, rates).to_dict()


# ---------------------------------------------------------------------- performance events from platform exports
def import_events(file: Path | str, campaign: str, fmt: str = "auto", skip_unknown: bool = False,
                  workspace: Path | str | None = None, tenant: str | None = None,
                  **overrides: Any) -> dict[str, Any]:
    """Import a Meta / Google Ads / generic CSV export as performance events, all or nothing (docs/events.md)."""
    from assetline.experiments.imports import import_csv

    with _session(workspace, tenant=tenant, **overrides) as (settings, s):
        return import_csv(s, settings.tenant, campaign, Path(file), fmt=fmt, skip_unknown=skip_unknown).to_dict()


def event_counts(campaign: str, workspace: Path | str | None = None, tenant: str | None = None,
                 **overrides: Any) -> list[dict[str, Any]]:
    """The running counts (impressions, clicks, conversions, value) of each asset of the campaign that has any."""
    from assetline.experiments.imports import campaign_counts

    with _session(workspace, tenant=tenant, **overrides) as (settings, s):
        return campaign_counts(s, settings.tenant, campaign)


# ---------------------------------------------------------------------- experiments
def experiment_create(campaign: str, values: dict[str, Any], workspace: Path | str | None = None,
                      tenant: str | None = None, actor: str = "cli", **overrides: Any) -> dict[str, Any]:
    """Create an experiment from ExperimentSpec fields (docs/experiments.md)."""
    from assetline.experiments import commands

    with _session(workspace, tenant=tenant, **overrides) as (settings, s):
        return commands.create(s, settings.tenant, campaign, values, actor)


def experiment_list(campaign: str, workspace: Path | str | None = None, tenant: str | None = None,
                    **overrides: Any) -> list[dict[str, Any]]:
    from assetline.experiments import commands

    with _session(workspace, tenant=tenant, **overrides) as (settings, s):
        return commands.listing(s, settings.tenant, campaign)


def experiment_results(campaign: str, slug: str, workspace: Path | str | None = None, tenant: str | None = None,
                       **overrides: Any) -> dict[str, Any]:
    from assetline.experiments import commands

    with _session(workspace, tenant=tenant, **overrides) as (settings, s):
        return commands.results(s, settings.tenant, campaign, slug)


def experiment_status(campaign: str, slug: str, status: str, workspace: Path | str | None = None,
                      tenant: str | None = None, **overrides: Any) -> dict[str, Any]:
    from assetline.experiments import commands

    with _session(workspace, tenant=tenant, **overrides) as (settings, s):
        return commands.set_status(s, settings.tenant, campaign, slug, status)


# ---------------------------------------------------------------------- insights and the next round
def insights(campaign: str, metric: str = "ctr", segment: str | None = None, workspace: Path | str | None = None,
             tenant: str | None = None, **overrides: Any) -> dict[str, Any]:
    """Which creative attributes win, per segment and over all, with credible intervals (docs/insights.md)."""
    from assetline.experiments.insights import campaign_insights

    with _session(workspace, tenant=tenant, **overrides) as (settings, s):
        return campaign_insights(s, settings.tenant, campaign, metric, segment).to_dict()


def next_round(campaign: str, out: Path | str, metric: str = "ctr", force: bool = False,
               workspace: Path | str | None = None, tenant: str | None = None, **overrides: Any) -> dict[str, Any]:
    """Write the next round's brief: winners kept, losers dropped, one more variant (docs/insights.md)."""
    from assetline.experiments.next_round import next_round as write_next_round

    with _session(workspace, tenant=tenant, **overrides) as (settings, s):
        return write_next_round(s, settings.tenant, campaign, Path(out), metric, force=force).to_dict()

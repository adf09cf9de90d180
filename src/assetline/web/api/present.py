"""Store rows → API response models. Only fields a caller of the asset's tenant may see are copied."""

from __future__ import annotations

from typing import Any

from assetline.review.service import ReviewService
from assetline.store.models import Artifact, Asset, AssetRevision, Comment, Decision, Event, Run
from assetline.web.api.schemas import (
    AssetDetail,
    AssetOut,
    CommentOut,
    DecisionOut,
    Direction,
    EventOut,
    QCResult,
    RevisionOut,
    RunOut,
    RunSummaryOut,
)

PREFIX = "/api/v1"


def asset_url(asset_id: int, tail: str = "") -> str:
    return f"{PREFIX}/assets/{asset_id}{tail}"


def flags(asset: Asset) -> list[str]:
    return asset.qc_flags.split() if asset.qc_flags else []


def asset_out(asset: Asset, campaign: str) -> AssetOut:
    return AssetOut(id=asset.id, campaign=campaign, cell_key=asset.cell_key, concept=asset.concept,
                    segment=asset.segment, format=asset.format, variant=asset.variant, status=asset.status,
                    revision=asset.revision, version=asset.version, qc_status=asset.qc_status, qc_flags=flags(asset),
                    sampled=bool(asset.sampled), updated_at=asset.updated_at,
                    file_url=asset_url(asset.id, "/file") if asset.artifact_id is not None else None)


def qc_results(render: Artifact | None) -> list[QCResult]:
    rows = ((render.meta or {}).get("qc") or []) if render is not None else []
    out = []
    for r in rows:
        if isinstance(r, dict):
            out.append(QCResult(check=str(r.get("check", "")), version=str(r.get("version", "")),
                                status=str(r.get("status", "")), score=_number(r.get("score")),
                                message=str(r.get("message") or ""), evidence=dict(r.get("evidence") or {})))
    return out


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def direction(asset: Asset) -> Direction:
    d = asset.direction or {}
    return Direction(salt=int(d.get("salt", 0)), exclude=[str(x) for x in d.get("exclude", [])],
                     layout=d.get("layout"), notes=[str(x) for x in d.get("notes", [])])


def asset_detail(service: ReviewService, asset: Asset) -> AssetDetail:
    render = service.render(asset)
    meta = (render.meta or {}) if render is not None else {}
    base = asset_out(asset, service.campaign_of(asset).slug)
    links = {name: asset_url(asset.id, f"/{name}") for name in
             ("revisions", "history", "lineage", "qc", "variants", "decisions", "comments")}
    if render is not None:
        links["file"] = asset_url(asset.id, "/file")
    return AssetDetail.model_validate({
        **base.model_dump(), "copy": {str(k): str(v) for k, v in (meta.get("copy") or {}).items()},
        "layout": meta.get("layout"), "width": _int(meta.get("width")), "height": _int(meta.get("height")),
        "media_type": render.media_type if render else None, "size": render.size if render else None,
        "sha256": render.blob_sha if render else None, "qc": qc_results(render), "direction": direction(asset),
        "links": links})


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def revision_out(row: AssetRevision, render: Artifact | None, current: int) -> RevisionOut:
    return RevisionOut(revision=row.revision, current=row.revision == current, content_key=row.content_key,
                       reason=row.reason, created_at=row.created_at,
                       media_type=render.media_type if render else None, size=render.size if render else None,
                       sha256=render.blob_sha if render else None,
                       file_url=asset_url(row.asset_id, f"/file?revision={row.revision}"))


def event_out(e: Event) -> EventOut:
    return EventOut(id=e.id, kind=e.kind, from_status=e.from_status, to_status=e.to_status, actor=e.actor,
                    reason=e.reason, data=dict(e.data or {}), run_id=e.run_id, created_at=e.created_at)


def decision_out(d: Decision) -> DecisionOut:
    return DecisionOut(id=d.id, revision=d.revision, actor=d.actor, role=d.role, decision=d.decision, note=d.note,
                       changes=dict(d.changes or {}), created_at=d.created_at)


def comment_out(c: Comment) -> CommentOut:
    return CommentOut(id=c.id, revision=c.revision, author=c.author, body=c.body, created_at=c.created_at)


def run_out(run: Run, with_summary: bool) -> RunOut:
    summary = None
    if with_summary:
        s = run.summary or {}
        summary = RunSummaryOut(cells=_int(s.get("cells")), rendered=_int(s.get("rendered")),
                                reused=_int(s.get("reused")), failed=_int(s.get("failed")),
                                wall_seconds=_number(s.get("wall_seconds")),
                                qc={k: v for k, v in (s.get("qc") or {}).items() if isinstance(v, int)},
                                review={k: v for k, v in (s.get("review") or {}).items() if isinstance(v, int)})
    return RunOut(id=run.id, status=run.status, started_at=run.started_at, finished_at=run.finished_at,
                  summary=summary)

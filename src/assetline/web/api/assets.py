"""Assets: the filtered, paged board; one asset; its file, revisions, history, lineage, QC and variants."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query, Request, Response

from assetline.errors import NotFoundError
from assetline.review.service import MAX_PAGE, BoardFilter
from assetline.store.models import Asset
from assetline.web.api.deps import AssetId, ServiceDep, Slug
from assetline.web.api.lineage import render_lineage
from assetline.web.api.present import asset_detail, asset_out, event_out, flags, qc_results, revision_out
from assetline.web.api.schemas import (
    ID_PATTERN,
    MAX_ID,
    QC_FLAG_PATTERN,
    AssetDetail,
    AssetOut,
    AssetPage,
    EventOut,
    Lineage,
    QCReport,
    RevisionOut,
    problems,
)
from assetline.web.context import state

router = APIRouter(tags=["assets"])

StatusName = Literal["planned", "rendering", "rendered", "passed", "flagged", "failed", "in_review", "approved",
                     "rejected", "changes_requested", "delivered"]
IdFilter = Annotated[str | None, Query(pattern=ID_PATTERN, max_length=64)]
Revision = Annotated[int | None, Query(ge=1, le=MAX_ID, description="A revision number (default: current).")]
IMAGE_TYPES = ("image/jpeg", "image/png")
"""What the compose step encodes (run/encode.py)."""


@router.get("/campaigns/{slug}/assets", response_model=AssetPage, responses=problems(403, 404, 422),
            summary="Board: filtered, paged assets")
def list_assets(slug: Slug, service: ServiceDep,
                status: Annotated[StatusName | None, Query()] = None,
                concept: IdFilter = None, segment: IdFilter = None, format: IdFilter = None,
                qc_flag: Annotated[str | None, Query(pattern=QC_FLAG_PATTERN, max_length=64,
                                                     description="A check id, or * for any flag.")] = None,
                page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
                per_page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 60) -> AssetPage:
    """The campaign's assets in id order. Clients see only assets that reached review."""
    board = service.board(slug, BoardFilter(status=status, concept=concept, segment=segment, format=format,
                                            qc_flag=qc_flag), page=page, per_page=per_page)
    return AssetPage(total=board.total, page=board.page, per_page=board.per_page, pages=board.pages,
                     items=[asset_out(a, slug) for a in board.items], facets=board.facets)


@router.get("/assets/{asset_id}", response_model=AssetDetail, responses=problems(403, 404, 422),
            summary="One asset")
def get_asset(asset_id: AssetId, service: ServiceDep) -> AssetDetail:
    """Cell, status, version (send it back when deciding), revision, copy, layout, QC results, direction."""
    return asset_detail(service, service.asset(asset_id))


@router.get("/assets/{asset_id}/file", response_class=Response, summary="The render's bytes",
            responses={200: {"description": "The image, with ETag = its sha256.",
                             "content": {t: {"schema": {"type": "string", "format": "binary"}} for t in IMAGE_TYPES},
                             "headers": {"ETag": {"description": "The blob's sha256, quoted.",
                                                  "schema": {"type": "string"}}}},
                       304: {"description": "Not modified (If-None-Match matched the ETag)."},
                       **problems(403, 404, 422)})
def get_file(asset_id: AssetId, request: Request, service: ServiceDep, revision: Revision = None,
             if_none_match: Annotated[str | None, Header(include_in_schema=False)] = None) -> Response:
    asset = service.asset(asset_id)
    render = service.render(asset, revision)
    if render is None:
        raise NotFoundError(f"asset {asset_id} has no render yet")
    etag = f'"{render.blob_sha}"'
    headers = {"ETag": etag, "Cache-Control": "private, max-age=0, must-revalidate"}
    if if_none_match and etag in {t.strip() for t in if_none_match.split(",")}:
        return Response(status_code=304, headers=headers)
    return Response(state(request).blobs.get(render.blob_sha), media_type=render.media_type, headers=headers)


@router.get("/assets/{asset_id}/revisions", response_model=list[RevisionOut], responses=problems(403, 404, 422),
            summary="Revisions")
def list_revisions(asset_id: AssetId, service: ServiceDep) -> list[RevisionOut]:
    """Every render the asset has pointed at, oldest first."""
    asset = service.asset(asset_id)
    return [revision_out(r, service.render(asset, r.revision), asset.revision) for r in service.revisions(asset)]


@router.get("/assets/{asset_id}/history", response_model=list[EventOut], responses=problems(403, 404, 422),
            summary="History")
def history(asset_id: AssetId, service: ServiceDep) -> list[EventOut]:
    """The asset's events (state changes, revisions, decisions, comments), oldest first."""
    return [event_out(e) for e in service.history(service.asset(asset_id))]


@router.get("/assets/{asset_id}/lineage", response_model=Lineage, responses=problems(403, 404, 422),
            summary="Lineage")
def lineage(asset_id: AssetId, service: ServiceDep, revision: Revision = None) -> Lineage:
    """How the render was made: engine, parameters, input keys and the copy and visual artifacts used."""
    return render_lineage(service, service.asset(asset_id), revision)


@router.get("/assets/{asset_id}/qc", response_model=QCReport, responses=problems(403, 404, 422),
            summary="QC results")
def qc(asset_id: AssetId, service: ServiceDep, revision: Revision = None) -> QCReport:
    """The per-asset check results stored with the render."""
    asset: Asset = service.asset(asset_id)
    render = service.render(asset, revision)
    number = asset.revision if revision is None else revision
    current = number == asset.revision
    return QCReport(asset_id=asset.id, revision=number, qc_status=asset.qc_status if current else None,
                    qc_flags=flags(asset) if current else [], results=qc_results(render))


@router.get("/assets/{asset_id}/variants", response_model=list[AssetOut], responses=problems(403, 404, 422),
            summary="Variants of the cell")
def variants(asset_id: AssetId, service: ServiceDep) -> list[AssetOut]:
    """Every visible variant of the asset's concept × segment × format, by variant number."""
    asset = service.asset(asset_id)
    slug = service.campaign_of(asset).slug
    return [asset_out(a, slug) for a in service.variants(asset)]

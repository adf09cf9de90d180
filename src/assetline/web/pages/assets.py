"""One asset: preview, copy, QC evidence, lineage, revisions, history, comments, and the decision form.

A decision carries the asset's version; a stale one (someone else decided first) answers 409 with the form as
it was typed, so nothing is lost. Success moves on to the next asset of the same board view.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData

from assetline.access.roles import allowed
from assetline.errors import ConflictError, InvalidRequestError
from assetline.review.direction import LAYOUTS, ChangeOptions
from assetline.review.lifecycle import DECIDABLE, DECISIONS
from assetline.review.service import ReviewService
from assetline.spec.formats import get_format
from assetline.store.models import Asset
from assetline.web.pages.deps import AssetId, FormDep, Revision, ServiceDep, integer, text
from assetline.web.pages.errors import PageRoute, is_htmx
from assetline.web.pages.filters import FILTER_NAMES, BoardQuery, BoardQueryDep, query_from
from assetline.web.pages.templating import flash, query, render, status_label
from assetline.web.pages.views import copy_fields, lineage, qc_checks, qc_summary

router = APIRouter(route_class=PageRoute)
DONE = {"approve": "approved", "reject": "rejected", "request_changes": "sent back for changes"}


def decision_context(svc: ReviewService, asset: Asset, q: BoardQuery, *, note: str = "",
                     options: ChangeOptions | None = None, version: int | None = None, error: str | None = None,
                     conflict: bool = False, layout: str | None = None) -> dict[str, Any]:
    current = svc.render(asset)
    current_layout = (asset.direction or {}).get("layout") or ((current.meta or {}).get("layout") if current else None)
    return {"asset": asset, "version": asset.version if version is None else version, "note": note,
            "options": options or ChangeOptions(), "error": error, "conflict": conflict, "layouts": LAYOUTS,
            "current_layout": current_layout, "decidable": asset.status in DECIDABLE,
            "may_decide": allowed(svc.actor.role, "decide"), "params": q.params(page=False)}


def asset_context(svc: ReviewService, asset: Asset, q: BoardQuery, revision: int | None) -> dict[str, Any]:
    artifact = svc.render(asset, revision)
    meta = dict(artifact.meta or {}) if artifact is not None else {}
    checks = qc_checks(meta)
    prev_id, next_id = svc.neighbours(asset, q.filters)
    fmt = get_format(asset.format)
    return {
        "asset": asset, "campaign": svc.campaign_of(asset), "artifact": artifact, "meta": meta,
        "viewing": revision or asset.revision, "copy": copy_fields(meta), "checks": checks,
        "qc_counts": qc_summary(checks), "lineage": lineage(svc, artifact, asset, revision),
        "revisions": svc.revisions(asset),
        "history": list(reversed(svc.history(asset))), "comments": svc.comments(asset),
        "decisions": svc.decisions(asset), "prev_id": prev_id, "next_id": next_id,
        "variant_count": len(svc.variants(asset)), "format_name": fmt.name if fmt else asset.format,
        "params": q.params(page=False), "asset_query": query(q.params(page=False)),
        "board_url": f"/campaigns/{svc.campaign_of(asset).slug}" + query(q.params(page=False)),
        "notes": list((asset.direction or {}).get("notes") or []),
    }


@router.get("/assets/{asset_id}")
def asset_page(request: Request, svc: ServiceDep, asset_id: AssetId, q: BoardQueryDep,
               rev: Revision = None) -> Response:
    asset = svc.asset(asset_id)
    ctx = asset_context(svc, asset, q, rev)
    ctx["decision"] = decision_context(svc, asset, q)
    return render(request, "asset.html", ctx)


def _options(form: FormData) -> ChangeOptions | None:
    """Explicit change options, or None to let the note decide (see review/direction.py)."""
    new_copy, new_visual = bool(text(form, "new_copy", 5)), bool(text(form, "new_visual", 5))
    layout = text(form, "layout", 40).strip() or None
    if not (new_copy or new_visual or layout):
        return None
    return ChangeOptions(new_copy=new_copy, new_visual=new_visual, layout=layout)


def _posted_query(form: FormData) -> BoardQuery:
    return query_from({name: text(form, name, 100) for name in FILTER_NAMES})


@router.post("/assets/{asset_id}/decision")
def decide(request: Request, svc: ServiceDep, form: FormDep, asset_id: AssetId) -> Response:
    decision = text(form, "decision", 30)
    if decision not in DECISIONS:
        raise InvalidRequestError(f"unknown decision '{decision[:30]}'", hint="approve, reject or request_changes")
    version = integer(form, "version")
    note = text(form, "note")
    options = _options(form) if decision == "request_changes" else None
    q = _posted_query(form)
    back_to_compare = text(form, "return", 20) == "compare"
    try:
        with svc.session.begin_nested():
            svc.decide(asset_id, decision, version, note, options)
    except (ConflictError, InvalidRequestError) as exc:
        if back_to_compare:
            raise
        conflict = isinstance(exc, ConflictError)
        status = 409 if conflict else 422
        asset = svc.asset(asset_id)
        message = ("Someone changed this asset while you were looking at it. Reload to see what changed — "
                   "your note is kept here." if conflict else exc.message)
        panel = decision_context(svc, asset, q, note=note, options=options, version=version, error=message,
                                 conflict=conflict)
        if is_htmx(request):
            return render(request, "_decision.html", {"d": panel}, status=status)
        ctx = asset_context(svc, asset, q, None)
        ctx["decision"] = panel
        return render(request, "asset.html", ctx, status=status)
    asset = svc.asset(asset_id)
    flash(request, f"Asset #{asset.id} {DONE[decision]}.", "success")
    if back_to_compare:
        target = f"/assets/{integer(form, 'compare_of') if text(form, 'compare_of', 12) else asset.id}/compare"
    else:
        _, next_id = svc.neighbours(asset, q.filters)
        if next_id is not None:
            target = f"/assets/{next_id}" + query(q.params(page=False))
        else:
            flash(request, "That was the last asset in this view.", "info")
            target = f"/campaigns/{svc.campaign_of(asset).slug}" + query(q.params(page=False))
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


@router.post("/assets/{asset_id}/comments")
def comment(request: Request, svc: ServiceDep, form: FormDep, asset_id: AssetId) -> Response:
    svc.comment(asset_id, text(form, "body"))
    asset = svc.asset(asset_id)
    if is_htmx(request):
        return render(request, "_comments.html", {"asset": asset, "comments": svc.comments(asset)})
    flash(request, "Comment added.", "success")
    return RedirectResponse(f"/assets/{asset.id}#comments", status_code=303)


@router.get("/assets/{asset_id}/compare")
def compare(request: Request, svc: ServiceDep, asset_id: AssetId, q: BoardQueryDep) -> Response:
    asset = svc.asset(asset_id)
    variants = []
    for v in svc.variants(asset):
        art = svc.render(v)
        meta = dict(art.meta or {}) if art is not None else {}
        variants.append({"asset": v, "text": copy_fields(meta), "checks": qc_summary(qc_checks(meta)),
                         "layout": meta.get("layout"), "decidable": v.status in DECIDABLE,
                         "status_label": status_label(v.status), "has_render": art is not None})
    campaign = svc.campaign_of(asset)
    return render(request, "compare.html", {"asset": asset, "campaign": campaign, "variants": variants,
                                            "params": q.params(page=False),
                                            "asset_query": query(q.params(page=False)),
                                            "may_decide": allowed(svc.actor.role, "decide")})

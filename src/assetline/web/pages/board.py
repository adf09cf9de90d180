"""The board of one campaign: filters, a paged thumbnail grid, selection and bulk decisions.

Paging is done by the database (ReviewService.board: COUNT + OFFSET/LIMIT), so a 10,000-asset campaign costs
the same as a small one. The filter form updates only the results (htmx) and keeps the filters in the URL.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData

from assetline.errors import InvalidRequestError, NotFoundError
from assetline.review.service import BoardPage, ReviewService
from assetline.store.models import Campaign
from assetline.web.pages.campaigns import current_launch, ordered_counts, progress_context
from assetline.web.pages.deps import FormDep, ServiceDep, Slug, integers, text
from assetline.web.pages.errors import PageRoute, is_htmx
from assetline.web.pages.filters import FILTER_NAMES, BoardQuery, BoardQueryDep, query_from
from assetline.web.pages.progress import run_progress
from assetline.web.pages.templating import flash, query, render

router = APIRouter(route_class=PageRoute)
BULK_DECISIONS = {"approve": "approved", "reject": "rejected"}


def page_numbers(page: int, pages: int, around: int = 2) -> list[int | None]:
    """Page links to show: first, last, and ``around`` each side of the current one; None marks a gap."""
    wanted = {1, pages, *range(max(1, page - around), min(pages, page + around) + 1)}
    out: list[int | None] = []
    for n in sorted(wanted):
        if out and n - (out[-1] or 0) > 1:
            out.append(None)
        out.append(n)
    return out


def results_context(svc: ReviewService, campaign: Campaign, q: BoardQuery, board: BoardPage) -> dict[str, Any]:
    params = q.params(page=False)
    return {"campaign": campaign, "q": q, "board": board, "params": params,
            "board_url": f"/campaigns/{campaign.slug}" + query(q.params()),
            "asset_query": query(params), "pages": page_numbers(board.page, board.pages),
            "counts": ordered_counts(svc.counts(campaign))}


def load_board(svc: ReviewService, campaign: Campaign, q: BoardQuery, clamp: bool = False) -> BoardPage:
    board = svc.board(campaign.slug, q.filters, q.page, q.per_page)
    q.check(board.facets)
    if q.page > board.pages:
        if not clamp:
            raise NotFoundError(f"page {q.page} does not exist: this view has {board.pages} page(s)",
                                hint="go back to page 1")
        board = svc.board(campaign.slug, q.filters, board.pages, q.per_page)
    return board


@router.get("/campaigns/{slug}")
def board_page(request: Request, svc: ServiceDep, slug: Slug, q: BoardQueryDep) -> Response:
    campaign = svc.campaign(slug)
    board = load_board(svc, campaign, q)
    ctx = results_context(svc, campaign, q, board)
    if is_htmx(request) and request.headers.get("HX-Target") == "board-results":
        return render(request, "_board_results.html", ctx)
    prog = run_progress(svc, campaign)
    ctx.update(progress=progress_context(campaign, prog, current_launch(request, svc, campaign)),
               facets=board.facets)
    return render(request, "board.html", ctx)


def _posted_query(form: FormData) -> BoardQuery:
    """The board view a bulk form was posted from (hidden fields), so the answer shows the same view."""
    page = text(form, "page", 10).strip()
    return query_from({name: text(form, name, 100) for name in FILTER_NAMES}, int(page) if page.isdigit() else 1)


@router.post("/campaigns/{slug}/bulk")
def bulk(request: Request, svc: ServiceDep, form: FormDep, slug: Slug) -> Response:
    campaign = svc.campaign(slug)
    decision = text(form, "decision", 20) or "approve"
    if decision not in BULK_DECISIONS:
        raise InvalidRequestError(f"bulk decision '{decision}' is not offered", hint="use approve or reject")
    result = svc.bulk_decide(integers(form, "ids"), decision, text(form, "note"))
    done = len(result.decided)
    message = f"{done} asset{'s' if done != 1 else ''} {BULK_DECISIONS[decision]}"
    if result.skipped:
        message += f"; {len(result.skipped)} skipped ({result.skipped[0]['reason']})"
    kind = "success" if done and not result.skipped else "warning"
    q = _posted_query(form)
    if not is_htmx(request):
        flash(request, message, kind)
        return RedirectResponse(f"/campaigns/{campaign.slug}" + query(q.params()), status_code=303)
    board = load_board(svc, campaign, q, clamp=True)
    ctx = results_context(svc, campaign, replace(q, page=board.page), board)
    trigger = {"al-toast": {"message": message, "kind": kind}}
    return render(request, "_board_results.html", ctx, headers={"HX-Trigger": json.dumps(trigger)})

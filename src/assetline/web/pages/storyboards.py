"""Storyboards in the review UI: a concept's frames in a grid, each with its still, timing, caption, camera note,
status and the Approve / Request changes form (htmx swaps just that frame and the board's summary).

    /campaigns/{slug}/storyboards                             the campaign's boards (and concepts to build)
    /campaigns/{slug}/storyboards/{concept}                   one board
    POST …/{concept}/build                                    build or refresh (producers, admins)
    POST …/{concept}/frames/{index}/decision                  decide one frame
    …/{concept}/frames/{index}/image, …/{concept}/pdf, …/sheet the still, the PDF and the contact sheet

A decision carries the frame's version; a stale one answers 409 with the note as typed, a request for changes
without a note answers 422 the same way, so nothing typed is lost.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response
from fastapi.responses import RedirectResponse

from assetline.access.roles import allowed
from assetline.errors import ConflictError, InvalidRequestError
from assetline.review.storyboard import FRAME_DECISIONS, BoardView, StoryboardService
from assetline.web.context import state
from assetline.web.pages.deps import ActorDep, FormDep, PageSession, Slug, integer, text
from assetline.web.pages.errors import PageRoute, is_htmx
from assetline.web.pages.templating import flash, render

router = APIRouter(route_class=PageRoute)
Concept = Annotated[str, Path(max_length=64, description="concept id")]
FrameIndex = Annotated[int, Path(ge=1, le=10_000)]
"""Out-of-range frame numbers are 404 pages, not database errors."""
DONE = {"approve": "approved", "request_changes": "sent back for changes"}


def storyboard_service(request: Request, session: PageSession, actor: ActorDep) -> StoryboardService:
    return StoryboardService(session, actor, state(request).blobs)


StoryServiceDep = Annotated[StoryboardService, Depends(storyboard_service)]


def page_context(svc: StoryboardService, slug: str, view: BoardView | None, *, error: dict[str, Any] | None = None,
                 ) -> dict[str, Any]:
    """Everything storyboard.html shows. ``error``: frame number, message, conflict flag and the typed note."""
    boards = svc.boards(slug)
    campaign = view.campaign if view is not None else svc.repo.get_campaign(slug)
    buildable = svc.buildable(slug) if allowed(svc.actor.role, "start_run") else []
    return {"campaign": campaign, "boards": boards, "view": view, "sb": view.storyboard if view else None,
            "buildable": buildable, "error": error or {},
            "base": f"/campaigns/{campaign.slug}/storyboards"}


def _board_url(slug: str, concept: str, number: int | None = None) -> str:
    return f"/campaigns/{slug}/storyboards/{concept}" + (f"#frame-{number}" if number else "")


@router.get("/campaigns/{slug}/storyboards")
def storyboards_page(request: Request, svc: StoryServiceDep, slug: Slug) -> Response:
    return render(request, "storyboard.html", page_context(svc, slug, None))


@router.get("/campaigns/{slug}/storyboards/{concept}")
def storyboard_page(request: Request, svc: StoryServiceDep, slug: Slug, concept: Concept) -> Response:
    return render(request, "storyboard.html", page_context(svc, slug, svc.board(slug, concept)))


@router.post("/campaigns/{slug}/storyboards/{concept}/build")
def build(request: Request, svc: StoryServiceDep, form: FormDep, slug: Slug, concept: Concept) -> Response:
    [outcome] = svc.build(slug, concept)
    if outcome.created:
        message = f"Storyboard built: {len(outcome.board.frames)} frames."
    elif not outcome.changed:
        message = "The video has not changed: the storyboard is up to date."
    else:
        message = (f"Storyboard refreshed: {len(outcome.reset)} frame(s) back to pending, "
                   f"{len(outcome.kept)} kept their decision.")
    flash(request, message, "success" if outcome.changed else "info")
    target = _board_url(slug, concept)
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


@router.post("/campaigns/{slug}/storyboards/{concept}/frames/{index}/decision")
def decide(request: Request, svc: StoryServiceDep, form: FormDep, slug: Slug, concept: Concept,
           index: FrameIndex) -> Response:
    decision = text(form, "decision", 30)
    if decision not in FRAME_DECISIONS:
        raise InvalidRequestError(f"unknown decision '{decision[:30]}'", hint="approve or request_changes")
    version = integer(form, "version")
    note = text(form, "note")
    try:
        with svc.session.begin_nested():
            svc.decide(slug, concept, index, decision, note, version)
    except (ConflictError, InvalidRequestError) as exc:
        conflict = isinstance(exc, ConflictError)
        message = ("Someone changed this frame while you were looking at it. Reload to see what changed — your "
                   "note is kept here." if conflict else exc.message)
        error = {"frame": index, "message": message, "conflict": conflict, "note": note}
        ctx = page_context(svc, slug, svc.board(slug, concept), error=error)
        return render(request, "storyboard.html", ctx, status=409 if conflict else 422)
    if is_htmx(request):  # the form swaps its own frame and the summary out of the whole page
        return render(request, "storyboard.html", page_context(svc, slug, svc.board(slug, concept)))
    flash(request, f"Frame {index} {DONE[decision]}.", "success")
    return RedirectResponse(_board_url(slug, concept, index), status_code=303)


@router.get("/campaigns/{slug}/storyboards/{concept}/frames/{index}/image")
def frame_image(svc: StoryServiceDep, slug: Slug, concept: Concept, index: FrameIndex) -> Response:
    """The still. Its URL carries the image's hash (``?v=``), so browsers may keep it: a new still is a new URL."""
    data, _ = svc.frame_image(slug, concept, index)
    return Response(data, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=3600"})


@router.get("/campaigns/{slug}/storyboards/{concept}/pdf")
def pdf(svc: StoryServiceDep, slug: Slug, concept: Concept) -> Response:
    return Response(svc.pdf(slug, concept), media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{slug}-{concept}-storyboard.pdf"',
        "Cache-Control": "private, no-cache"})


@router.get("/campaigns/{slug}/storyboards/{concept}/sheet")
def sheet(svc: StoryServiceDep, slug: Slug, concept: Concept) -> Response:
    return Response(svc.sheet(slug, concept), media_type="image/png", headers={"Cache-Control": "private, no-cache"})

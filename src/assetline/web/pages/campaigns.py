"""The campaign list (/), run progress (polled by htmx) and starting a run."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse

from assetline.access.roles import require
from assetline.errors import AssetlineError
from assetline.review.service import ReviewService
from assetline.store.models import Campaign, Event
from assetline.web.context import state
from assetline.web.pages.deps import FormDep, PageSession, ServiceDep, Slug
from assetline.web.pages.errors import PageRoute, is_htmx
from assetline.web.pages.progress import RunProgress, run_progress
from assetline.web.pages.templating import STATUS_ORDER, flash, render
from assetline.web.runs import Launch, RunLauncher

router = APIRouter(route_class=PageRoute)


def ordered_counts(counts: dict[str, int]) -> list[tuple[str, int]]:
    rank = {s: i for i, s in enumerate(STATUS_ORDER)}
    return sorted(((s, n) for s, n in counts.items() if n), key=lambda item: rank.get(item[0], 99))


@router.get("/")
def campaign_list(request: Request, svc: ServiceDep) -> Response:
    rows: list[dict[str, Any]] = []
    for item in svc.campaigns():
        campaign = svc.campaign(item["slug"])
        prog = progress_context(campaign, run_progress(svc, campaign), current_launch(request, svc, campaign),
                                compact=True)
        rows.append({**item, "counts": ordered_counts(item["by_status"]), "progress": prog})
    return render(request, "campaigns.html", {"campaigns": rows})


def _aware(moment: datetime | None) -> datetime | None:
    return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=UTC)


def current_launch(request: Request, svc: ReviewService, campaign: Campaign) -> Launch | None:
    """The latest run process started for the campaign from the web or the API (see web/runs.py)."""
    return RunLauncher(state(request).settings).current(svc.actor.tenant_id, campaign.id)


def progress_context(campaign: Campaign, prog: RunProgress, launch: Launch | None, *, after: int | None = None,
                     compact: bool = False, error: str | None = None) -> dict[str, Any]:
    """Context of _progress.html.

    ``after`` is the newest run the page has seen finish: when a newer one finishes, the board reloads. A launch
    whose process is alive but has no run row yet is "starting"; a process that died leaves a message instead
    of a panel that polls for ever.
    """
    if after is None:
        after = (prog.run_id or 1) - 1 if prog.running else prog.run_id or 0
    launched = _aware(launch.started_at) if launch else None
    run_started = _aware(prog.started_at)
    belongs = launched is not None and run_started is not None and run_started >= launched
    starting = bool(launch and launch.alive) and not prog.running and not belongs
    dead = prog.running and launch is not None and not launch.alive and belongs
    if launch is not None and not launch.alive and not belongs and launch.exit_code:
        error = error or (f"The last run process stopped before it began (exit code {launch.exit_code}); "
                          f"see logs/runs/{launch.launch_id}.log in the workspace.")
    if dead:
        error = error or (f"Run #{prog.run_id} stopped unexpectedly (exit code {launch.exit_code if launch else '?'}); "
                          "start it again to resume where it stopped.")
    return {"campaign": campaign, "progress": prog, "after": after, "starting": starting, "compact": compact,
            "error": error, "dead": dead, "polling": starting or (prog.running and not dead)}


@router.get("/campaigns/{slug}/progress")
def progress(request: Request, svc: ServiceDep, slug: Slug, after: Annotated[int, Query(ge=0, le=2**31)] = 0,
             compact: bool = False) -> Response:
    """The progress panel, polled every 2 s while a run is starting or running."""
    campaign = svc.campaign(slug)
    prog = run_progress(svc, campaign)
    headers = {}
    if not prog.running and prog.run_id is not None and prog.run_id > after:
        headers["HX-Trigger"] = "al-run-finished"
        after = prog.run_id
    ctx = progress_context(campaign, prog, current_launch(request, svc, campaign), after=after, compact=compact)
    return render(request, "_progress.html", {"p": ctx}, headers=headers)


@router.post("/campaigns/{slug}/runs")
def start(request: Request, session: PageSession, svc: ServiceDep, form: FormDep, slug: Slug) -> Response:
    """Start a run with the same launcher as POST /api/v1/campaigns/{slug}/runs (one per campaign at a time)."""
    require(svc.actor, "start_run")
    campaign = svc.campaign(slug)
    before = run_progress(svc, campaign)
    launcher = RunLauncher(state(request).settings)
    try:
        launch = launcher.start(svc.actor.tenant_id, campaign.id, campaign.slug, campaign.spec_path, svc.actor.email)
    except AssetlineError as exc:
        if not is_htmx(request):
            raise
        ctx = progress_context(campaign, before, current_launch(request, svc, campaign), error=exc.message)
        return render(request, "_progress.html", {"p": ctx})
    session.add(Event(tenant_id=svc.actor.tenant_id, campaign_id=campaign.id, kind="run.requested",
                      actor=svc.actor.email, reason="run started from the review UI",
                      data={"launch_id": launch.launch_id}))
    if is_htmx(request):
        ctx = progress_context(campaign, before, launch, after=before.run_id or 0)
        return render(request, "_progress.html", {"p": ctx})
    flash(request, f"Run started for {campaign.name}.", "success")
    return RedirectResponse(f"/campaigns/{campaign.slug}", status_code=303)

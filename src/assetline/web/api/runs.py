"""Runs: start one in a background process (202), list them, and follow a campaign's progress."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from assetline.access.roles import require
from assetline.store.models import Event
from assetline.web.api.deps import ServiceDep, Slug
from assetline.web.api.present import PREFIX, run_out
from assetline.web.api.schemas import LaunchOut, Progress, RunHandle, RunOut, problems
from assetline.web.context import state
from assetline.web.runs import Launch, RunLauncher

router = APIRouter(tags=["runs"])


def launcher(request: Request) -> RunLauncher:
    return RunLauncher(state(request).settings)


def launch_out(launch: Launch) -> LaunchOut:
    return LaunchOut(launch_id=launch.launch_id, started_at=launch.started_at, started_by=launch.started_by,
                     alive=launch.alive, exit_code=launch.exit_code, finished_at=launch.finished_at)


@router.post("/campaigns/{slug}/runs", response_model=RunHandle, status_code=status.HTTP_202_ACCEPTED,
             responses=problems(403, 404, 409, 422), summary="Start a run")
def start_run(slug: Slug, request: Request, response: Response, service: ServiceDep) -> RunHandle:
    """Run the campaign's brief again in a background process (needs the start_run permission).

    Only cells whose inputs changed render, including those a reviewer asked to change. 409 while a run of
    the campaign started here is still going; follow it with GET /campaigns/{slug}/progress.
    """
    require(service.actor, "start_run")
    campaign = service.campaign(slug)
    launch = launcher(request).start(service.actor.tenant_id, campaign.id, campaign.slug, campaign.spec_path,
                                     service.actor.email)
    service.session.add(Event(tenant_id=service.actor.tenant_id, campaign_id=campaign.id, kind="run.requested",
                              actor=service.actor.email, reason="run started from the API",
                              data={"launch_id": launch.launch_id}))
    progress = f"{PREFIX}/campaigns/{campaign.slug}/progress"
    response.headers["Location"] = progress
    return RunHandle(campaign=campaign.slug, launch=launch_out(launch), progress_url=progress,
                     runs_url=f"{PREFIX}/campaigns/{campaign.slug}/runs")


@router.get("/campaigns/{slug}/runs", response_model=list[RunOut], responses=problems(403, 404, 422),
            summary="List runs")
def list_runs(slug: Slug, service: ServiceDep,
              limit: Annotated[int, Query(ge=1, le=500, description="At most this many, newest first.")] = 50,
              ) -> list[RunOut]:
    """The campaign's runs, newest first. Clients see status and times only (no counts)."""
    campaign = service.campaign(slug)
    return [run_out(r, with_summary=service.sees_all) for r in service.repo.runs(campaign)[:limit]]


@router.get("/campaigns/{slug}/progress", response_model=Progress, responses=problems(403, 404, 422),
            summary="Live progress")
def progress(slug: Slug, request: Request, service: ServiceDep) -> Progress:
    """Status counts, the latest run and whether a run process started through the API is alive (poll it)."""
    campaign = service.campaign(slug)
    counts = service.counts(campaign)
    last = service.repo.last_run(campaign)
    launch = launcher(request).current(service.actor.tenant_id, campaign.id)
    return Progress(campaign=campaign.slug, total=sum(counts.values()), by_status=counts,
                    latest_run=None if last is None else run_out(last, with_summary=service.sees_all),
                    process_alive=bool(launch and launch.alive), launch=None if launch is None else launch_out(launch))

"""JSON API routers (mounted at /api/v1). Every route takes a bearer token, declares its response model and
its problem+json errors; see docs/api.md.

    me.py         GET /me
    campaigns.py  GET /campaigns, GET /campaigns/{slug}
    runs.py       POST|GET /campaigns/{slug}/runs, GET /campaigns/{slug}/progress  (web/runs.py starts them)
    assets.py     GET /campaigns/{slug}/assets, GET /assets/{id}[/file|/revisions|/history|/lineage|/qc|/variants]
    decisions.py  POST|GET /assets/{id}/decisions, POST /decisions/bulk, POST|GET /assets/{id}/comments
    events.py     POST /events  (performance events, batched and idempotent)
    imports.py    POST /campaigns/{slug}/events/import  (a platform's CSV export, all or nothing)
    decide.py     POST /decide  (DCO, served from memory; included first, as the hot path)
    experiments.py POST|GET /campaigns/{slug}/experiments, GET|PATCH .../{experiment}, GET .../results
    cost.py       GET /campaigns/{slug}/cost  (cost and yield; producers and admins)
    insights.py   GET /campaigns/{slug}/insights  (which creative attributes win)
    storyboards.py GET /campaigns/{slug}/storyboards[/{concept}[/pdf|/sheet]], POST …/frames/{index}/decision
"""

from fastapi import APIRouter

from assetline.web.api import (
    assets,
    campaigns,
    cost,
    decide,
    decisions,
    events,
    experiments,
    imports,
    insights,
    me,
    runs,
    storyboards,
)

router = APIRouter()
for _module in (decide, me, campaigns, runs, assets, decisions, events, experiments, imports, cost, insights,
                storyboards):
    router.include_router(_module.router)

__all__ = ["router"]

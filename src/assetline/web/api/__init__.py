"""JSON API routers (mounted at /api/v1). Every route takes a bearer token, declares its response model and
its problem+json errors; see docs/api.md.

    me.py         GET /me
    campaigns.py  GET /campaigns, GET /campaigns/{slug}
    runs.py       POST|GET /campaigns/{slug}/runs, GET /campaigns/{slug}/progress  (web/runs.py starts them)
    assets.py     GET /campaigns/{slug}/assets, GET /assets/{id}[/file|/revisions|/history|/lineage|/qc|/variants]
    decisions.py  POST|GET /assets/{id}/decisions, POST /decisions/bulk, POST|GET /assets/{id}/comments
"""

from fastapi import APIRouter

from assetline.web.api import assets, campaigns, decisions, me, runs

router = APIRouter()
for _module in (me, campaigns, runs, assets, decisions):
    router.include_router(_module.router)

__all__ = ["router"]

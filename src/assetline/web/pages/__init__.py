"""Server-rendered review pages (Jinja2 + htmx). See docs/review-ui.md.

    auth.py       /login, /logout
    campaigns.py  /  (campaign list), run progress, start a run
    board.py      /campaigns/{slug}  (filters, paged grid, bulk decisions)
    assets.py     /assets/{id}  (preview, QC, lineage, history, comments, decisions), compare
    media.py      thumbnails, renders, fonts

Every route uses errors.PageRoute, so user mistakes come back as HTML pages with the right 4xx status.
"""

from fastapi import APIRouter

from assetline.web.pages import assets, auth, board, campaigns, media

router = APIRouter(include_in_schema=False)
for _module in (auth, campaigns, board, assets, media):
    router.include_router(_module.router)

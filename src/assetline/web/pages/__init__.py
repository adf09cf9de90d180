"""Server-rendered review pages (Jinja2 + htmx). See docs/review-ui.md.

    auth.py       /login, /logout
    campaigns.py  /  (campaign list), run progress, start a run
    board.py      /campaigns/{slug}  (filters, paged grid, bulk decisions)
    assets.py     /assets/{id}  (preview, QC, lineage, history, comments, decisions), compare
    media.py      thumbnails, renders, fonts
    analytics.py  /campaigns/{slug}/analytics  (attribute insights as plots, experiments)
    cost.py       /campaigns/{slug}/cost  (cost and yield; producers and admins)
    storyboards.py /campaigns/{slug}/storyboards[/{concept}]  (frames of a concept's video, decided one by one)

Every route uses errors.PageRoute, so user mistakes come back as HTML pages with the right 4xx status.
"""

from fastapi import APIRouter

from assetline.web.pages import analytics, assets, auth, board, campaigns, cost, media, storyboards

router = APIRouter(include_in_schema=False)
for _module in (auth, campaigns, board, assets, media, cost, analytics, storyboards):
    router.include_router(_module.router)

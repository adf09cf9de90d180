"""The web layer: JSON API under /api/v1 (api/) and server-rendered pages with htmx (pages/). No business
logic lives here: handlers call ReviewService, assetline.api and the access package."""

from assetline.web.app import create_app

__all__ = ["create_app"]

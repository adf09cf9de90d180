"""The FastAPI application: JSON API at /api/v1 (OpenAPI at /api/v1/openapi.json) and the review UI at /."""

from __future__ import annotations

import gc
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from assetline.config import Settings
from assetline.store.blobs import BlobStore
from assetline.store.db import Database
from assetline.web import problems
from assetline.web.context import AppState, secret_key


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Shutdown: stop the decision server and write the decisions it still holds."""
    try:
        yield
    finally:
        app.state.assetline.close()


def prepare_to_serve() -> None:
    """Tune this process for request latency, just before it serves (``assetline serve``; not for test processes).

    - Move every object alive now (the ~250k of the imports) into the collector's permanent generation, so a
      full collection walks only what requests allocate. Without it one pass stalls every request in flight by
      50–200 ms (POST /decide's p99). Cycles frozen here are never collected, which is fine for start-up state.
    - Hand the GIL over every 1 ms instead of 5 ms: the decision server's background thread (decision log
      writes, count refreshes) then delays a request by at most about a millisecond per slice.
    """
    gc.collect()
    gc.freeze()
    sys.setswitchinterval(0.001)


def create_app(settings: Settings, *, session_secret: str | None = None) -> FastAPI:
    """Build the app for one workspace. The database is migrated here, once."""
    db = Database(settings.db_url)
    db.migrate()
    app = FastAPI(title="Assetline", version="1", openapi_url="/api/v1/openapi.json", docs_url="/api/v1/docs",
                  redoc_url=None, lifespan=lifespan,
                  description="Review, decide and follow creative production. Token auth: "
                              "`Authorization: Bearer <token>` (create one with `assetline token create`). "
                              "Errors are RFC 9457 problem+json.")
    app.state.assetline = AppState(settings=settings, db=db, blobs=BlobStore(settings.blob_dir))
    app.add_middleware(SessionMiddleware, secret_key=session_secret or secret_key(settings.workspace),
                       session_cookie="assetline_session", same_site="lax", https_only=False, max_age=12 * 3600)
    problems.install(app)
    from assetline.web.api import router as api_router
    from assetline.web.pages import router as pages_router

    app.include_router(api_router, prefix="/api/v1")
    app.include_router(pages_router)
    app.mount("/static", StaticFiles(directory=str(resources.files("assetline.web") / "static")), name="static")
    return app

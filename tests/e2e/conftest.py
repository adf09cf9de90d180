"""Browser tests of the review UI: a real uvicorn server in a background thread, driven by Debian Chromium.

    review_base      one reviewed workspace per session (tests/reviewkit.py), never written to
    module_ws        per test module: a private copy of it (the tests write decisions, comments, runs)
    server           the module's copy, served on a free port (uikit.LiveServer)
    browser          one Chromium per session; each test opens its own context (fresh cookies)
    shots            where screenshots go: $ASSETLINE_SCREENSHOTS, else a temporary folder

Chromium is the system one (/usr/bin/chromium); browser tests are skipped when it or Playwright is missing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from uikit import LiveServer, serve

from reviewkit import ReviewWorkspace


@pytest.fixture(scope="module")
def module_ws(review_base: ReviewWorkspace, tmp_path_factory: pytest.TempPathFactory) -> ReviewWorkspace:
    """A private copy for the tests of one module (they write: decisions, comments, runs)."""
    return review_base.copy_to(tmp_path_factory.mktemp("review-ws") / "ws")


@pytest.fixture(scope="module")
def server(module_ws: ReviewWorkspace) -> Iterator[LiveServer]:
    live = serve(module_ws)
    yield live
    live.stop()


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(viewport={"width": 1440, "height": 900}, reduced_motion="reduce")
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


@pytest.fixture(scope="session")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = os.environ.get("ASSETLINE_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path

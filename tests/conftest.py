"""Shared fixtures: isolated cache folders, the demo brief, and databases (SQLite always; Postgres when
ASSETLINE_TEST_DATABASE_URL names a reachable server — `make test` sets it and says when it cannot)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assetline.api import example_dir
from experimentkit import build_delivered_workspace
from reviewkit import ReviewWorkspace, build_review_workspace

PG_ENV = "ASSETLINE_TEST_DATABASE_URL"


@pytest.fixture(autouse=True, scope="session")
def _isolated_caches(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Keep libraries from writing into the user's home (caches, configs)."""
    root = tmp_path_factory.mktemp("caches")
    saved = {k: os.environ.get(k) for k in ("XDG_CACHE_HOME", "MPLCONFIGDIR", "HF_HOME", "HF_HUB_OFFLINE")}
    os.environ.update({"XDG_CACHE_HOME": str(root / "xdg"), "MPLCONFIGDIR": str(root / "mpl"),
                       "HF_HOME": str(root / "hf"), "HF_HUB_OFFLINE": "1"})
    yield
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture
def demo_brief(tmp_path: Path) -> Path:
    """A private copy of the example brief (tests may edit it)."""
    target = tmp_path / "brief"
    shutil.copytree(example_dir(), target, ignore=shutil.ignore_patterns("__pycache__", "make_*.py"))
    return target


def _postgres_url() -> str | None:
    return os.environ.get(PG_ENV) or None


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a new schema on the test Postgres server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'assetline.db'}"
        return
    base = _postgres_url()
    if not base:
        pytest.skip(f"Postgres tests skipped: {PG_ENV} is not set (make test sets it when 127.0.0.1:5432 answers)")
    from pgkit import temporary_schema

    with temporary_schema(base) as url:
        yield url


@pytest.fixture(scope="session")
def review_base(tmp_path_factory: pytest.TempPathFactory) -> ReviewWorkspace:
    """The reviewed two-tenant workspace of tests/reviewkit.py, built once per session. Tests that write use
    ``review_base.copy_to(path)``."""
    return build_review_workspace(tmp_path_factory.mktemp("review-base") / "ws")


@pytest.fixture(scope="session")
def delivered_base(review_base: ReviewWorkspace, tmp_path_factory: pytest.TempPathFactory) -> ReviewWorkspace:
    """review_base with every asset of both tenants approved and delivered (tests/experimentkit.py), built once
    per session. Tests that write use ``delivered_base.copy_to(path)``."""
    return build_delivered_workspace(review_base, tmp_path_factory.mktemp("delivered-base") / "ws")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One Chromium per session (Playwright's sync API allows one per process); skipped when it is missing."""
    from browsers import CHROMIUM, CHROMIUM_ARGS

    if not Path(CHROMIUM).exists():
        pytest.skip(f"browser tests need Chromium at {CHROMIUM}")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()

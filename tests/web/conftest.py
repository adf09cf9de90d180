"""Fixtures for the JSON API tests: the reviewed workspace per backend (see apikit.py), a client per module.

The reviewed workspace (tests/reviewkit.py) is built once per session and backend. SQLite: each test module
gets its own copy. Postgres (when ASSETLINE_TEST_DATABASE_URL is set): one schema for the session, shared by
the modules; tests that write take their assets from ``ApiEnv.take()``, so they stay independent.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from apikit import ApiEnv, prepare, sqlite_copy
from fastapi.testclient import TestClient

from pgkit import temporary_schema
from reviewkit import ReviewWorkspace, build_review_workspace

PG_ENV = "ASSETLINE_TEST_DATABASE_URL"


@pytest.fixture(scope="session")
def _sqlite_template(review_base: ReviewWorkspace, tmp_path_factory: pytest.TempPathFactory) -> ApiEnv:
    return prepare(review_base.copy_to(tmp_path_factory.mktemp("web") / "template"), None, "sqlite")


@pytest.fixture(scope="session")
def _postgres_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiEnv]:
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"Postgres API tests skipped: {PG_ENV} is not set")
    with temporary_schema(base, "t_web") as url:
        ws = build_review_workspace(tmp_path_factory.mktemp("web-pg") / "ws", db_url=url)
        env = prepare(ws, url, "postgres")
        yield env
        env.database().dispose()


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def env(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> ApiEnv:
    """The module's reviewed workspace on each backend."""
    if request.param == "postgres":
        return request.getfixturevalue("_postgres_env")  # type: ignore[no-any-return]
    template = request.getfixturevalue("_sqlite_template")
    return sqlite_copy(template, tmp_path_factory.mktemp("web-module") / "ws")


@pytest.fixture(scope="module")
def sqlite_env(_sqlite_template: ApiEnv, tmp_path_factory: pytest.TempPathFactory) -> ApiEnv:
    """A private SQLite copy for modules that only run on SQLite (schema fuzzing)."""
    return sqlite_copy(_sqlite_template, tmp_path_factory.mktemp("web-module") / "ws")


@pytest.fixture(scope="module")
def client(env: ApiEnv) -> Iterator[TestClient]:
    with env.client() as c:
        yield c

"""Migration 0004 on a fresh database (SQLite, and Postgres when ASSETLINE_TEST_DATABASE_URL is set): the tables
match the models exactly, and a storyboard is built, decided and refreshed there end to end."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select
from storykit import CONCEPT, SLUG, actor, add_motion_asset

from assetline.review.storyboard import StoryboardService
from assetline.store.blobs import BlobStore
from assetline.store.db import Database
from assetline.store.models import Base, Event, StoryboardFrame
from assetline.store.repositories import Repository

TABLES = {"storyboards", "storyboard_frames"}


@pytest.fixture
def database(db_url: str) -> Database:
    db = Database(db_url)
    db.migrate()
    yield db  # type: ignore[misc]
    db.dispose()


def test_the_tables_match_the_models(database: Database) -> None:
    with database.engine.connect() as conn:
        assert set(inspect(conn).get_table_names()) >= TABLES
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    ours = [d for d in diffs if any(t in repr(d) for t in TABLES)]
    assert ours == [], ours
    assert database.schema_is_current()


def test_build_and_decide_on_a_fresh_store(database: Database, tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path / "blobs")
    with database.session() as s:
        repo = Repository(s, "acme")
        repo.ensure_tenant("Acme")
        repo.upsert_campaign(SLUG, "Acme launch", str(tmp_path / "campaign.yaml"), "0" * 64)
        asset_id = add_motion_asset(s, blobs, "acme", SLUG, CONCEPT, "london-commuters")
    with database.session() as s:
        [outcome] = StoryboardService(s, actor("producer"), blobs).build(SLUG)
        assert outcome.board.storyboard.asset_id == asset_id and len(outcome.board.frames) == 3
    with database.session() as s:
        svc = StoryboardService(s, actor("reviewer"), blobs)
        for number in (1, 2, 3):
            view = svc.decide(SLUG, CONCEPT, number, "approve")
        assert view.storyboard.status == "approved" and view.storyboard.version == 1 + 3
    with database.session() as s:
        [again] = StoryboardService(s, actor("producer"), blobs).build(SLUG, CONCEPT)
        assert not again.changed and again.board.storyboard.status == "approved"
        statuses = s.scalars(select(StoryboardFrame.status).order_by(StoryboardFrame.number)).all()
        assert list(statuses) == ["approved"] * 3
        kinds = s.scalars(select(Event.kind).where(Event.kind.like("storyboard.%"))).all()
        assert sorted(kinds) == ["storyboard.built"] + ["storyboard.decision"] * 3

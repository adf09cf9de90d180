"""Fixtures: the reviewed workspace with motion assets (storykit.py), built once per session, copied per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from storykit import StoryWorkspace, story_workspace

from assetline.store.db import Database
from reviewkit import ReviewWorkspace


@pytest.fixture(scope="session")
def story_base(review_base: ReviewWorkspace, tmp_path_factory: pytest.TempPathFactory) -> StoryWorkspace:
    return story_workspace(review_base, tmp_path_factory.mktemp("story-base") / "ws")


@pytest.fixture
def story(story_base: StoryWorkspace, tmp_path: Path) -> StoryWorkspace:
    """A private copy for a test that writes."""
    return StoryWorkspace(story_base.ws.copy_to(tmp_path / "ws"), dict(story_base.ids))


@pytest.fixture
def db(story: StoryWorkspace) -> Iterator[Database]:
    database = story.db()
    yield database
    database.dispose()

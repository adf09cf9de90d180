"""Fixtures for the motion engine tests: real composed layouts and videos rendered once per session."""

from __future__ import annotations

import pytest
from motion_support import SHORT, SPANS, Case, Demo, cues_for, tone

from assetline.engines.motion import KineticMotionEngine, MotionResult


@pytest.fixture(scope="session")
def demo() -> Demo:
    return Demo()


@pytest.fixture(scope="session")
def engine() -> KineticMotionEngine:
    return KineticMotionEngine()


@pytest.fixture(scope="session")
def square(demo: Demo) -> Case:
    """The demo's hero layout on Meta's 1080×1080 feed video format (English)."""
    return demo.case("meta-feed-1x1-video", "hero")


@pytest.fixture(scope="session")
def reel(demo: Demo) -> Case:
    """The hero layout on Meta Reels 1080×1920 (large safe-zone margins), in Arabic (right to left)."""
    return demo.case("meta-reels-9x16-video", "hero", segment_id="dubai-professionals")


@pytest.fixture(scope="session")
def square_video(engine: KineticMotionEngine, square: Case) -> MotionResult:
    """3 s square MP4 with a tone and two burned-in captions."""
    return engine.animate(square.request(**SHORT, audio=tone(3.0), cues=cues_for(square, SPANS),
                                         burn_captions=True))


@pytest.fixture(scope="session")
def square_plain(engine: KineticMotionEngine, square: Case) -> MotionResult:
    """The same video without burned captions (its frames differ from square_video's only by them)."""
    return engine.animate(square.request(**SHORT, audio=tone(3.0), cues=cues_for(square, SPANS)))

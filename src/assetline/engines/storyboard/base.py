"""Storyboard contract: what the storyboard engine is asked for, what it returns, and what the exports draw.

A motion asset's render artifact is an MP4 whose ``meta["motion"]`` carries the timeline (see
engines/motion/base.py: ``shots`` with start, end and note; ``captions``; ``duration``) and the voice-over
``cues``. The engine turns each shot into one frame: the still at the shot's middle, its timing, the caption
(the cues that overlap the shot) and the camera note.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FRAME_STATUSES = ("pending", "approved", "changes_requested")


@dataclass(frozen=True)
class StoryboardRequest:
    video: bytes
    """The MP4 (H.264) of the motion asset."""
    timeline: dict[str, Any]
    """The motion engine's timeline (engines/motion/base.py)."""
    cues: tuple[dict[str, Any], ...] = ()
    """Voice-over cues ``{"start", "end", "text"}``; empty: the timeline's ``captions`` are used."""
    max_side: int = 640
    """Longest side of each still, in pixels (smaller videos keep their size)."""


@dataclass(frozen=True)
class DraftFrame:
    """One shot as a frame: 1-based ``number``, seconds, the still as JPEG bytes."""

    number: int
    start: float
    end: float
    at: float
    caption: str
    note: str
    image: bytes
    width: int
    height: int

    @property
    def timing(self) -> str:
        return timing_label(self.start, self.end)


@dataclass(frozen=True)
class StoryboardDraft:
    frames: tuple[DraftFrame, ...]
    duration: float
    width: int
    height: int
    """Size of the video (the stills keep its aspect ratio)."""
    content_key: str
    """sha256 over the engine version, the video's hash, the shots and the cues: same key ⇒ same frames."""
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SheetHeader:
    """What the PDF and the contact sheet print above the frames."""

    campaign: str
    concept: str
    format: str
    status: str = ""
    subtitle: str = ""
    footer: str = ""


@dataclass(frozen=True)
class FrameCard:
    """One frame as the exports draw it."""

    number: int
    start: float
    end: float
    caption: str
    note: str
    image: bytes
    status: str = "pending"
    decision_note: str = ""
    language: str = "en"

    @property
    def timing(self) -> str:
        return timing_label(self.start, self.end)


def timing_label(start: float, end: float) -> str:
    """'0.0–1.5 s': one decimal, an en dash, the unit once."""
    return f"{start:.1f}–{end:.1f} s"

"""Motion contract: what the motion engine is asked for and what it returns.

The motion engine animates a composed layout: the composer's still (the end card) and the background it was
composed on go in, with the elements the composer placed; out comes an encoded video in which the background
moves (Ken Burns), the type enters (kinetic typography), the logo stings in and the last seconds hold the end
card. The same request gives byte-identical bytes.

The **timeline** (``MotionResult.timeline``) is the contract with the QC gates and the storyboard; it is a
JSON-able dict:

    {"fps": 30, "frames": 180, "duration": 6.0, "width": 1080, "height": 1080,
     "end_card_start": 4.0,                      # seconds; from here the frame is the composed still
     "camera": {"kind": "ken-burns", "from": {"scale": 1.08, "centre": [x, y]}, "to": {"scale": 1.0, ...}},
     "elements": [                               # one per composer element that is animated
        {"kind": "headline", "text": "…", "box": [l, t, r, b],      # final box (as composed)
         "enter": 0.5, "settled": 0.9,           # seconds: starts to appear / fully in place
         "exit": 6.0,                            # seconds: gone (= duration when it stays to the end)
         "animation": "slide-up",                # fade | slide-up | slide-down | pop | sting | none
         "keyframes": [[t, [l, t, r, b], opacity], ...]},   # sampled at least every 0.1 s while moving,
        ...],                                                # boxes in output pixels
     "captions": [{"start": s, "end": s, "text": "…", "box": [l, t, r, b] | null}],   # box when burned in
     "shots": [{"start": s, "end": s, "note": "push-in on the subject; headline slides up"}, ...]}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal, Protocol, runtime_checkable

import numpy as np
from PIL import Image

from assetline.engines.base import Box, Element
from assetline.engines.voice.base import Cue
from assetline.spec.formats import ChannelFormat

Container = Literal["mp4", "webm", "gif"]


@dataclass(frozen=True)
class MotionRequest:
    format: ChannelFormat
    """A motion format (``format.video`` is set): size, fps, safe zone."""
    background: Image.Image
    """RGB, format size: the visual the composer set the layout on."""
    composed: Image.Image
    """RGB, format size: the composer's final still — the end card, and the last frame of the video."""
    elements: tuple[Element, ...]
    """What the composer placed (kinds, boxes, texts)."""
    duration: float
    fps: int
    seed: int
    subject: Box | None = None
    """Where the photo's subject is (Ken Burns pushes in towards it); None: the centre."""
    end_card: float = 2.0
    """Seconds the composed still holds at the end."""
    audio: np.ndarray | None = None
    """float32 (samples, 2) at 48 kHz, exactly ``duration`` long, or None for a silent video."""
    cues: tuple[Cue, ...] = ()
    burn_captions: bool = False
    """Draw the cues on the frames (inside the safe zone, clear of the composed text)."""
    caption_font: Path | None = None
    container: Container = "mp4"
    max_bitrate_kbps: int | None = None


@dataclass(frozen=True)
class MotionResult:
    data: bytes
    media_type: str
    """'video/mp4', 'video/webm' or 'image/gif'."""
    poster: Image.Image
    """RGB: the frame a player shows before playing (the end card)."""
    timeline: dict[str, Any]
    """See the module docstring."""
    metadata: dict[str, Any] = field(default_factory=dict)
    """Codec, bitrate, encoder settings — recorded in lineage."""


@runtime_checkable
class MotionEngine(Protocol):
    id: ClassVar[str]
    version: ClassVar[str]
    modality: ClassVar[str]

    def animate(self, request: MotionRequest) -> MotionResult: ...

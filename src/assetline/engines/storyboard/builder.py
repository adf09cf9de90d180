"""The storyboard engine: a motion asset's MP4 and timeline → one frame per shot.

Usage::

    from assetline.engines.storyboard import StoryboardEngine, StoryboardRequest
    draft = StoryboardEngine().build(StoryboardRequest(video=mp4_bytes, timeline=meta["motion"]["timeline"],
                                                       cues=tuple(meta["motion"]["cues"])))
    draft.frames[0].timing, draft.frames[0].caption, draft.frames[0].image   # '0.0–1.5 s', '…', JPEG bytes

The same request gives byte-identical frames and the same ``content_key``.
"""

from __future__ import annotations

import hashlib
import json
from typing import ClassVar

from assetline.engines.storyboard.base import DraftFrame, StoryboardDraft, StoryboardRequest
from assetline.engines.storyboard.frames import encode_still, grab_stills
from assetline.engines.storyboard.shots import TOLERANCE, Shot, duration_of, parse_cues, parse_shots
from assetline.errors import EngineError

MIN_SIDE, MAX_SIDE = 64, 2048


def check_inputs(request: StoryboardRequest) -> None:
    """Raise EngineError with the exact fix for a request the engine cannot serve."""
    if not request.video:
        raise EngineError("the motion asset's video is empty", hint="re-run the campaign to render it again")
    if not MIN_SIDE <= request.max_side <= MAX_SIDE:
        raise EngineError(f"max_side must lie between {MIN_SIDE} and {MAX_SIDE} px, not {request.max_side}")
    duration_of(request.timeline)


class StoryboardEngine:
    """Shots → stills → frames. Components: ``shots`` (timeline and cues), ``frames`` (PyAV decode, JPEG)."""

    id: ClassVar[str] = "builtin.storyboard"
    version: ClassVar[str] = "1"

    def shots(self, request: StoryboardRequest) -> list[Shot]:
        """The request's shots with their captions (the voice-over cues; the timeline's captions when there
        are none). Cheap: no decoding."""
        check_inputs(request)
        raw_cues = list(request.cues) if request.cues else list(request.timeline.get("captions") or [])
        return parse_shots(request.timeline, parse_cues(raw_cues))

    def key_for(self, request: StoryboardRequest) -> str:
        """The content key ``build`` would give, without decoding the video (to skip unchanged refreshes)."""
        return self.content_key(request.video, self.shots(request), request.max_side)

    def build(self, request: StoryboardRequest) -> StoryboardDraft:
        # 1. Check inputs; 2. shots and their captions
        shots = self.shots(request)
        duration = duration_of(request.timeline)
        # 3. One still per shot, at its middle
        stills, info = grab_stills(request.video, [shot.middle for shot in shots])
        if info.duration is not None and info.duration + TOLERANCE * 3 < duration:
            raise EngineError(f"the video lasts {info.duration:.2f} s but its timeline says {duration:g} s",
                              hint="the timeline and the video come from different renders: re-run the campaign")
        # 4. Encode the stills and assemble the draft
        frames = []
        for shot, still in zip(shots, stills, strict=True):
            data, (width, height) = encode_still(still.image, request.max_side)
            frames.append(DraftFrame(number=shot.number, start=shot.start, end=shot.end, at=round(still.shown, 4),
                                     caption=shot.caption, note=shot.note, image=data, width=width, height=height))
        key = self.content_key(request.video, shots, request.max_side)
        return StoryboardDraft(frames=tuple(frames), duration=duration, width=info.width, height=info.height,
                               content_key=key, metadata={"engine": self.id, "version": self.version,
                                                          "codec": info.codec, "max_side": request.max_side})

    def content_key(self, video: bytes, shots: list[Shot], max_side: int) -> str:
        payload = {"engine": self.id, "version": self.version, "video": hashlib.sha256(video).hexdigest(),
                   "shots": [[s.start, s.end, s.note, s.caption] for s in shots], "max_side": max_side}
        canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

"""The timeline's shots, checked, each with its caption: the voice-over cues that overlap it.

A cue belongs to every shot it overlaps (a line spoken across a cut is shown under both frames); a cue that
ends exactly where a shot starts does not. Timings are trusted to within ``TOLERANCE`` seconds (a frame at
30 fps): shots may end a hair after the video or overlap the next shot by that much, from rounding.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from assetline.errors import EngineError

TOLERANCE = 1 / 30
MAX_SHOTS = 200
MAX_TEXT = 2000
HINT = "the motion engine writes the timeline documented in engines/motion/base.py"


@dataclass(frozen=True)
class Shot:
    number: int
    start: float
    end: float
    note: str
    caption: str

    @property
    def middle(self) -> float:
        return (self.start + self.end) / 2


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str


def _seconds(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise EngineError(f"{what} must be a number of seconds, not {value!r}"[:200], hint=HINT)
    return float(value)


def _text(value: Any, what: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise EngineError(f"{what} must be text, not {type(value).__name__}", hint=HINT)
    return " ".join(value.split())[:MAX_TEXT]


def duration_of(timeline: dict[str, Any]) -> float:
    if not isinstance(timeline, dict):
        raise EngineError("the motion timeline is not an object", hint=HINT)
    if "duration" not in timeline:
        raise EngineError("the motion timeline has no 'duration'", hint=HINT)
    duration = _seconds(timeline["duration"], "the timeline's duration")
    if duration <= 0:
        raise EngineError(f"the timeline's duration must be above 0 s, not {duration:g} s", hint=HINT)
    return duration


def parse_cues(raw: Sequence[Any]) -> list[Cue]:
    """Cues (or timeline captions) as ``{"start", "end", "text"}`` dicts, in time order; empty texts dropped."""
    if not isinstance(raw, list | tuple):
        raise EngineError("the voice-over cues are not a list", hint=HINT)
    cues = []
    for i, item in enumerate(raw, 1):
        if not isinstance(item, dict):
            raise EngineError(f"cue {i} is not an object", hint=HINT)
        start, end = _seconds(item.get("start"), f"cue {i}'s start"), _seconds(item.get("end"), f"cue {i}'s end")
        if end < start:
            raise EngineError(f"cue {i} ends ({end:g} s) before it starts ({start:g} s)", hint=HINT)
        text = _text(item.get("text"), f"cue {i}'s text")
        if text:
            cues.append(Cue(start, end, text))
    return sorted(cues, key=lambda c: (c.start, c.end))


def caption_for(start: float, end: float, cues: Sequence[Cue]) -> str:
    return " ".join(c.text for c in cues if c.start < end and c.end > start)


def parse_shots(timeline: dict[str, Any], cues: Sequence[Cue]) -> list[Shot]:
    """The timeline's shots in time order, numbered from 1, each with its caption. EngineError says what is
    wrong with a timeline that has no usable shots."""
    duration = duration_of(timeline)
    raw = timeline.get("shots")
    if not isinstance(raw, list) or not raw:
        raise EngineError("the motion timeline lists no shots", hint=HINT)
    if len(raw) > MAX_SHOTS:
        raise EngineError(f"the motion timeline lists {len(raw)} shots; a storyboard takes {MAX_SHOTS} at most")
    spans = []
    for i, item in enumerate(raw, 1):
        if not isinstance(item, dict):
            raise EngineError(f"shot {i} is not an object", hint=HINT)
        start, end = _seconds(item.get("start"), f"shot {i}'s start"), _seconds(item.get("end"), f"shot {i}'s end")
        if start < 0 or end <= start:
            raise EngineError(f"shot {i} runs from {start:g} s to {end:g} s: it must start at 0 s or later and "
                              "end after it starts", hint=HINT)
        if start >= duration or end > duration + TOLERANCE:
            raise EngineError(f"shot {i} ({start:g}–{end:g} s) runs past the end of the {duration:g} s video",
                              hint=HINT)
        spans.append((start, min(end, duration), _text(item.get("note"), f"shot {i}'s note")))
    spans.sort(key=lambda s: (s[0], s[1]))
    for (_, prev_end, _), (start, _, _) in itertools.pairwise(spans):
        if start < prev_end - TOLERANCE:
            raise EngineError(f"shots overlap: one starts at {start:g} s, before the one before it ends "
                              f"({prev_end:g} s)", hint=HINT)
    return [Shot(n, start, end, note, caption_for(start, end, cues))
            for n, (start, end, note) in enumerate(spans, 1)]

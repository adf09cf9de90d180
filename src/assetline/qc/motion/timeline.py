"""The motion engine's timeline, read into typed values the motion gates can reason about over time.

The format is documented in ``assetline.engines.motion.base``. The gates need three things from it: where
each element is and how opaque at any moment (``TimedElement.state_at``), when each text element is fully
settled, and where burned-in captions sit. A timeline that does not follow the format is reported as a
``MalformedTimelineError`` naming the offending field, which the checks turn into a 'fail' verdict — a
broken contract between engine and gate must not pass silently.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from assetline.errors import CheckError
from assetline.spec.formats import ChannelFormat

FloatBox = tuple[float, float, float, float]
"""(left, top, right, bottom) in output pixels; floats, because animated boxes move by sub-pixels."""


class MalformedTimelineError(CheckError):
    """The timeline does not follow the documented format (engines/motion/base.py)."""


@dataclass(frozen=True)
class Keyframe:
    time: float
    box: FloatBox
    opacity: float


@dataclass(frozen=True)
class TimedElement:
    kind: str
    text: str
    box: FloatBox
    """The final box, as composed."""
    enter: float
    settled: float
    exit: float
    keyframes: tuple[Keyframe, ...]

    def state_at(self, t: float) -> tuple[FloatBox, float] | None:
        """(box, opacity) at ``t`` seconds, linearly between keyframes; None when not on screen."""
        if t < self.enter or t >= self.exit:
            return None
        frames = self.keyframes
        if not frames:
            return self.box, 1.0
        times = [k.time for k in frames]
        i = bisect.bisect_right(times, t)
        if i == 0:
            return frames[0].box, frames[0].opacity
        if i == len(frames):
            return frames[-1].box, frames[-1].opacity
        a, b = frames[i - 1], frames[i]
        w = 0.0 if b.time == a.time else (t - a.time) / (b.time - a.time)
        box = tuple(p + (q - p) * w for p, q in zip(a.box, b.box, strict=True))
        return box, a.opacity + (b.opacity - a.opacity) * w  # type: ignore[return-value]

    def visible_boxes(self) -> Iterator[tuple[float, FloatBox, float]]:
        """(time, box, opacity) of every keyframe while on screen, then the final box once settled."""
        for k in self.keyframes:
            if self.enter <= k.time < self.exit:
                yield k.time, k.box, k.opacity
        settled = self.state_at(self.settled)
        if settled is not None:
            yield self.settled, settled[0], settled[1]


@dataclass(frozen=True)
class TimedCaption:
    start: float
    end: float
    text: str
    box: FloatBox | None


@dataclass(frozen=True)
class Timeline:
    fps: float
    duration: float
    width: int
    height: int
    elements: tuple[TimedElement, ...]
    captions: tuple[TimedCaption, ...]


def _number(raw: Any, where: str) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise MalformedTimelineError(f"timeline {where} must be a number, got {raw!r}")
    return float(raw)


def _box(raw: Any, where: str) -> FloatBox:
    if not isinstance(raw, Sequence) or isinstance(raw, str) or len(raw) != 4:
        raise MalformedTimelineError(f"timeline {where} must be [left, top, right, bottom], got {raw!r}")
    left, top, right, bottom = (_number(v, where) for v in raw)
    if right < left or bottom < top:
        raise MalformedTimelineError(f"timeline {where} {list(raw)} has right < left or bottom < top")
    return left, top, right, bottom


def _element(raw: Any, index: int, duration: float) -> TimedElement:
    where = f"elements[{index}]"
    if not isinstance(raw, Mapping):
        raise MalformedTimelineError(f"timeline {where} must be an object")
    keyframes = []
    for j, frame in enumerate(raw.get("keyframes") or ()):
        if not isinstance(frame, Sequence) or len(frame) != 3:
            raise MalformedTimelineError(f"timeline {where}.keyframes[{j}] must be [t, box, opacity]")
        kw = f"{where}.keyframes[{j}]"
        keyframes.append(Keyframe(_number(frame[0], kw), _box(frame[1], kw), _number(frame[2], kw)))
    keyframes.sort(key=lambda k: k.time)
    enter = _number(raw.get("enter", 0.0), f"{where}.enter")
    settled = _number(raw.get("settled", enter), f"{where}.settled")
    exit_ = _number(raw.get("exit", duration), f"{where}.exit")
    return TimedElement(
        kind=str(raw.get("kind", "")),
        text=str(raw.get("text") or ""),
        box=_box(raw.get("box"), f"{where}.box"),
        enter=enter,
        settled=settled,
        exit=exit_,
        keyframes=tuple(keyframes),
    )


def parse_timeline(raw: Mapping[str, Any]) -> Timeline:
    """The timeline dict as typed values. Raises MalformedTimelineError naming the bad field."""
    if not isinstance(raw, Mapping):
        raise MalformedTimelineError("the timeline must be an object")
    duration = _number(raw.get("duration"), "duration")
    captions = []
    for i, cap in enumerate(raw.get("captions") or ()):
        if not isinstance(cap, Mapping):
            raise MalformedTimelineError(f"timeline captions[{i}] must be an object")
        box = cap.get("box")
        captions.append(
            TimedCaption(
                start=_number(cap.get("start"), f"captions[{i}].start"),
                end=_number(cap.get("end"), f"captions[{i}].end"),
                text=str(cap.get("text") or ""),
                box=None if box is None else _box(box, f"captions[{i}].box"),
            )
        )
    return Timeline(
        fps=_number(raw.get("fps", 30), "fps"),
        duration=duration,
        width=int(_number(raw.get("width", 0), "width")),
        height=int(_number(raw.get("height", 0), "height")),
        elements=tuple(_element(e, i, duration) for i, e in enumerate(raw.get("elements") or ())),
        captions=tuple(captions),
    )


def overlap(a: FloatBox, b: FloatBox) -> float:
    """Area two boxes share (0 when they only touch)."""
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def safe_area(fmt: ChannelFormat) -> FloatBox:
    """The part of the frame platform UI leaves free."""
    z = fmt.safe_zone
    return float(z.left), float(z.top), float(fmt.width - z.right), float(fmt.height - z.bottom)


def margins_hit(box: FloatBox, fmt: ChannelFormat) -> list[str]:
    """The safe-zone margins ('top', 'bottom', 'left', 'right') that ``box`` reaches into.

    Like channel.spec, only sides that have a margin count, and a margin is the band inside the frame: a
    box that slides in from beyond the frame edge is hidden there, not covered by platform UI.
    """
    z, w, h = fmt.safe_zone, float(fmt.width), float(fmt.height)
    bands = {
        "top": (0.0, 0.0, w, float(z.top)),
        "bottom": (0.0, h - z.bottom, w, h),
        "left": (0.0, 0.0, float(z.left), h),
        "right": (w - z.right, 0.0, w, h),
    }
    return [side for side, band in bands.items() if band[2] > band[0] and band[3] > band[1] and overlap(box, band)]

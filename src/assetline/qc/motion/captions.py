"""motion.captions' measurements: do the captions carry the voice-over, readably and out of the way?

Feeds autoplay muted, so a voice-over without captions says nothing to most viewers. Timing rules follow
common subtitling practice (Netflix/BBC style guides): cues in order and never overlapping, inside the
video, every spoken interval captioned, and a reading speed of at most 20 characters per second
(characters counted with single spaces between words, line breaks as spaces). Burned-in captions must
also sit inside the platform's safe zone and never cover an on-screen element while both are visible.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from assetline.qc.motion.spec import sub
from assetline.qc.motion.timeline import MalformedTimelineError, Timeline, margins_hit, overlap, safe_area
from assetline.spec.formats import ChannelFormat

EPSILON = 1e-3
"""Seconds of slack for timestamps rounded to milliseconds."""


@dataclass(frozen=True)
class CaptionCue:
    start: float
    end: float
    text: str

    @property
    def characters(self) -> int:
        return len(" ".join(self.text.split()))

    @property
    def cps(self) -> float:
        seconds = self.end - self.start
        return self.characters / seconds if seconds > 0 else math.inf


def parse_cues(raw: Iterable[Mapping[str, Any]]) -> list[CaptionCue]:
    """Cues as {'start', 'end', 'text'} dicts, in the order given. Raises MalformedTimelineError."""
    cues = []
    for i, cue in enumerate(raw):
        try:
            start, end = float(cue["start"]), float(cue["end"])
            text = str(cue.get("text") or "")
        except (KeyError, TypeError, ValueError) as exc:
            raise MalformedTimelineError(f"caption cue {i + 1} needs numeric 'start' and 'end' ({exc})") from exc
        cues.append(CaptionCue(start, end, text))
    return cues


def _covered(interval: tuple[float, float], cues: Sequence[CaptionCue]) -> float:
    """Seconds of ``interval`` that some cue covers (cues may overlap: their union is measured)."""
    s, e = interval
    spans = sorted((max(s, c.start), min(e, c.end)) for c in cues if c.end > s and c.start < e)
    covered, reach = 0.0, s
    for a, b in spans:
        a = max(a, reach)
        if b > a:
            covered, reach = covered + (b - a), b
    return covered


def _label(cue: CaptionCue, index: int) -> str:
    text = cue.text if len(cue.text) <= 30 else cue.text[:29] + "…"
    return f"cue {index + 1} ('{text}')"


def assess_cues(
    cues: Sequence[CaptionCue],
    speech: Sequence[tuple[float, float]],
    duration: float,
    max_cps: float,
    gap_tolerance: float,
) -> dict[str, dict[str, Any]]:
    """Timing sub-checks: order, bounds, coverage of speech, reading speed."""
    out: dict[str, dict[str, Any]] = {}
    # 1. Order and overlap.
    problems = []
    for i in range(1, len(cues)):
        prev, cue = cues[i - 1], cues[i]
        if cue.start < prev.start - EPSILON:
            problems.append(f"{_label(cue, i)} starts before {_label(prev, i - 1)}")
        elif cue.start < prev.end - EPSILON:
            problems.append(f"{_label(cue, i)} starts {prev.end - cue.start:.2f} s before the previous cue ends")
    out["order"] = sub("fail", "; ".join(problems[:3]), problems=problems) if problems else sub(
        "pass", f"{len(cues)} cue(s) in order, none overlapping")
    # 2. Inside the video.
    outside = [
        {"cue": i + 1, "start": c.start, "end": c.end}
        for i, c in enumerate(cues)
        if c.start < -EPSILON or c.end > duration + EPSILON or c.end <= c.start
    ]
    out["bounds"] = (
        sub("fail", f"{len(outside)} cue(s) empty or outside the video's 0–{duration:.2f} s", cues=outside,
            duration_s=round(duration, 3))
        if outside
        else sub("pass", f"all cues within 0–{duration:.2f} s", duration_s=round(duration, 3))
    )
    # 3. Every speech interval captioned.
    if speech:
        gaps: list[dict[str, Any]] = []
        for s, e in speech:
            missing = (e - s) - _covered((s, e), cues)
            if missing > gap_tolerance:
                gaps.append({"speech": [round(s, 3), round(e, 3)], "uncaptioned_s": round(missing, 3)})
        out["coverage"] = (
            sub("fail", f"{sum(g['uncaptioned_s'] for g in gaps):.2f} s of speech has no caption "
                        f"(first at {gaps[0]['speech'][0]:.2f} s)", gaps=gaps, tolerance_s=gap_tolerance)
            if gaps
            else sub("pass", f"all {len(speech)} speech interval(s) captioned", tolerance_s=gap_tolerance)
        )
    else:
        out["coverage"] = sub("na", "no voice-over")
    # 4. Reading speed.
    speeds = [{"cue": i + 1, "cps": round(c.cps, 1), "chars": c.characters} for i, c in enumerate(cues)]
    fast = [s for s in speeds if s["cps"] > max_cps]
    worst = max((s["cps"] for s in speeds), default=0.0)
    out["reading_speed"] = (
        sub("fail", f"{len(fast)} cue(s) faster than {max_cps:g} characters/s (worst {worst:g} in cue "
                    f"{max(fast, key=lambda s: s['cps'])['cue']})", fastest_cps=worst, limit_cps=max_cps, cues=fast)
        if fast
        else sub("pass", f"at most {worst:g} characters/s (limit {max_cps:g})", fastest_cps=worst,
                 limit_cps=max_cps)
    )
    return out


def assess_burned(timeline: Timeline, fmt: ChannelFormat | None, fps: float,
                  element_kinds: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Placement sub-checks for captions drawn on the frames: safe zone, and clear of visible elements."""
    boxed = [(i, c) for i, c in enumerate(timeline.captions) if c.box is not None]
    if not boxed:
        note = "burned captions have no recorded boxes in the timeline: placement cannot be checked"
        return {"safe_zone": sub("warn", note), "clear_of_elements": sub("warn", note)}
    out: dict[str, dict[str, Any]] = {}
    # 1. Inside the safe zone (the whole box, not only clear of the margins).
    if fmt is None:
        out["safe_zone"] = sub("na", "no channel format given")
    else:
        left, top, right, bottom = safe_area(fmt)
        bad: list[dict[str, Any]] = []
        for i, cap in boxed:
            box = cap.box
            assert box is not None
            inside = box[0] >= left - 0.5 and box[1] >= top - 0.5 and box[2] <= right + 0.5 and box[3] <= bottom + 0.5
            if not inside:
                bad.append({"caption": i + 1, "box": [round(v, 1) for v in box], "margins": margins_hit(box, fmt)
                            or ["outside the frame"]})
        out["safe_zone"] = (
            sub("fail", f"{len(bad)} caption box(es) outside the safe zone (caption {bad[0]['caption']} reaches "
                        f"{', '.join(bad[0]['margins'])})", boxes=bad, safe_area=[left, top, right, bottom])
            if bad
            else sub("pass", f"all {len(boxed)} caption box(es) inside the safe zone",
                     safe_area=[left, top, right, bottom])
        )
    # 2. Clear of every visible element, sampled on each frame the caption is shown.
    clashes: dict[tuple[int, str], dict[str, Any]] = {}
    elements = [e for e in timeline.elements if e.kind in element_kinds]
    for i, cap in boxed:
        assert cap.box is not None
        for n in range(math.ceil(cap.start * fps - EPSILON), math.ceil(cap.end * fps - EPSILON)):
            t = n / fps
            for el in elements:
                state = el.state_at(t)
                if state is None or state[1] <= 0 or overlap(state[0], cap.box) <= 0:
                    continue
                clashes.setdefault((i, el.kind), {"caption": i + 1, "element": el.kind, "first_s": round(t, 3),
                                                  "caption_box": [round(v, 1) for v in cap.box],
                                                  "element_box": [round(v, 1) for v in state[0]]})
    found = list(clashes.values())
    out["clear_of_elements"] = (
        sub("fail", f"caption {found[0]['caption']} covers the {found[0]['element']} at {found[0]['first_s']:.2f} s"
            + (f" (+{len(found) - 1} more)" if len(found) > 1 else ""), clashes=found)
        if found
        else sub("pass", f"captions stay clear of {len(elements)} animated element(s)")
    )
    return out

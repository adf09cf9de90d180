"""Storyboard shots of a motion plan: the open (camera + entrances), a hold, the logo sting, the end card.

Each shot is ``{"start", "end", "note"}`` in seconds; together they cover the video without overlapping, and
the note says what the camera and the elements do, in words a storyboard can print under its frame.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from assetline.engines.base import Box

if TYPE_CHECKING:
    from assetline.engines.motion.timeline import Camera, Track

_VERBS = {"slide-up": "slides up", "slide-down": "drops in", "pop": "pops in", "fade": "fades in",
          "sting": "stings in", "none": "is in place"}
_NAMES = {"headline": "headline", "body": "body copy", "cta": "CTA", "button": "CTA button", "legal": "legal line",
          "logo": "logo"}


def _camera_note(camera: Camera, full: Box) -> str:
    if camera.kind == "none":
        return "locked-off frame"
    scale = f"{camera.scale_at(0.0):.2f}×"
    if camera.region == full:
        return f"slow pull-back from {scale} on the subject to the composed frame"
    return f"the picture panel eases from {scale} to its composed framing"


def plan_shots(camera: Camera, full: Box, kinetic: list[Track], scrims: list[Track], end_card_start: float,
               duration: float) -> list[dict[str, Any]]:
    """Storyboard shots: the open (entrances), a hold, the logo sting, the end card."""
    copy = [t for t in kinetic if "logo" not in t.kinds]
    stings = [t for t in kinetic if "logo" in t.kinds]
    copy_end = max([t.settled for t in copy + scrims] + [0.0])
    logo_start = min([t.enter for t in stings] + [end_card_start])
    notes = [_camera_note(camera, full)]
    if any(t.enter == 0.0 and t.animation != "none" for t in scrims):
        notes.append("scrim fades in")
    for t in copy:
        notes.append(f"{_NAMES.get(t.kinds[-1], t.kinds[-1])} {_VERBS[t.animation]}")
    shots: list[tuple[float, float, str]] = []
    open_end = min(max(copy_end, 1.0 / 30), logo_start) if copy else min(logo_start, end_card_start)
    if open_end > 0:
        shots.append((0.0, open_end, "Open: " + "; ".join(notes)))
    if logo_start - open_end > 0.2:
        shots.append((open_end, logo_start, "Hold on the copy" + ("; the camera keeps easing out"
                                                                   if camera.kind != "none" else "")))
    elif shots:
        shots[-1] = (shots[-1][0], logo_start, shots[-1][2])
    if stings and end_card_start > logo_start:
        shots.append((logo_start, end_card_start, "Logo sting: the logo scales in over the settled layout"))
    if duration > end_card_start:
        shots.append((end_card_start, duration, "End card: the composed still holds"))
    return [{"start": round(s, 4), "end": round(e, 4), "note": n} for s, e, n in shots if e > s]

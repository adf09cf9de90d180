"""The motion plan: when each element enters and how, where the camera looks, and the shots — as data.

One ``Timeline`` drives the frame renderer and is what the QC gates and the storyboard read (``to_dict``, the
format documented in ``base.py``), so what is checked is exactly what is drawn.

- **Camera** (Ken Burns): the picture starts at ``START_SCALE`` (1.08×) centred on the subject (or the centre)
  and eases out to 1.0 exactly at ``end_card_start``, so the end card IS the composed still.
- **Entrances**, staggered in reading order: the layout scrim fades in first, then the headline and body
  slide in, the CTA button and its label pop in together, the legal line fades in; the logo stings in last,
  ``LOGO_LEAD`` seconds before the end card. A contrast scrim enters with the text it backs, a logo backing
  scrim with the logo. Every entrance lasts 0.35–0.5 s (compressed proportionally when the animated part of
  the video is shorter than the sequence).
- **Safe zone**: slide distances and pop overshoots are clipped so that no text, logo or button box reaches
  into the safe-zone margins (or off the frame) while it is visible; an element with no room to slide fades.
- Frame ``i`` shows ``t = i / fps``; the video has ``round(duration × fps)`` frames.

The seed chooses the motion style (which way the headline slides), so variants of a cell differ in motion as
they do in copy.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from typing import Any, Literal

from assetline.engines.base import Box, Element
from assetline.engines.motion import easing
from assetline.engines.motion.shots import plan_shots

FloatBox = tuple[float, float, float, float]
Animation = Literal["fade", "slide-up", "slide-down", "pop", "sting", "none"]

START_SCALE = 1.08
"""Camera scale at t = 0 (eased to 1.0 at the end card)."""
LOGO_LEAD = 0.5
"""The logo sting starts this many seconds before the end card."""
KEYFRAME_STEP = 0.05
"""Keyframes are sampled this often while an element moves (the contract asks for at least every 0.1 s)."""
SAFE_MARGIN = 2
"""Pixels kept between a moving box and the safe-zone edge (rendered positions snap to even pixels)."""
MIN_SLIDE = 6
"""A slide shorter than this (px) reads as a jitter: the element fades instead."""

# (kind, start after the previous entrance, duration, animation) in reading order; seconds.
SEQUENCE: tuple[tuple[str, float, float, Animation], ...] = (
    ("headline", 0.2, 0.5, "slide-up"),
    ("body", 0.3, 0.45, "slide-up"),
    ("cta", 0.3, 0.4, "pop"),
    ("legal", 0.3, 0.35, "fade"),
)
SCRIM_FADE = 0.5
STING = 0.45
POP_FROM, POP_OVERSHOOT = 0.82, 1.70158
STING_FROM, STING_OVERSHOOT = 0.55, 2.4
STYLES: tuple[dict[str, Animation], ...] = ({"headline": "slide-up"}, {"headline": "slide-down"})
"""Motion styles the seed picks from (entries override SEQUENCE's animation by kind)."""
KINETIC_KINDS = ("headline", "body", "cta", "legal", "logo", "button")
"""Kinds that must stay inside the safe zone while visible (scrims may bleed to the frame edge)."""


def _eased(start: float, end: float, p: float) -> float:
    return start + (end - start) * p


@dataclass(frozen=True)
class Track:
    """One animated layer: a single element, or the CTA button together with its label."""

    members: tuple[int, ...]
    """Indices into the request's elements."""
    kinds: tuple[str, ...]
    texts: tuple[str | None, ...]
    boxes: tuple[Box, ...]
    enter: float
    duration: float
    animation: Animation
    exit: float
    distance: float = 0.0
    """Slide distance in pixels."""
    scale_from: float = 1.0
    peak: float = 1.0
    """Largest scale a pop or sting may reach (its overshoot, clipped by the safe zone)."""
    overshoot: float = 0.0

    @property
    def settled(self) -> float:
        return self.enter + self.duration

    @property
    def box(self) -> Box:
        return (min(b[0] for b in self.boxes), min(b[1] for b in self.boxes),
                max(b[2] for b in self.boxes), max(b[3] for b in self.boxes))

    @property
    def centre(self) -> tuple[float, float]:
        left, top, right, bottom = self.box
        return (left + right) / 2, (top + bottom) / 2

    def state(self, t: float) -> tuple[float, float, float]:
        """(dy, scale, opacity) at ``t``: vertical offset in px, scale about the centre, opacity 0…1."""
        if t < self.enter:
            return 0.0, self.scale_from, 0.0
        p = 1.0 if self.duration <= 0 else easing.clamp01((t - self.enter) / self.duration)
        if self.animation in ("slide-up", "slide-down"):
            sign = 1.0 if self.animation == "slide-up" else -1.0
            return sign * self.distance * (1.0 - easing.out_cubic(p)), 1.0, easing.out_cubic(p / 0.6)
        if self.animation in ("pop", "sting"):
            scale = _eased(self.scale_from, 1.0, easing.out_back(p, self.overshoot))
            fade_part = 0.4 if self.animation == "pop" else 0.35
            return 0.0, min(scale, self.peak), easing.out_cubic(p / fade_part)
        if self.animation == "fade":
            return 0.0, 1.0, easing.out_cubic(p)
        return 0.0, 1.0, 1.0

    def placed(self, box: Box | FloatBox, t: float) -> FloatBox:
        """Where ``box`` (a member's composed box) is drawn at ``t``."""
        dy, scale, _ = self.state(t)
        cx, cy = self.centre
        return (cx + (box[0] - cx) * scale, cy + (box[1] - cy) * scale + dy,
                cx + (box[2] - cx) * scale, cy + (box[3] - cy) * scale + dy)

    def sample_times(self) -> list[float]:
        """Keyframe times: the entrance every KEYFRAME_STEP, the settle, the exit."""
        times = [self.enter]
        if self.duration > 0 and self.animation != "none":
            steps = max(2, int(self.duration / KEYFRAME_STEP + 0.999))
            times += [self.enter + self.duration * k / steps for k in range(1, steps + 1)]
        if self.exit > times[-1]:
            times.append(self.exit)
        return times

    def as_dicts(self) -> list[dict[str, Any]]:
        """One timeline entry per member element (they share the timing)."""
        out = []
        for kind, text, box in zip(self.kinds, self.texts, self.boxes, strict=True):
            frames = [[round(t, 4), [round(v, 1) for v in self.placed(box, t)], round(self.state(t)[2], 4)]
                      for t in self.sample_times()]
            out.append({"kind": kind, "text": text, "box": list(box), "enter": round(self.enter, 4),
                        "settled": round(self.settled, 4), "exit": round(self.exit, 4),
                        "animation": self.animation, "keyframes": frames})
        return out


@dataclass(frozen=True)
class Camera:
    """Ken Burns over ``region`` (the whole frame for a full-bleed picture): the source crop eases from
    ``start`` (START_SCALE, on the subject) to the region itself at ``until``."""

    kind: Literal["ken-burns", "none"]
    region: Box
    start: FloatBox
    until: float

    def crop_at(self, t: float) -> FloatBox:
        end = tuple(float(v) for v in self.region)
        if self.kind == "none" or self.until <= 0 or t >= self.until:
            return end  # type: ignore[return-value]
        p = easing.in_out_sine(t / self.until)
        return tuple(_eased(a, b, p) for a, b in zip(self.start, end, strict=True))  # type: ignore[return-value]

    def scale_at(self, t: float) -> float:
        crop = self.crop_at(t)
        return (self.region[2] - self.region[0]) / max(1e-9, crop[2] - crop[0])

    @staticmethod
    def centre_of(box: FloatBox) -> list[float]:
        return [round((box[0] + box[2]) / 2, 1), round((box[1] + box[3]) / 2, 1)]

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "region": list(self.region),
                "from": {"scale": round(self.scale_at(0.0), 4), "centre": self.centre_of(self.crop_at(0.0))},
                "to": {"scale": 1.0, "centre": self.centre_of(self.crop_at(self.until))},
                "until": round(self.until, 4), "easing": "in-out-sine"}


def plan_camera(region: Box | None, subject: Box | None, until: float, frame: Box) -> Camera:
    """Start crop: the region at START_SCALE, centred on the subject when it lies in the region (a picture
    panel is a re-cropped picture: its subject is near its centre). ``region`` None: a locked-off frame."""
    if region is None:
        return Camera("none", frame, tuple(float(v) for v in frame), until)  # type: ignore[arg-type]
    left, top, right, bottom = region
    w, h = (right - left) / START_SCALE, (bottom - top) / START_SCALE
    cx, cy = (left + right) / 2, (top + bottom) / 2
    if subject is not None and subject[0] >= left and subject[2] <= right and subject[1] >= top \
            and subject[3] <= bottom:
        cx, cy = (subject[0] + subject[2]) / 2, (subject[1] + subject[3]) / 2
    x0 = min(max(cx - w / 2, left), right - w)
    y0 = min(max(cy - h / 2, top), bottom - h)
    return Camera("ken-burns", region, (x0, y0, x0 + w, y0 + h), until)


@dataclass(frozen=True)
class Timeline:
    width: int
    height: int
    fps: int
    frames: int
    duration: float
    end_card_start: float
    camera: Camera
    tracks: tuple[Track, ...]
    """In drawing order: scrims first, then the kinetic layers."""
    shots: tuple[dict[str, Any], ...]
    safe_box: Box
    style: int

    def time_of(self, frame: int) -> float:
        return frame / self.fps

    def to_dict(self, captions: list[dict[str, Any]]) -> dict[str, Any]:
        """The documented timeline (base.py), plus 'safe_zone' and 'style'."""
        elements = [entry for track in self.tracks for entry in track.as_dicts()]
        return {"fps": self.fps, "frames": self.frames, "duration": round(self.duration, 4),
                "width": self.width, "height": self.height, "end_card_start": round(self.end_card_start, 4),
                "camera": self.camera.as_dict(), "elements": elements, "captions": captions,
                "shots": list(self.shots), "safe_zone": list(self.safe_box), "style": self.style}


# ---------------------------------------------------------------- planning
def _slide_room(box: Box, animation: Animation, safe: Box) -> float:
    """Pixels the box may travel from its composed place along its slide without leaving ``safe``."""
    if animation == "slide-up":  # starts lower
        return safe[3] - SAFE_MARGIN - box[3]
    return box[1] - (safe[1] + SAFE_MARGIN)


def _scale_room(box: Box, safe: Box) -> float:
    """Largest scale about the box centre that keeps it inside ``safe``."""
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    hw, hh = max(1.0, (box[2] - box[0]) / 2), max(1.0, (box[3] - box[1]) / 2)
    room = min((cx - safe[0] - SAFE_MARGIN) / hw, (safe[2] - SAFE_MARGIN - cx) / hw,
               (cy - safe[1] - SAFE_MARGIN) / hh, (safe[3] - SAFE_MARGIN - cy) / hh)
    return max(1.0, room)


def _inside(box: Box, safe: Box) -> bool:
    return box[0] >= safe[0] and box[1] >= safe[1] and box[2] <= safe[2] and box[3] <= safe[3]


def _track(members: list[int], elements: tuple[Element, ...], enter: float, duration: float,
           animation: Animation, exit_: float, safe: Box, slide: float) -> Track:
    kinds = tuple(elements[i].kind for i in members)
    texts = tuple(elements[i].text for i in members)
    boxes = tuple(elements[i].box for i in members)
    union = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
    track = Track(members=tuple(members), kinds=kinds, texts=texts, boxes=boxes, enter=enter, duration=duration,
                  animation=animation, exit=exit_)
    if animation in ("slide-up", "slide-down"):
        room = _slide_room(union, animation, safe) if _inside(union, safe) else 0.0
        distance = min(slide, room)
        return replace(track, animation="fade") if distance < MIN_SLIDE else replace(track, distance=distance)
    if animation in ("pop", "sting"):
        start, over = (POP_FROM, POP_OVERSHOOT) if animation == "pop" else (STING_FROM, STING_OVERSHOOT)
        peak = _scale_room(union, safe) if _inside(union, safe) else 1.0
        return replace(track, scale_from=start, peak=peak, overshoot=over)
    return track


def kinetic_groups(elements: tuple[Element, ...]) -> list[list[int]]:
    """Element indices animated together, in drawing order: each CTA label with the button it sits on
    (a lone button or label on its own), then the headline, body, legal line and logo, one each."""
    groups: list[list[int]] = []
    buttons = [i for i, e in enumerate(elements) if e.kind == "button"]
    used: set[int] = set()
    for i, e in enumerate(elements):
        if e.kind != "cta":
            continue
        host = next((b for b in buttons if b not in used and _contains(elements[b].box, e.box)), None)
        groups.append([host, i] if host is not None else [i])
        if host is not None:
            used.add(host)
    groups += [[b] for b in buttons if b not in used]
    groups += [[i] for i, e in enumerate(elements) if e.kind in ("headline", "body", "legal", "logo")]
    return groups


def _by_role(elements: tuple[Element, ...]) -> dict[str, list[list[int]]]:
    roles: dict[str, list[list[int]]] = {}
    for members in kinetic_groups(elements):
        kind = elements[members[-1]].kind
        roles.setdefault("cta" if kind == "button" else kind, []).append(members)
    return roles


def _contains(outer: Box, inner: Box) -> bool:
    return outer[0] <= inner[0] and outer[1] <= inner[1] and outer[2] >= inner[2] and outer[3] >= inner[3]


def _overlap(a: Box, b: Box) -> int:
    return max(0, min(a[2], b[2]) - max(a[0], b[0])) * max(0, min(a[3], b[3]) - max(a[1], b[1]))


def plan_timeline(elements: tuple[Element, ...], width: int, height: int, fps: int, duration: float,
                  end_card: float, safe_box: Box, seed: int, camera_region: Box | None,
                  subject: Box | None, animate_scrims: bool = True) -> Timeline:
    """The whole plan for one video. ``camera_region`` None: a locked-off frame."""
    end_card_start = duration - end_card
    style = random.Random(seed).randrange(len(STYLES))
    overrides = STYLES[style]
    groups = _by_role(elements)
    slide = max(12.0, round(0.05 * min(width, height)))

    # 1. Reading-order schedule (uncompressed), then squeeze it when the animated part is short.
    schedule: list[tuple[list[int], float, float, Animation]] = []
    start = None
    for kind, gap, dur, animation in SEQUENCE:
        for members in groups.get(kind, []):
            start = gap if start is None else start + gap
            schedule.append((members, start, dur, overrides.get(kind, animation)))
    logos = groups.get("logo", [])
    needed = max([s + d for _, s, d, _ in schedule] + [SCRIM_FADE]) + (LOGO_LEAD if logos else 0.0)
    k = min(1.0, end_card_start / needed) if needed > 0 else 1.0

    # 2. Kinetic tracks (clipped to the safe zone), the logo sting last.
    kinetic: list[Track] = [_track(m, elements, s * k, d * k, a, duration, safe_box, slide)
                            for m, s, d, a in schedule]
    for members in logos:
        enter = max(0.0, end_card_start - LOGO_LEAD * k)
        kinetic.append(_track(members, elements, enter, STING * k, "sting", duration, safe_box, slide))

    # 3. Scrims: the layout scrim first; contrast and logo scrims with what they back.
    scrims: list[Track] = []
    for i, e in enumerate(elements):
        if e.kind != "scrim":
            continue
        owner = None
        if e.extra.get("purpose") in ("contrast", "logo"):
            wanted = ("logo",) if e.extra.get("purpose") == "logo" else ("headline", "body", "cta", "legal")
            candidates = [t for t in kinetic if any(kd in wanted for kd in t.kinds)]
            owner = max(candidates, key=lambda t: _overlap(t.box, e.box), default=None)
            if owner is not None and _overlap(owner.box, e.box) == 0:
                owner = None
        enter, dur = (owner.enter, owner.duration) if owner is not None else (0.0, SCRIM_FADE * k)
        scrims.append(_track([i], elements, enter, dur, "fade" if animate_scrims else "none", duration,
                             safe_box, slide))

    full = (0, 0, width, height)
    camera = plan_camera(camera_region, subject if camera_region == full else None, end_card_start, full)
    tracks = tuple(scrims + kinetic)
    return Timeline(width=width, height=height, fps=fps, frames=round(duration * fps), duration=duration,
                    end_card_start=end_card_start, camera=camera, tracks=tracks,
                    shots=tuple(plan_shots(camera, full, kinetic, scrims, end_card_start, duration)),
                    safe_box=safe_box, style=style)

"""WCAG 2.3.1 "Three Flashes or Below Threshold", measured on decoded frames.

Definitions (WCAG 2.2, "general flash and red flash thresholds"):

- A **general flash** is a pair of opposing changes in relative luminance of ≥ 10 % of the maximum (1.0)
  where the darker image is below 0.80.
- A **red flash** is a pair of opposing transitions involving a saturated red: one state has
  R/(R+G+B) ≥ 0.8 and the two states are more than 0.2 apart in the CIE 1976 UCS (u′, v′) diagram.
- Content fails when more than three flashes of either kind fall in any one second over a combined area
  larger than 25 % of any 10° visual field — estimated by WCAG as a 341 × 256 px rectangle on a
  1024 × 768 screen. We keep that rectangle's 4:3 shape and its share of the screen: on a W × H frame it
  is 341·s × 256·s px with s = √(W·H / (1024·768)) (clipped to the frame).

How it is measured, per pixel of frames area-averaged to ≤ 160 px (decode.py), in linear sRGB:

1. Luminance transitions: a zig-zag with 0.10 hysteresis. A pixel's current leg (rising or falling) runs
   from its last turning point; once the value moves 0.10 back from the leg's extreme, the leg turns. Each
   leg counts once as a transition, at the first frame where it spans ≥ 0.10 and its darker end is < 0.80.
   A slow fade is one transition, not many; flicker smaller than 0.10 is none.
2. Red transitions: each pixel keeps an anchor state; when its chromaticity moves more than 0.2 from the
   anchor the anchor moves along, and the move counts as a transition if either state is a saturated red.
   Near-black has no meaningful chromaticity (codec noise), so 1 % of D65 white is added before (u′, v′)
   is taken, and a state darker than 1 % relative luminance is never "saturated red".
3. Per kind, transitions are summed per pixel over a sliding one-second window (round(fps) frames). A
   flash is two transitions, so a pixel flashes more than three times a second at ≥ 7 transitions.
4. For each window, the largest transition count k such that more than 25 % of some 10° rectangle counts
   ≥ k (box sums over an integral image) is that second's rate over the threshold area; the worst window
   is reported. The check fails when that rate exceeds 3 flashes (k > 6).

Area averaging acts like WCAG's exception for fine balanced patterns (checkerboards of squares under
≈0.1°): a pattern much finer than a working pixel averages to a steady grey and does not count.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

FIELD_PX = (341, 256)
FIELD_SCREEN = (1024, 768)
RGB_TO_XYZ = np.array(
    [[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]], dtype=np.float32
)
D65_XYZ = np.array([0.9505, 1.0, 1.089], dtype=np.float32)


@dataclass(frozen=True)
class FlashSettings:
    luminance_step: float = 0.10
    dark_limit: float = 0.80
    red_ratio: float = 0.8
    red_chroma_distance: float = 0.2
    dark_floor: float = 0.01
    area_share: float = 0.25
    """Share of the 10° field that may flash (more than this fails)."""
    max_flashes: float = 3.0


@dataclass(frozen=True)
class WorstSecond:
    """The second in which a kind of flash was strongest over more than the threshold area."""

    kind: str
    flashes: float
    """Flashes in that second (transitions / 2) over more than ``area_share`` of a 10° field."""
    start: float
    end: float
    area_share: float
    """Largest share of one 10° field flashing at that rate in that second."""
    peak_flashes: float
    """Highest flash rate of any working pixel, however small the area (context for reviewers)."""
    over_limit_share: float
    """Largest share of one 10° field flashing more than the limit in any second (fails above area_share)."""

    def as_dict(self) -> dict[str, float | str]:
        return {"kind": self.kind, "flashes_per_second": self.flashes, "start_s": round(self.start, 3),
                "end_s": round(self.end, 3), "field_share": round(self.area_share, 4),
                "peak_pixel_flashes": self.peak_flashes, "over_limit_field_share": round(self.over_limit_share, 4)}


@dataclass(frozen=True)
class FlashReport:
    general: WorstSecond
    red: WorstSecond
    field_px: tuple[int, int]
    """The 10° rectangle on the full-size frame (w, h)."""
    settings: FlashSettings = field(default_factory=FlashSettings)

    @property
    def worst(self) -> WorstSecond:
        return max((self.general, self.red), key=lambda w: (w.flashes, w.area_share))

    @property
    def fails(self) -> bool:
        return self.worst.flashes > self.settings.max_flashes


def _srgb_to_linear_table() -> NDArray[np.float32]:
    c = np.arange(256, dtype=np.float64) / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4).astype(np.float32)


def field_rectangle(width: int, height: int) -> tuple[int, int]:
    """The 10° visual-field rectangle (w, h) on a ``width`` × ``height`` frame, clipped to the frame."""
    scale = math.sqrt(width * height / (FIELD_SCREEN[0] * FIELD_SCREEN[1]))
    return min(width, max(1, round(FIELD_PX[0] * scale))), min(height, max(1, round(FIELD_PX[1] * scale)))


def _max_window_share(mask: NDArray[np.bool_], rect: tuple[int, int]) -> float:
    """Largest share of any rect-sized window (w, h) that ``mask`` covers."""
    rw, rh = rect
    integral = np.zeros((mask.shape[0] + 1, mask.shape[1] + 1), dtype=np.int32)
    np.cumsum(np.cumsum(mask, axis=0, dtype=np.int32), axis=1, out=integral[1:, 1:])
    sums = integral[rh:, rw:] - integral[:-rh, rw:] - integral[rh:, :-rw] + integral[:-rh, :-rw]
    return float(sums.max()) / float(rw * rh)


class _LuminanceLegs:
    """Per-pixel zig-zag state: emits a transition when a leg first spans the step with a dark end."""

    def __init__(self, first: NDArray[np.float32], settings: FlashSettings) -> None:
        self.step, self.dark = settings.luminance_step, settings.dark_limit
        self.anchor = first.copy()
        self.extreme = first.copy()
        self.low = first.copy()
        self.high = first.copy()
        self.direction = np.zeros(first.shape, dtype=np.int8)
        self.pending = np.zeros(first.shape, dtype=bool)

    def update(self, value: NDArray[np.float32]) -> NDArray[np.bool_]:
        up, down, unknown = self.direction == 1, self.direction == -1, self.direction == 0
        # 1. Extend the current legs.
        self.extreme = np.where(up, np.maximum(self.extreme, value), self.extreme)
        self.extreme = np.where(down, np.minimum(self.extreme, value), self.extreme)
        # 2. Turn legs that moved back by the step.
        turn_down = up & (self.extreme - value >= self.step)
        turn_up = down & (value - self.extreme >= self.step)
        turned = turn_down | turn_up
        self.anchor = np.where(turned, self.extreme, self.anchor)
        self.extreme = np.where(turned, value, self.extreme)
        self.direction[turn_down], self.direction[turn_up] = -1, 1
        # 3. Pixels without a direction yet start one once their range spans the step.
        self.low = np.minimum(self.low, value)
        self.high = np.maximum(self.high, value)
        start_up = unknown & (value - self.low >= self.step)
        start_down = unknown & ~start_up & (self.high - value >= self.step)
        self.anchor = np.where(start_up, self.low, np.where(start_down, self.high, self.anchor))
        self.extreme = np.where(start_up | start_down, value, self.extreme)
        self.direction[start_up], self.direction[start_down] = 1, -1
        # 4. A new leg counts once, when its darker end is below the limit.
        self.pending |= turned | start_up | start_down
        event = self.pending & (np.minimum(self.anchor, self.extreme) < self.dark)
        self.pending &= ~event
        return event


class _RedStates:
    """Per-pixel chromaticity anchor: emits a transition on a > 0.2 (u′, v′) move involving saturated red."""

    def __init__(self, first: NDArray[np.float32], settings: FlashSettings) -> None:
        self.settings = settings
        self.anchor_uv, self.anchor_red = self._state(first)

    def _state(self, linear: NDArray[np.float32]) -> tuple[NDArray[np.float32], NDArray[np.bool_]]:
        xyz = linear @ RGB_TO_XYZ.T + self.settings.dark_floor * D65_XYZ
        denominator = xyz[..., 0] + 15.0 * xyz[..., 1] + 3.0 * xyz[..., 2]
        uv = np.stack([4.0 * xyz[..., 0] / denominator, 9.0 * xyz[..., 1] / denominator], axis=-1)
        total = linear.sum(axis=-1)
        luminance = xyz[..., 1] - self.settings.dark_floor
        red = (linear[..., 0] >= self.settings.red_ratio * total) & (luminance >= self.settings.dark_floor)
        return uv.astype(np.float32), red

    def update(self, linear: NDArray[np.float32]) -> NDArray[np.bool_]:
        uv, red = self._state(linear)
        shift = uv - self.anchor_uv
        far: NDArray[np.bool_] = np.hypot(shift[..., 0], shift[..., 1]) > self.settings.red_chroma_distance
        event: NDArray[np.bool_] = far & (red | self.anchor_red)
        self.anchor_uv = np.where(far[..., None], uv, self.anchor_uv)
        self.anchor_red = np.where(far, red, self.anchor_red)
        return event


class _Window:
    """Transitions per pixel over the last ``length`` frames, and the worst second seen so far."""

    def __init__(self, kind: str, shape: tuple[int, int], length: int, rect: tuple[int, int],
                 settings: FlashSettings) -> None:
        self.kind, self.length, self.rect, self.share = kind, length, rect, settings.area_share
        self.over_limit = math.floor(2 * settings.max_flashes) + 1
        """Transitions in a second that make more than ``max_flashes`` flashes."""
        self.over_share = 0.0
        self.ring = np.zeros((length, *shape), dtype=bool)
        self.count = np.zeros(shape, dtype=np.int16)
        self.best_k, self.best_share, self.best_end, self.peak = 0, 0.0, 0, 0

    def push(self, index: int, event: NDArray[np.bool_]) -> None:
        slot = index % self.length
        self.count -= self.ring[slot]
        self.ring[slot] = event
        self.count += event
        top = int(self.count.max())
        self.peak = max(self.peak, top)
        if top >= self.over_limit:
            self.over_share = max(self.over_share, _max_window_share(self.count >= self.over_limit, self.rect))
        if top == 0 or top < self.best_k:
            return
        # Raise k while more than the threshold share of some 10° field still counts ≥ k.
        k = max(self.best_k, 1)
        share = _max_window_share(self.count >= k, self.rect)
        if share <= self.share:
            return
        while k < top and (nxt := _max_window_share(self.count >= k + 1, self.rect)) > self.share:
            k, share = k + 1, nxt
        if k > self.best_k or share > self.best_share:
            self.best_k, self.best_share, self.best_end = k, share, index

    def worst(self, times: NDArray[np.float64], fps: float) -> WorstSecond:
        """Transitions between frames j-1 and j for the window's frames: one second ending at best_end."""
        end = float(times[self.best_end]) if self.best_k else 0.0
        start = max(0.0, end - self.length / fps) if self.best_k else 0.0
        return WorstSecond(self.kind, self.best_k / 2.0, start, end, self.best_share, self.peak / 2.0,
                           self.over_share)


def analyse_flashes(
    frames: NDArray[np.uint8],
    times: NDArray[np.float64],
    fps: float,
    frame_size: tuple[int, int],
    settings: FlashSettings | None = None,
) -> FlashReport:
    """The worst second of general and red flashing in ``frames`` ((n, h, w, 3) sRGB, downscaled)."""
    cfg = settings or FlashSettings()
    full_rect = field_rectangle(*frame_size)
    height, width = frames.shape[1:3]
    scale_x, scale_y = width / frame_size[0], height / frame_size[1]
    rect = (min(width, max(1, round(full_rect[0] * scale_x))), min(height, max(1, round(full_rect[1] * scale_y))))
    length = max(1, round(fps))
    table = _srgb_to_linear_table()
    first = table[frames[0]]
    legs, reds = _LuminanceLegs(first @ RGB_TO_XYZ[1], cfg), _RedStates(first, cfg)
    general = _Window("general", (height, width), length, rect, cfg)
    red = _Window("red", (height, width), length, rect, cfg)
    for index in range(1, len(frames)):
        linear = table[frames[index]]
        general.push(index, legs.update(linear @ RGB_TO_XYZ[1]))
        red.push(index, reds.update(linear))
    return FlashReport(general.worst(times, fps), red.worst(times, fps), full_rect, cfg)

"""Scrims: translucent colour laid over the background so text on top reaches its contrast threshold.

A scrim is solid (optionally with rounded corners) or fades out towards one side with a smoothstep ramp. The
same alpha map is used to measure (``composite``) and to paint (``paint``), so the contrast the composer
measures is exactly what lands on the canvas. ``solve`` finds the lightest alpha at which every text on it
passes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw

from assetline.engines.base import Box
from assetline.engines.compose.contrast import HEADROOM, RGB, best_colour

Fade = Literal["none", "top", "bottom", "left", "right"]


def rounded_mask(width: int, height: int, radius: int, supersample: int = 4) -> NDArray[np.float64]:
    """Anti-aliased rounded-rectangle coverage (0…1), drawn large and reduced."""
    if radius <= 0 or width <= 0 or height <= 0:
        return np.ones((max(height, 0), max(width, 0)), dtype=np.float64)
    big = Image.new("L", (width * supersample, height * supersample), 0)
    ImageDraw.Draw(big).rounded_rectangle(
        (0, 0, width * supersample - 1, height * supersample - 1), radius=radius * supersample, fill=255
    )
    small = big.resize((width, height), Image.Resampling.BOX)
    return np.asarray(small, dtype=np.float64) / 255.0


def _smoothstep(t: NDArray[np.float64]) -> NDArray[np.float64]:
    t = np.clip(t, 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


@dataclass(frozen=True)
class Scrim:
    box: Box
    colour: RGB
    alpha: float = 0.0
    fade: Fade = "none"
    """The side the scrim fades out towards ('none' = solid)."""
    feather: float = 0.5
    """Fraction of the box (from the fading side) over which alpha ramps up from 0."""
    radius: int = 0
    _mask: dict[str, NDArray[np.float64]] = field(default_factory=dict, compare=False, repr=False)

    def with_alpha(self, alpha: float) -> Scrim:
        return replace(self, alpha=alpha, _mask=self._mask)

    def _coverage(self) -> NDArray[np.float64]:
        """Alpha (before × self.alpha) over the whole scrim box."""
        if "m" not in self._mask:
            left, top, right, bottom = self.box
            w, h = right - left, bottom - top
            if self.fade in ("top", "bottom"):
                t = (np.arange(h, dtype=np.float64) + 0.5) / max(1, h)
                t = t if self.fade == "top" else 1.0 - t
                ramp = _smoothstep(t / max(self.feather, 1e-6))
                m = np.repeat(ramp[:, None], w, axis=1)
            elif self.fade in ("left", "right"):
                t = (np.arange(w, dtype=np.float64) + 0.5) / max(1, w)
                t = t if self.fade == "left" else 1.0 - t
                ramp = _smoothstep(t / max(self.feather, 1e-6))
                m = np.repeat(ramp[None, :], h, axis=0)
            else:
                m = rounded_mask(w, h, self.radius)
            self._mask["m"] = m
        return self._mask["m"]

    def alpha_in(self, box: Box) -> tuple[Box, NDArray[np.float64]] | None:
        """The part of ``box`` the scrim covers, with its alpha map; None if they do not meet."""
        x0 = max(box[0], self.box[0])
        t = max(box[1], self.box[1])
        r = min(box[2], self.box[2])
        b = min(box[3], self.box[3])
        if r <= x0 or b <= t:
            return None
        cov = self._coverage()[t - self.box[1] : b - self.box[1], x0 - self.box[0] : r - self.box[0]]
        return (x0, t, r, b), cov * self.alpha


def composite(canvas: NDArray[np.uint8], box: Box, scrim: Scrim | None) -> NDArray[np.uint8]:
    """Pixels of ``canvas`` inside ``box`` as they will be once ``scrim`` is painted."""
    x0, t, r, b = box
    region = canvas[t:b, x0:r, :3].copy()
    if scrim is None or scrim.alpha <= 0:
        return region
    hit = scrim.alpha_in(box)
    if hit is None:
        return region
    (sl, st, sr, sb), alpha = hit
    sub = region[st - t : sb - t, sl - x0 : sr - x0].astype(np.float64)
    colour = np.array(scrim.colour, dtype=np.float64)
    a = alpha[..., None]
    region[st - t : sb - t, sl - x0 : sr - x0] = np.rint(sub * (1.0 - a) + colour * a).astype(np.uint8)
    return region


def paint(canvas: NDArray[np.uint8], scrim: Scrim) -> None:
    """Paint ``scrim`` onto ``canvas`` in place."""
    box = scrim.box
    canvas[box[1] : box[3], box[0] : box[2], :3] = composite(canvas, box, scrim)


@dataclass(frozen=True)
class TextNeed:
    """A text the scrim must make legible: its ink box, colour candidates (preference order), threshold."""

    box: Box
    candidates: Sequence[RGB]
    required: float


def _picks(
    canvas: NDArray[np.uint8], scrim: Scrim | None, needs: Sequence[TextNeed]
) -> tuple[bool, list[tuple[RGB, float]]]:
    picks = [best_colour(n.candidates, composite(canvas, n.box, scrim), n.required) for n in needs]
    ok = all(v >= n.required * HEADROOM for (_, v), n in zip(picks, needs, strict=True))
    return ok, picks


def solve(
    canvas: NDArray[np.uint8],
    scrim: Scrim,
    needs: Sequence[TextNeed],
    base_alpha: float = 0.0,
    steps: int = 8,
) -> tuple[Scrim, list[tuple[RGB, float]], bool]:
    """The lightest alpha ≥ ``base_alpha`` at which every text passes; returns (scrim, picks, passed)."""
    lo = scrim.with_alpha(base_alpha)
    ok, picks = _picks(canvas, lo if base_alpha > 0 else None, needs)
    if ok:
        return lo, picks, True
    top = scrim.with_alpha(1.0)
    ok, top_picks = _picks(canvas, top, needs)
    if not ok:
        return top, top_picks, False
    a_lo, a_hi, best = base_alpha, 1.0, (top, top_picks)
    for _ in range(steps):
        mid = (a_lo + a_hi) / 2
        trial = scrim.with_alpha(mid)
        ok, trial_picks = _picks(canvas, trial, needs)
        if ok:
            a_hi, best = mid, (trial, trial_picks)
        else:
            a_lo = mid
    return best[0], best[1], True

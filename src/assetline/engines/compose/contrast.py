"""WCAG 2.x contrast: relative luminance, contrast ratio, worst-case measurement against rendered pixels.

Measurement is the exact worst case: the text colour is compared with *every* pixel of the rendered
background inside the text's ink box (the pixels the glyphs are drawn over, and those between them), and the
lowest ratio is the one reported. No percentile: a QC gate reading ``Element.contrast`` may rely on it.

Thresholds (WCAG 2.x, SC 1.4.3): 4.5:1 for normal text, 3:1 for large text: ≥ 24 px, or ≥ 18.66 px bold
(weight ≥ 700). Pixel sizes are taken as CSS pixels.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from assetline.spec.common import hex_to_rgb

RGB = tuple[int, int, int]
AA_NORMAL = 4.5
AA_LARGE = 3.0
HEADROOM = 1.04
"""The composer aims this much above the threshold, so re-encoding (JPEG) cannot tip a pass into a fail."""


def _linear_table() -> NDArray[np.float64]:
    c = np.arange(256, dtype=np.float64) / 255.0
    table = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    table.setflags(write=False)
    return table


_LINEAR = _linear_table()
"""sRGB 8-bit value → linear light (a read-only lookup table)."""


def luminance_array(pixels: NDArray[np.uint8]) -> NDArray[np.float64]:
    """Relative luminance of each pixel of an (…, 3) uint8 array."""
    px = np.asarray(pixels, dtype=np.uint8)[..., :3]
    return 0.2126 * _LINEAR[px[..., 0]] + 0.7152 * _LINEAR[px[..., 1]] + 0.0722 * _LINEAR[px[..., 2]]


def luminance(colour: RGB | str) -> float:
    rgb = hex_to_rgb(colour) if isinstance(colour, str) else colour
    return float(luminance_array(np.array(rgb, dtype=np.uint8)))


def ratio(l1: float, l2: float) -> float:
    """Contrast ratio of two relative luminances (1 … 21)."""
    hi, lo = max(l1, l2), min(l1, l2)
    return (hi + 0.05) / (lo + 0.05)


def contrast(a: RGB | str, b: RGB | str) -> float:
    return ratio(luminance(a), luminance(b))


def required_ratio(px: int, weight: int) -> float:
    """WCAG AA minimum for text of ``px`` pixels at ``weight``."""
    large = px >= 24 or (weight >= 700 and px >= 18.66)
    return AA_LARGE if large else AA_NORMAL


def worst_contrast_lum(lt: float, lum: NDArray[np.float64]) -> float:
    """The lowest contrast between luminance ``lt`` and any of ``lum``: the pixel closest to ``lt``."""
    if lum.size == 0:
        return 21.0
    lo, hi = float(lum.min()), float(lum.max())
    if lt >= hi:
        return ratio(lt, hi)
    if lt <= lo:
        return ratio(lt, lo)
    above = lum[lum >= lt]
    below = lum[lum < lt]
    return min(ratio(lt, float(above.min())), ratio(lt, float(below.max())) if below.size else 21.0)


def worst_contrast(colour: RGB, pixels: NDArray[np.uint8]) -> float:
    """The lowest contrast between ``colour`` and any pixel of ``pixels`` (H×W×3)."""
    return worst_contrast_lum(luminance(colour), luminance_array(pixels))


def best_colour(candidates: Sequence[RGB], pixels: NDArray[np.uint8], required: float) -> tuple[RGB, float]:
    """The first candidate (in order) reaching ``required`` × HEADROOM, else the highest-contrast one."""
    lum = luminance_array(pixels)
    scored = [(c, worst_contrast_lum(luminance(c), lum)) for c in candidates]
    for colour, value in scored:
        if value >= required * HEADROOM:
            return colour, value
    return max(scored, key=lambda cv: cv[1])


def to_hex(rgb: RGB) -> str:
    return "#{:02X}{:02X}{:02X}".format(*rgb)


def floor3(value: float) -> float:
    """Rounded down to 3 decimals: a recorded contrast never claims more than was measured."""
    return math.floor(value * 1000) / 1000

"""Image treatments: natural (light auto-contrast), duotone, and grading toward the brand palette.

All three are point operations on 8-bit RGB, built as 256-entry lookup tables indexed by a channel or by
luma, so a 1080 × 1920 image is treated in a few milliseconds.

- ``natural`` stretches the luma range (0.5th → 99.5th percentile) part of the way, with the same linear map
  on all three channels, so hues do not shift; the gain is capped, so a deliberately low-key photo stays so.
- ``duotone`` is a gradient map: luma, auto-levelled and given a gentle S-curve, picks a point on the straight
  segment from the shadow colour to the highlight colour — every output pixel lies on that segment.
- ``graded`` split-tones: shadows lean toward one brand colour and highlights toward another by adding
  zero-luma chroma offsets, so brightness is preserved (only the colour moves).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from assetline.engines.visual.colour import F32

LUMA = np.array([0.2126, 0.7152, 0.0722], dtype=np.float32)
"""Rec. 709 luma weights, applied to the sRGB-encoded values."""
_LUMA_INT = (54, 183, 19)  # the same weights × 256, summing to 256
_LEVELS = np.arange(256, dtype=np.float32)

U8 = NDArray[np.uint8]


def luma(pixels: U8) -> U8:
    """8-bit luma of an RGB array (H, W, 3), by integer arithmetic."""
    y = pixels[..., 0].astype(np.uint16) * _LUMA_INT[0]
    y += pixels[..., 1].astype(np.uint16) * _LUMA_INT[1]
    y += pixels[..., 2].astype(np.uint16) * _LUMA_INT[2]
    y += 128
    return (y >> 8).astype(np.uint8)


def levels(y: U8, low: float = 0.5, high: float = 99.5) -> tuple[float, float]:
    """Percentiles (0..1) of a luma plane, from its histogram (a strided sample: speed over exactness)."""
    step = max(1, int(np.sqrt(y.size / 60_000)))
    hist = np.bincount(y[::step, ::step].ravel(), minlength=256)
    cdf = np.cumsum(hist) / max(1, int(hist.sum()))
    lo = int(np.searchsorted(cdf, low / 100))
    hi = int(np.searchsorted(cdf, high / 100))
    return lo / 255.0, max(hi, lo + 1) / 255.0


def _to_u8(values: F32) -> U8:
    return np.clip(np.round(values), 0, 255).astype(np.uint8)


def natural_lut(y: U8, strength: float = 0.6, max_gain: float = 1.6) -> F32:
    """The auto-contrast map as a float table over 0..255 (the same for every channel)."""
    lo, hi = levels(y)
    span = max(hi - lo, 1.0 / max_gain)
    gain = 1.0 + strength * (1.0 / span - 1.0)
    table: F32 = np.clip(_LEVELS * np.float32(gain) - np.float32(strength * lo / span * 255), 0, 255)
    return table


def natural(image: Image.Image, strength: float = 0.6) -> Image.Image:
    lut = _to_u8(natural_lut(luma(np.asarray(image)), strength))
    return image.point(list(lut) * 3)


def duotone(image: Image.Image, shadow: F32, highlight: F32, curve: float = 0.5) -> Image.Image:
    """Map luma onto the segment shadow → highlight (sRGB colours in 0..1)."""
    y = luma(np.asarray(image))
    lo, hi = levels(y, 1.0, 99.0)
    t = np.clip((_LEVELS / 255 - np.float32(lo)) / np.float32(max(hi - lo, 0.05)), 0.0, 1.0)
    t += np.float32(curve) * (t * t * (np.float32(3.0) - np.float32(2.0) * t) - t)
    plane = Image.fromarray(y)
    tables = [_to_u8((shadow[c] + t * (highlight[c] - shadow[c])) * 255) for c in range(3)]
    channels = [plane.point(list(table)) for table in tables]
    return Image.merge("RGB", channels)


def _tint(colour: F32, size: float) -> F32:
    """The chroma of a colour as a zero-luma offset of length ``size`` (in 0..1 units)."""
    delta = np.asarray(colour, dtype=np.float32) - np.float32(float(colour @ LUMA))
    norm = float(np.linalg.norm(delta))
    return delta * np.float32(size / norm) if norm > 1e-4 else np.zeros(3, dtype=np.float32)


def graded(image: Image.Image, shadow: F32, highlight: F32, strength: float = 1.0) -> Image.Image:
    """Split-tone toward ``shadow`` (in the darks) and ``highlight`` (in the lights), preserving luma.

    Per channel: out = sat × n(v) + (1 − sat) × n(y) + ws(y) × ds + wh(y) × dh, where n is a light
    auto-contrast, v the channel, y the luma — a table over v plus a table over y.
    """
    pixels = np.asarray(image)
    y = luma(pixels)
    n = natural_lut(y, strength=0.4)
    ny = n / 255
    ds, dh = _tint(shadow, 0.09 * strength), _tint(highlight, 0.07 * strength)
    sat = np.float32(0.9)  # unify: a touch less saturation lets the brand tints carry the colour
    by_value = np.round(n * sat * 16).astype(np.int16)  # fixed point, 4 fractional bits (fits int16)
    ws, wh = (1 - ny) ** 2, ny**2
    out = np.empty_like(pixels)
    for c in range(3):
        by_luma = np.round(((1 - sat) * ny + ws * ds[c] + wh * dh[c]) * 255 * 16).astype(np.int16)
        total = by_value[pixels[..., c]] + by_luma[y]
        total += 8
        total >>= 4
        np.clip(total, 0, 255, out=total)
        out[..., c] = total
    return Image.fromarray(out)

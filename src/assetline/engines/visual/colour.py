"""Colour maths for the visual engine: sRGB ↔ linear ↔ OKLab, mixing, and WCAG luminance.

Every array here is float32 with the channel last; sRGB values are in 0..1. OKLab (Björn Ottosson, 2020)
is the space we blend in: equal steps look equal, and a blend of two brand colours keeps their hue instead
of sliding through grey the way an sRGB blend does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from assetline.spec.common import hex_to_rgb

F32 = NDArray[np.floating[Any]]
"""Float arrays; in practice float32 everywhere (numpy's stubs widen float32 arithmetic to float64)."""

_LMS = np.array([[0.4122214708, 0.5363325363, 0.0514459929],
                 [0.2119034982, 0.6806995451, 0.1073969566],
                 [0.0883024619, 0.2817188376, 0.6299787005]], dtype=np.float32)
_LAB = np.array([[0.2104542553, 0.7936177850, -0.0040720468],
                 [1.9779984951, -2.4285922050, 0.4505937099],
                 [0.0259040371, 0.7827717662, -0.8086757660]], dtype=np.float32)
_LAB_INV = np.linalg.inv(_LAB.astype(np.float64)).astype(np.float32)
_LMS_INV = np.linalg.inv(_LMS.astype(np.float64)).astype(np.float32)
_WCAG = np.array([0.2126, 0.7152, 0.0722], dtype=np.float32)

# 8-bit sRGB → linear light, as a lookup table (exact and much faster than pow per pixel).
_LINEAR_LUT = np.where(np.arange(256) / 255.0 <= 0.04045, np.arange(256) / 255.0 / 12.92,
                       ((np.arange(256) / 255.0 + 0.055) / 1.055) ** 2.4).astype(np.float32)


def hex_to_float(value: str) -> F32:
    """'#FCA311' → array([0.988, 0.639, 0.067]) (sRGB, 0..1)."""
    return np.asarray(hex_to_rgb(value), dtype=np.float32) / 255.0


def float_to_hex(rgb: Sequence[float] | F32) -> str:
    r, g, b = (round(float(np.clip(c, 0.0, 1.0)) * 255) for c in rgb)
    return f"#{r:02X}{g:02X}{b:02X}"


def srgb_to_linear(rgb: F32) -> F32:
    rgb = np.asarray(rgb, dtype=np.float32)
    curve = ((np.maximum(rgb, 0.0) + 0.055) / 1.055) ** 2.4
    return np.where(rgb <= 0.04045, rgb / 12.92, curve).astype(np.float32)


def linear_to_srgb(lin: F32) -> F32:
    lin = np.clip(np.asarray(lin, dtype=np.float32), 0.0, 1.0)
    return np.where(lin <= 0.0031308, lin * 12.92, 1.055 * lin ** (1 / 2.4) - 0.055).astype(np.float32)


def srgb_to_oklab(rgb: F32) -> F32:
    lms = srgb_to_linear(rgb) @ _LMS.T
    return (np.cbrt(lms) @ _LAB.T).astype(np.float32)


def oklab_to_srgb(lab: F32) -> F32:
    """OKLab → sRGB, gamut-clipped to 0..1."""
    lms = (np.asarray(lab, dtype=np.float32) @ _LAB_INV.T) ** 3
    return linear_to_srgb(lms @ _LMS_INV.T)


def mix(a: F32, b: F32, t: float) -> F32:
    """Blend two sRGB colours in OKLab: t=0 gives a, t=1 gives b."""
    la, lb = srgb_to_oklab(a), srgb_to_oklab(b)
    return oklab_to_srgb(la + (lb - la) * np.float32(t))


def shade(rgb: F32, d_lightness: float, chroma_scale: float = 1.0) -> F32:
    """The same hue made lighter (d_lightness > 0) or darker in OKLab, with its chroma scaled."""
    lab = srgb_to_oklab(np.asarray(rgb, dtype=np.float32)).copy()
    lab[0] = np.clip(lab[0] + d_lightness, 0.0, 1.0)
    lab[1:] *= np.float32(chroma_scale)
    return oklab_to_srgb(lab)


def lightness(rgb: F32) -> float:
    """OKLab L of one sRGB colour (0 black … 1 white)."""
    return float(srgb_to_oklab(np.asarray(rgb, dtype=np.float32))[..., 0])


def chroma(rgb: F32) -> float:
    lab = srgb_to_oklab(np.asarray(rgb, dtype=np.float32))
    return float(np.hypot(lab[..., 1], lab[..., 2]))


def relative_luminance(rgb: F32) -> float:
    """WCAG relative luminance of one sRGB colour."""
    return float(srgb_to_linear(np.asarray(rgb, dtype=np.float32)) @ _WCAG)


def luminance_map(pixels: NDArray[np.uint8]) -> F32:
    """WCAG relative luminance per pixel of an 8-bit RGB array (H, W, 3) → (H, W)."""
    return (_LINEAR_LUT[pixels] @ _WCAG).astype(np.float32)


def luminance_grid(pixels: NDArray[np.uint8], rows: int = 4, cols: int = 4) -> list[list[float]]:
    """Mean relative luminance in a rows × cols grid over the image (row-major, top row first)."""
    h, w = pixels.shape[:2]
    step = max(1, min(h, w) // 64)  # a strided sample is plenty for a mean and keeps this ~1 ms
    lum = luminance_map(pixels[::step, ::step])
    ys = np.linspace(0, lum.shape[0], rows + 1).round().astype(int)
    xs = np.linspace(0, lum.shape[1], cols + 1).round().astype(int)
    grid = []
    for r in range(rows):
        row = []
        for c in range(cols):
            y0, x0 = min(ys[r], lum.shape[0] - 1), min(xs[c], lum.shape[1] - 1)  # never empty, even at 2×2
            cell = lum[y0:max(ys[r + 1], y0 + 1), x0:max(xs[c + 1], x0 + 1)]
            row.append(round(float(cell.mean()), 4))
        grid.append(row)
    return grid

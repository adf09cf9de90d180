"""Seamless, tileable textures in brand colours: clouds, contours (a topographic map) and paper.

Everything starts from *periodic* noise: white noise shaped in the Fourier domain (a 1/f^β spectrum with a
soft high cut). A discrete Fourier series is periodic by construction, so the noise — and anything computed
point-wise from it, or from wrap-around differences — wraps around: the
right edge continues into the left, the bottom into the top. The texture is computed at a sixth of the
output size and upscaled with wrap-around interpolation (raster.upscale(periodic=True)), which keeps the
wrap exact; the fine grain added at full size is white noise, which has no edges to mismatch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from assetline.engines.visual.colour import F32, oklab_to_srgb
from assetline.engines.visual.gradients import Stop, ramp, sample
from assetline.engines.visual.palette import Scheme
from assetline.engines.visual.raster import add_layer, upscale

TEXTURES = ("clouds", "contours", "paper")
_REDUCE = 6  # texture grid = output / 6


def periodic_noise(width: int, height: int, rng: np.random.Generator, *, slope: float, feature: float,
                   fine: float) -> F32:
    """Zero-mean, unit-variance noise on a (height, width) torus.

    ``slope`` is the spectral exponent of the amplitude (≈1 soft clouds … 1.6 smooth swells); ``feature``
    and ``fine`` are the largest and smallest feature sizes in grid pixels (frequencies outside are damped).
    """
    white = rng.standard_normal((height, width)).astype(np.float32)
    fy = np.fft.fftfreq(height).astype(np.float32)[:, None]
    fx = np.fft.rfftfreq(width).astype(np.float32)[None, :]
    k = np.sqrt(fx * fx + fy * fy)
    k0 = np.float32(1.0 / feature)
    envelope = (k + k0) ** np.float32(-slope) * np.exp(-(k * np.float32(max(fine, 1.0))) ** 2)
    envelope[0, 0] = 0.0
    noise = np.fft.irfft2(np.fft.rfft2(white) * envelope, s=(height, width)).astype(np.float32)
    noise -= noise.mean()
    return noise / max(float(noise.std()), 1e-8)


def grid_size(width: int, height: int) -> tuple[int, int]:
    return max(8, round(width / _REDUCE)), max(8, round(height / _REDUCE))


def _stops(scheme: Scheme, flavour: str) -> list[Stop]:
    s = scheme
    if flavour == "clouds":
        if s.mode == "dark":
            return [(0.0, s.deep), (0.45, s.base), (0.85, s.cool), (1.0, s.cool * 0.6 + s.warm * 0.4)]
        return [(0.0, s.deep), (0.5, s.base), (1.0, s.light)]
    return [(0.0, s.deep), (0.5, s.base), (1.0, s.light if s.mode == "light" else s.cool)]


def wrapped_gradient(field: F32) -> F32:
    """Gradient magnitude of a periodic field, by central differences that wrap around the edges."""
    gx = (np.roll(field, -1, axis=1) - np.roll(field, 1, axis=1)) * np.float32(0.5)
    gy = (np.roll(field, -1, axis=0) - np.roll(field, 1, axis=0)) * np.float32(0.5)
    return np.sqrt(gx * gx + gy * gy)


def contour_lines(value: F32, slope: F32, hw: float) -> tuple[F32, F32]:
    """Anti-aliased iso-lines at every integer of ``value``: (coverage, the nearest integer).

    ``slope`` is |∇value| in output pixels; the distance to the nearest iso-line is the distance in value
    divided by it (exact for straight lines, within a few per cent on these gentle curves).
    """
    near = np.floor(value + np.float32(0.5))
    d = np.abs(value - near)
    d /= np.maximum(slope, np.float32(1e-4))
    cov = np.float32(0.5 + hw) - d
    return np.clip(cov, 0.0, 1.0, out=cov), near


def render(width: int, height: int, scheme: Scheme, rng: np.random.Generator,
           flavour: str | None = None) -> tuple[F32, dict[str, Any]]:
    """A tileable texture as planar float sRGB (3, height, width), plus its parameters."""
    flavour = flavour or str(rng.choice(TEXTURES))
    w, h = grid_size(width, height)
    ref = float(np.sqrt(w * h))  # feature sizes scale with the canvas
    noise_rng = np.random.default_rng(rng.integers(0, 2**63))
    params: dict[str, Any] = {"texture": flavour}
    if flavour == "clouds":
        n = periodic_noise(w, h, noise_rng, slope=2.2, feature=ref * 0.7, fine=ref * 0.02)
        detail = periodic_noise(w, h, noise_rng, slope=1.6, feature=ref * 0.15, fine=ref * 0.008)
        gain = 0.38 if scheme.mode == "dark" else 0.24  # on a pale field, mottling reads as stains sooner
        t = 0.5 + 0.5 * np.tanh(gain * n + 0.1 * detail)
    else:  # paper, and the quiet ground under the contours
        n = periodic_noise(w, h, noise_rng, slope=1.8, feature=ref * 0.35, fine=ref * 0.006)
        t = 0.5 + (0.22 if flavour == "paper" else 0.12) * np.tanh(0.8 * n)
    lab = sample(ramp(_stops(scheme, flavour)), t.astype(np.float32))
    out = upscale(oklab_to_srgb(lab), width, height, periodic=True)
    if flavour == "contours":
        swell = periodic_noise(w, h, noise_rng, slope=2.4, feature=ref * 0.8, fine=ref * 0.03)
        levels = float(rng.uniform(4.0, 6.0))
        hw = max(0.5, 0.0012 * np.sqrt(width * height))
        params.update(levels=round(levels, 2))
        # The field and its slope are smooth: both are computed on the grid and upscaled (wrapping).
        value = upscale(swell * np.float32(levels), width, height, periodic=True)
        slope = upscale(wrapped_gradient(swell * np.float32(levels)) * np.float32(w / width), width, height,
                        periodic=True)
        cov, index = contour_lines(value, slope, hw)
        major = ((index.astype(np.int32) & 3) == 0).astype(np.float32)  # every fourth: an index contour
        add_layer(out, cov * (np.float32(0.55) + np.float32(0.45) * major), scheme.line - scheme.base)
        add_layer(out, cov * major * np.float32(0.2), scheme.glow - scheme.line)
    return out, params

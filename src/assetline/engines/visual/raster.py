"""Raster helpers shared by the styles: work at low resolution, upscale smoothly, quantise without banding.

Full-resolution images are *planar* float32 arrays (3, H, W) of sRGB in 0..1: numpy runs a 2-D operation on
one contiguous plane several times faster than the same operation on an interleaved (H, W, 3) array.
Small fields (the low-resolution grids below) are channel-last, like the colour functions expect.

Smooth fields (gradients, meshes, noise) carry no detail above a few cycles per canvas, so the styles
compute them on a small grid (``low_res``) and ``upscale`` them with cubic interpolation — invisible, and
20–50× less work. ``quantise`` adds triangular (TPDF) dither of ±1 step before rounding to 8 bits, which
removes the contour bands a slow 8-bit gradient otherwise shows.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from assetline.engines.visual.colour import F32

_NOISE_TILE = 512


def low_res(width: int, height: int, max_side: int = 160) -> tuple[int, int]:
    """A small (w, h) with the same aspect ratio, at most ``max_side`` on the long side and ≥ 4 each."""
    f = min(1.0, max_side / max(width, height))
    return max(4, round(width * f)), max(4, round(height * f))


def cubic_matrix(n_out: int, n_in: int, *, periodic: bool = False) -> F32:
    """(n_out, n_in) matrix resampling a line of n_in samples to n_out with Catmull-Rom cubic weights.

    Pixel centres are aligned the way image resizers align them; beyond the ends the line is clamped, or,
    with ``periodic``, wraps around (so the output tiles exactly like the input).
    """
    u = (np.arange(n_out, dtype=np.float64) + 0.5) * (n_in / n_out) - 0.5
    i0 = np.floor(u).astype(np.int64)
    t = u - i0
    weights = ((-t**3 + 2 * t**2 - t) / 2, (3 * t**3 - 5 * t**2 + 2) / 2, (-3 * t**3 + 4 * t**2 + t) / 2,
               (t**3 - t**2) / 2)
    m = np.zeros((n_out, n_in), dtype=np.float64)
    rows = np.arange(n_out)
    for k, wk in zip(range(-1, 3), weights, strict=True):
        idx = np.mod(i0 + k, n_in) if periodic else np.clip(i0 + k, 0, n_in - 1)
        np.add.at(m, (rows, idx), wk)
    return m.astype(np.float32)


def upscale(field: F32, width: int, height: int, *, periodic: bool = False) -> F32:
    """Cubic resize of a small field (h, w) or (h, w, C) to a planar (height, width) or (C, height, width).

    Separable, as two matrix products per channel (BLAS does the work: a 96 px field becomes 1080 × 1080 in
    a few milliseconds). With ``periodic`` the field is one tile of an endless plane, and so is the result:
    its last column continues into its first, its last row into its first.
    """
    field = np.asarray(field, dtype=np.float32)
    chans = field[..., None] if field.ndim == 2 else field
    h, w, n = chans.shape
    ry = cubic_matrix(height, h, periodic=periodic)
    rxt = np.ascontiguousarray(cubic_matrix(width, w, periodic=periodic).T)
    rows = (ry @ chans.reshape(h, w * n)).reshape(height, w, n)
    out = np.empty((n, height, width), dtype=np.float32)
    for c in range(n):
        np.matmul(np.ascontiguousarray(rows[:, :, c]), rxt, out=out[c])
    return out[0] if field.ndim == 2 else out


def solid(colour: F32, width: int, height: int) -> F32:
    """A planar (3, height, width) image filled with one colour."""
    out = np.empty((3, height, width), dtype=np.float32)
    for c in range(3):
        out[c].fill(colour[c])
    return out


def add_layer(img: F32, weight: F32, delta: F32) -> None:
    """In place: ``img += weight × delta`` for a planar image, a (H, W) weight and a colour offset."""
    for c in range(3):
        if delta[c] != 0:
            img[c] += weight * np.float32(delta[c])


def tiled(tile: F32, width: int, height: int) -> F32:
    th, tw = tile.shape
    reps = (-(-height // th), -(-width // tw))
    return np.tile(tile, reps)[:height, :width]


def quantise(img: F32, rng: np.random.Generator, *, grain: float = 0.0) -> Image.Image:
    """Planar float sRGB (3, H, W) in 0..1 → an 8-bit RGB image, with TPDF dither and optional film grain.

    ``grain`` is the standard deviation of monochrome grain in 8-bit steps (0 = none; 2–4 reads as fine
    film grain). Dither and grain come from one 512 px noise tile drawn from ``rng`` (white noise shows no
    repeat at this size), so the result is reproducible and cheap.
    """
    _, h, w = img.shape
    side = min(_NOISE_TILE, max(h, w))
    tile = rng.random((side, side), dtype=np.float32)
    tile -= rng.random((side, side), dtype=np.float32)
    if grain > 0:
        tile += rng.standard_normal((side, side), dtype=np.float32) * np.float32(grain)
    tile += np.float32(0.5)  # rounding offset
    noise = tiled(tile, w, h)
    out = np.empty((h, w, 3), dtype=np.uint8)
    for c in range(3):
        plane = img[c] * np.float32(255.0)
        plane += noise
        np.clip(plane, 0.0, 255.0, out=plane)
        out[..., c] = plane
    return Image.fromarray(out)


def to_planar(pixels: np.ndarray) -> F32:
    """(H, W, 3) uint8 → planar float (3, H, W) in 0..1."""
    return np.ascontiguousarray(np.moveaxis(pixels, -1, 0), dtype=np.float32) * np.float32(1 / 255)

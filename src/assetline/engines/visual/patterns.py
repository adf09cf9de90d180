"""Geometric patterns — dots, stripes, grid, waves, circles, triangles — tone-on-tone, anti-aliased.

Each pattern is a signed distance (in pixels) to its marks; coverage is ``clip(0.5 − d, 0, 1)``, the exact
area of a one-pixel box filter over a straight edge — the same anti-aliasing a 16× supersample gives, at
the cost of a single evaluation. Marks are drawn in a colour only a few steps away from the field (the
scheme's ``line`` tone) and fade out across the canvas, with a breath of the accent at the strong end, so
type set on top stays legible and the pattern reads as texture, not as content.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from assetline.engines.visual.colour import F32
from assetline.engines.visual.palette import Scheme
from assetline.engines.visual.raster import add_layer, solid

PATTERNS = ("dots", "stripes", "grid", "waves", "circles", "triangles")


def _fold(v: F32, period: float) -> F32:
    """Distance from ``v`` to the nearest multiple of ``period`` (floor arithmetic: np.mod is 15× slower)."""
    m = v - np.floor(v * np.float32(1.0 / period)) * np.float32(period)
    folded: F32 = np.minimum(m, np.float32(period) - m)
    return folded


def dots(x: F32, y: F32, p: float, grow: F32) -> F32:
    """Hexagonal halftone: dot radius grows with ``grow`` (0..1) from a pin-prick to a third of the pitch."""
    ry = p * np.sqrt(3.0)
    best = None
    for ox, oy in ((0.0, 0.0), (p / 2, ry / 2)):
        dx = _fold(x - np.float32(ox), p)
        dy = _fold(y - np.float32(oy), ry)
        d2 = dx * dx + dy * dy
        best = d2 if best is None else np.minimum(best, d2)
    assert best is not None
    dist: F32 = np.sqrt(best) - np.float32(p) * (np.float32(0.05) + np.float32(0.12) * grow)
    return dist


def stripes(x: F32, y: F32, p: float, angle: float, ratio: float) -> F32:
    a = np.deg2rad(angle)
    u = x * np.float32(np.cos(a)) + y * np.float32(np.sin(a))
    return np.float32(p * ratio / 2) - _fold(u, p)  # inside where the fold is *far* from the line: wide bands


def grid(x: F32, y: F32, p: float, hw: float) -> F32:
    return np.minimum(_fold(x, p), _fold(y, p)) - np.float32(hw)


def waves(x: F32, y: F32, p: float, hw: float, wavelength: float, phase: float) -> F32:
    k = np.float32(2 * np.pi / wavelength)
    amp = np.float32(0.3 * p)
    arg = x * k + np.float32(phase)
    f = y - amp * np.sin(arg)
    slope = amp * k * np.cos(arg)
    dist: F32 = _fold(f, p) / np.sqrt(1.0 + slope * slope) - np.float32(hw)
    return dist


def circles(x: F32, y: F32, p: float, hw: float, centre: tuple[float, float]) -> F32:
    r = np.sqrt((x - np.float32(centre[0])) ** 2 + (y - np.float32(centre[1])) ** 2)
    return _fold(r, p) - np.float32(hw)


def triangles(x: F32, y: F32, p: float, angle: float, tones: F32) -> F32:
    """Faceted triangles: each cell of a triangular lattice takes a tone from ``tones`` (0..1; a power-of-two
    count), with edges anti-aliased by blending toward the facet across the nearest edge. Returns a tone map,
    not a distance.

    Lattice coordinates u0, u1 run across two of the three line families (the third is u1 − u0); a rhombic
    cell (i0, i1) splits along its diagonal into an "up" triangle (frac u1 ≥ frac u0) and a "down" one.
    """
    h = np.float32(p * np.sqrt(3.0) / 2)  # distance between parallel lattice lines
    a0, a1 = np.deg2rad(angle + 90.0), np.deg2rad(angle + 150.0)
    u0 = x * np.float32(np.cos(a0) / h) + y * np.float32(np.sin(a0) / h)
    u1 = x * np.float32(np.cos(a1) / h) + y * np.float32(np.sin(a1) / h)
    f0, f1 = np.floor(u0), np.floor(u1)
    r0, r1 = u0 - f0, u1 - f1
    i0, i1 = f0.astype(np.int32), f1.astype(np.int32)
    up = r1 >= r0
    d0 = np.where(up, r0, 1 - r0)  # to the cell's u0 edge
    d1 = np.where(up, 1 - r1, r1)  # to the cell's u1 edge
    dd = np.abs(r1 - r0)  # to the diagonal
    d = np.minimum(np.minimum(d0, d1), dd)
    mask = np.int32(len(tones) - 1)  # a power-of-two table: '&' instead of the (slow) '%'
    up_i = up.astype(np.int32)
    tone: F32 = tones[(i0 * 7919 + i1 * 104729 + up_i * 13) & mask]
    # Anti-aliasing touches only pixels within a pixel of an edge (a few per cent): work on those alone.
    edge = np.flatnonzero(d.ravel() < np.float32(0.5 / h))
    e_up, e_d = up.ravel()[edge], d.ravel()[edge]
    near0 = d0.ravel()[edge] == e_d
    near1 = ~near0 & (d1.ravel()[edge] == e_d)
    step = np.where(e_up, np.int32(-1), np.int32(1))
    j0 = i0.ravel()[edge] + np.where(near0, step, 0)
    j1 = i1.ravel()[edge] - np.where(near1, step, 0)
    other = tones[(j0 * 7919 + j1 * 104729 + (1 - up_i.ravel()[edge]) * 13) & mask]
    own = tone.ravel()[edge]
    c = np.clip(np.float32(0.5) + e_d * h, 0.0, 1.0)
    flat = tone.reshape(-1)
    flat[edge] = other + (own - other) * c
    return tone


def render(width: int, height: int, scheme: Scheme, rng: np.random.Generator,
           kind: str | None = None) -> tuple[F32, dict[str, Any]]:
    """A tone-on-tone pattern over a soft field, as float sRGB (height, width, 3), plus its parameters."""
    kind = kind or str(rng.choice(PATTERNS))
    # Scale with the canvas area (a banner gets a fine pattern, a story a generous one), within limits.
    p = float(np.clip(0.05 * np.sqrt(width * height), 9.0, 90.0) * rng.uniform(0.85, 1.2))
    hw = max(0.55, p * 0.03)
    angle = float(rng.choice([30.0, 45.0, 60.0, 120.0, 135.0, 150.0]))
    fade_angle = float(rng.uniform(0.0, 360.0))
    ox, oy = rng.uniform(0.0, p, 2)
    params: dict[str, Any] = {"pattern": kind, "pitch_px": round(p, 2), "fade_angle": round(fade_angle, 1)}

    # 1. The field: a slow two-tone gradient along the fade direction (g: 0 at the strong end … 1 faint).
    fx = (np.arange(width, dtype=np.float32) + 0.5) / width
    fy = (np.arange(height, dtype=np.float32) + 0.5) / height
    a = np.deg2rad(fade_angle)
    gx, gy = fx * np.float32(np.cos(a) * width / height), fy * np.float32(np.sin(a))
    lo = float(min(gx[0], gx[-1]) + min(gy[0], gy[-1]))
    hi = float(max(gx[0], gx[-1]) + max(gy[0], gy[-1]))
    span = np.float32(1.0 / max(hi - lo, 1e-6))
    g = (gx[None, :] - np.float32(lo)) * span + gy[:, None] * span
    out = solid(scheme.base, width, height)
    add_layer(out, g, scheme.deep - scheme.base)

    # 2. The marks: coverage (or facet tone) at full resolution.
    x = (np.arange(width, dtype=np.float32) + np.float32(0.5 + ox))[None, :]
    y = (np.arange(height, dtype=np.float32) + np.float32(0.5 + oy))[:, None]
    strong = np.float32(1.0) - g
    ease = strong * strong * (np.float32(3.0) - np.float32(2.0) * strong)
    if kind == "dots":
        cov = np.clip(0.5 - dots(x, y, p * 0.6, strong), 0.0, 1.0)
    elif kind == "stripes":
        ratio = float(rng.uniform(0.35, 0.5))
        params.update(angle=angle, ratio=round(ratio, 3))
        cov = np.clip(0.5 - stripes(x, y, p * 0.8, angle, ratio), 0.0, 1.0) * np.float32(0.5)
    elif kind == "grid":
        cov = np.clip(0.5 - grid(x, y, p * 1.2, hw), 0.0, 1.0)
    elif kind == "waves":
        wl, ph = p * float(rng.uniform(4.0, 6.0)), float(rng.uniform(0, 2 * np.pi))
        params.update(wavelength_px=round(wl, 1))
        cov = np.clip(0.5 - waves(x, y, p * 0.7, hw, wl, ph), 0.0, 1.0)
    elif kind == "circles":
        cx, cy = float(rng.choice([-0.1, 1.1])) * width, float(rng.uniform(-0.1, 1.1)) * height
        params.update(centre=[round(cx), round(cy)])
        cov = np.clip(0.5 - circles(x, y, p * 0.9, hw, (cx, cy)), 0.0, 1.0)
    elif kind == "triangles":
        tones = rng.choice(np.array([0.0, 0.3, 0.6, 1.0], dtype=np.float32), size=64)
        params.update(angle=angle)
        cov = triangles(x, y, p * 2.4, angle, tones) * np.float32(0.45)
    else:
        raise ValueError(f"unknown pattern '{kind}'")

    # 3. Composite: marks in the line tone, strongest at one end and warmed by the accent there.
    k_line = cov * (np.float32(0.35) + np.float32(0.65) * ease)
    add_layer(out, k_line, scheme.line - scheme.base)
    if kind not in ("stripes", "triangles"):  # a gold hint suits fine marks; on broad fills it just greys
        warmth = np.float32(0.2 if scheme.mode == "dark" else 0.25)
        add_layer(out, cov * ease * warmth, scheme.glow - scheme.line)
    return out, params

"""Mesh gradients: a few palette-coloured control points blended smoothly in OKLab.

Each control point carries a colour and a reach; every pixel takes the Gaussian-RBF-weighted mean of the
points' OKLab colours. A gentle sinusoidal domain warp bends the straight iso-lines into the soft organic
shapes of a modern "aurora" mesh. The field is computed on a small grid and upscaled (it has no detail to
lose), then finished with fine film grain by the engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from assetline.engines.visual.colour import F32, oklab_to_srgb, srgb_to_oklab
from assetline.engines.visual.gradients import coords
from assetline.engines.visual.palette import Scheme
from assetline.engines.visual.raster import low_res, upscale


@dataclass(frozen=True)
class ControlPoint:
    x: float
    y: float
    colour: F32
    reach: float
    """Gaussian sigma as a fraction of the (aspect-normalised) canvas."""
    weight: float = 1.0


def control_points(scheme: Scheme, rng: np.random.Generator) -> list[ControlPoint]:
    """A warm cluster (glow, its highlight, a secondary-led bridge) on one side of a cool field (base, deep,
    a lifted base) — the arrangement designers use so the accent reads as light falling on the brand colour.
    """
    s = scheme
    theta = rng.uniform(0.0, 2 * np.pi)  # where the light comes from
    ux, uy = float(np.cos(theta)), float(np.sin(theta))

    def j() -> float:  # small positional jitter
        return float(rng.uniform(-0.08, 0.08))

    r = float(rng.uniform(0.32, 0.48))
    gx, gy = 0.5 + r * ux, 0.5 + r * uy
    side = 1.0 if rng.random() < 0.5 else -1.0  # which way the highlight and bridge lean
    px, py = -uy * side, ux * side
    points = [
        ControlPoint(gx + j(), gy + j(), s.glow, 0.2, 1.0),
        ControlPoint(gx + 0.2 * ux + 0.18 * px + j(), gy + 0.2 * uy + 0.18 * py + j(), s.light, 0.12, 0.7),
        ControlPoint(gx - 0.25 * ux - 0.2 * px + j(), gy - 0.25 * uy - 0.2 * py + j(), s.warm, 0.2, 0.9),
        ControlPoint(0.5 - 0.15 * ux + 0.25 * px + j(), 0.5 - 0.15 * uy + 0.25 * py + j(), s.base, 0.3, 1.0),
        ControlPoint(0.5 - 0.5 * ux + j(), 0.5 - 0.5 * uy + j(), s.deep, 0.32, 1.0),
        ControlPoint(0.5 - 0.35 * ux - 0.35 * px + j(), 0.5 - 0.35 * uy - 0.35 * py + j(), s.cool, 0.22, 0.8),
        ControlPoint(0.5 - 0.1 * ux - 0.45 * px + j(), 0.5 - 0.1 * uy - 0.45 * py + j(), s.base, 0.3, 1.0),
    ]
    scale = float(rng.uniform(1.05, 1.3))
    return [ControlPoint(p.x, p.y, p.colour, p.reach * scale, p.weight) for p in points]


def mesh_field(width: int, height: int, points: list[ControlPoint], warp: tuple[float, ...],
               aspect: float) -> F32:
    """OKLab field (height, width, 3) of the RBF blend; ``warp`` = (amplitude, freq, phase_x, phase_y)."""
    x, y = coords(width, height)
    amp, freq, px, py = warp
    xw = x + np.float32(amp) * np.sin(np.float32(2 * np.pi * freq) * y + np.float32(px))
    yw = y + np.float32(amp) * np.sin(np.float32(2 * np.pi * freq) * x + np.float32(py))
    # Distances in a mildly aspect-corrected frame: blobs stretch with the canvas, but only half as much.
    sx, sy = np.float32(aspect ** 0.25), np.float32(aspect ** -0.25)
    total = np.zeros((height, width), dtype=np.float32) + np.float32(1e-6)
    acc = np.zeros((height, width, 3), dtype=np.float32)
    chroma_acc = np.zeros((height, width), dtype=np.float32)
    for p in points:
        d2 = ((xw - np.float32(p.x)) * sx) ** 2 + ((yw - np.float32(p.y)) * sy) ** 2
        wgt = np.float32(p.weight) * np.exp(-d2 / np.float32(2 * p.reach * p.reach))
        total += wgt
        lab_p = srgb_to_oklab(p.colour)
        acc += wgt[..., None] * lab_p
        chroma_acc += wgt * np.float32(np.hypot(lab_p[1], lab_p[2]))
    lab = acc / total[..., None]
    # Where hues meet, the OKLab mean loses chroma (the "muddy middle"); restore part of the weighted chroma.
    ab = np.sqrt(lab[..., 1] ** 2 + lab[..., 2] ** 2)
    target = chroma_acc / total
    boost = np.clip((0.6 * target + 0.4 * ab) / np.maximum(ab, 1e-4), 1.0, 1.8)
    lab[..., 1:] *= boost[..., None]
    return lab


def render(width: int, height: int, scheme: Scheme, rng: np.random.Generator) -> tuple[F32, dict[str, Any]]:
    """A mesh gradient as float sRGB (height, width, 3) plus its control points."""
    points = control_points(scheme, rng)
    warp = (float(rng.uniform(0.04, 0.09)), float(rng.uniform(0.6, 1.4)),
            float(rng.uniform(0, 2 * np.pi)), float(rng.uniform(0, 2 * np.pi)))
    w, h = low_res(width, height, 96)
    lab = mesh_field(w, h, points, warp, width / height)
    params = {"points": [{"x": round(p.x, 3), "y": round(p.y, 3), "reach": round(p.reach, 3)}
                         for p in points],
              "warp": [round(v, 3) for v in warp]}
    return upscale(oklab_to_srgb(lab), width, height), params

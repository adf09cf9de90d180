"""Linear and radial brand-palette gradients, blended in OKLab.

A gradient is a ramp of colour stops (interpolated in OKLab with smoothstep easing, so there is no grey
"dead zone" between two saturated colours and no visible kink at a stop) laid along a direction, plus an
optional radial glow of the accent colour. Fields are computed on a small grid and upscaled (raster.py);
the final 8-bit quantisation is dithered, so even a slow dark gradient on a 1080×1920 canvas shows no
bands.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from assetline.engines.visual.colour import F32, oklab_to_srgb, srgb_to_oklab
from assetline.engines.visual.palette import Scheme
from assetline.engines.visual.raster import low_res, upscale

Stop = tuple[float, F32]


def ramp(stops: Sequence[Stop], n: int = 256) -> F32:
    """(n, 3) OKLab colours sampled along ``stops`` ((position 0..1, sRGB colour), sorted by position)."""
    pos = np.array([p for p, _ in stops], dtype=np.float32)
    lab = srgb_to_oklab(np.stack([c for _, c in stops]).astype(np.float32))
    t = np.linspace(0.0, 1.0, n, dtype=np.float32)
    i = np.clip(np.searchsorted(pos, t, side="right") - 1, 0, len(pos) - 2)
    span = np.maximum(pos[i + 1] - pos[i], 1e-6)
    u = np.clip((t - pos[i]) / span, 0.0, 1.0)
    u = u * u * (3.0 - 2.0 * u)  # smoothstep: no kink where one segment meets the next
    out: F32 = (lab[i] + (lab[i + 1] - lab[i]) * u[:, None]).astype(np.float32)
    return out


def sample(lut: F32, t: F32) -> F32:
    """Look ``t`` (0..1, any shape) up in a ramp with linear interpolation between entries."""
    x = np.clip(t, 0.0, 1.0) * np.float32(len(lut) - 1)
    i = np.minimum(x.astype(np.int32), len(lut) - 2)
    f = (x - i)[..., None]
    out: F32 = (lut[i] * (1 - f) + lut[i + 1] * f).astype(np.float32)
    return out


def coords(width: int, height: int) -> tuple[F32, F32]:
    """Pixel-centre coordinates (x in 0..1 across, y in 0..1 down) for a grid of width × height."""
    x = (np.arange(width, dtype=np.float32) + 0.5) / width
    y = (np.arange(height, dtype=np.float32) + 0.5) / height
    return x[None, :], y[:, None]


def linear_t(width: int, height: int, angle_deg: float, aspect: float) -> F32:
    """Position along a direction (0 at the first corner it meets, 1 at the last), CSS-style.

    ``aspect`` is the real canvas's width / height, so the angle means the same on any grid size.
    """
    x, y = coords(width, height)
    a = np.deg2rad(angle_deg)
    dx, dy = np.float32(np.cos(a) * aspect), np.float32(np.sin(a))
    proj = x * dx + y * dy
    corners = [0.0, float(dx), float(dy), float(dx + dy)]
    lo, hi = min(corners), max(corners)
    return ((proj - lo) / max(hi - lo, 1e-6)).astype(np.float32)


def radial_t(width: int, height: int, centre: tuple[float, float], radius: float, aspect: float) -> F32:
    """Distance from ``centre`` (canvas fractions) divided by ``radius`` (fraction of the canvas diagonal)."""
    x, y = coords(width, height)
    diag = float(np.hypot(aspect, 1.0))
    dx = (x - np.float32(centre[0])) * np.float32(aspect)
    dy = y - np.float32(centre[1])
    out: F32 = (np.sqrt(dx * dx + dy * dy) / np.float32(radius * diag)).astype(np.float32)
    return out


@dataclass(frozen=True)
class GradientRecipe:
    kind: str
    angle: float
    glow_centre: tuple[float, float]
    glow_radius: float
    glow_strength: float

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "angle": round(self.angle, 2),
                "glow_centre": [round(v, 3) for v in self.glow_centre],
                "glow_radius": round(self.glow_radius, 3), "glow_strength": round(self.glow_strength, 3)}


def pick_recipe(rng: np.random.Generator) -> GradientRecipe:
    kind = str(rng.choice(["linear", "radial"]))
    angle = float(rng.uniform(0.0, 360.0))
    # The glow sits near the end the gradient runs toward, partly off-canvas: a light leak, not a spotlight.
    a = np.deg2rad(angle)
    cx = 0.5 + 0.55 * float(np.cos(a)) + float(rng.uniform(-0.15, 0.15))
    cy = 0.5 + 0.55 * float(np.sin(a)) + float(rng.uniform(-0.15, 0.15))
    radius, strength = float(rng.uniform(0.4, 0.6)), float(rng.uniform(0.55, 0.8))
    return GradientRecipe(kind=kind, angle=angle, glow_centre=(cx, cy), glow_radius=radius,
                          glow_strength=strength)


def render(width: int, height: int, scheme: Scheme, rng: np.random.Generator) -> tuple[F32, dict[str, Any]]:
    """A brand gradient as float sRGB (height, width, 3) plus the recipe that made it."""
    recipe = pick_recipe(rng)
    aspect = width / height
    w, h = low_res(width, height, 96)
    if scheme.mode == "dark":
        stops: list[Stop] = [(0.0, scheme.deep), (0.5, scheme.base), (1.0, scheme.cool)]
    else:
        stops = [(0.0, scheme.base), (0.55, scheme.base * 0.5 + scheme.deep * 0.5), (1.0, scheme.deep)]
    if recipe.kind == "linear":
        t = linear_t(w, h, recipe.angle, aspect)
    else:  # a broad radial bloom from the glow side, fading into the base
        c = recipe.glow_centre
        t = 1.0 - np.clip(radial_t(w, h, c, 1.1, aspect), 0.0, 1.0)
    lab = sample(ramp(stops), t)
    # The glow: a broad warm halo (secondary-led) under a tighter accent core, so it never fades via grey.
    quiet = 1.0 if scheme.mode == "dark" else 0.7  # on a light field the accent needs less to read
    for colour, radius, strength in ((scheme.warm, 1.35, 0.6), (scheme.glow, 1.0, 1.0)):
        g = np.clip(1.0 - radial_t(w, h, recipe.glow_centre, recipe.glow_radius * radius, aspect), 0.0, 1.0)
        g = (g * g * (3.0 - 2.0 * g) * np.float32(recipe.glow_strength * strength * quiet))[..., None]
        lab = lab + (srgb_to_oklab(colour) - lab) * g
    return upscale(oklab_to_srgb(lab), width, height), recipe.as_dict()

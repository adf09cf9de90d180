"""Background helpers: cover-cropping into panels, how busy pixels are, the subject box, brand meshes."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageFilter

from assetline.engines.base import Box
from assetline.engines.compose.contrast import RGB, luminance_array


def cover(image: Image.Image, size: tuple[int, int], focus: tuple[float, float] = (0.5, 0.5)) -> Image.Image:
    """``image`` scaled to cover ``size`` and cropped around ``focus`` (fractions of the source)."""
    w, h = size
    scale = max(w / image.width, h / image.height)
    sw, sh = max(w, round(image.width * scale)), max(h, round(image.height * scale))
    scaled = image.resize((sw, sh), Image.Resampling.LANCZOS)
    left = min(max(0, round(focus[0] * sw - w / 2)), sw - w)
    top = min(max(0, round(focus[1] * sh - h / 2)), sh - h)
    return scaled.crop((left, top, left + w, top + h))


def busyness(pixels: NDArray[np.uint8]) -> float:
    """How much fine detail ``pixels`` hold, measured at a fixed 96 px scale so every format agrees:
    mean absolute second difference of luminance. 0 for a flat fill or a linear gradient, < 0.01 for a
    soft mesh, 0.03+ for a photograph."""
    if pixels.size == 0 or min(pixels.shape[:2]) < 2:
        return 0.0
    h, w = pixels.shape[:2]
    scale = 96 / max(h, w)
    size = (max(2, round(w * scale)), max(2, round(h * scale)))
    small = Image.fromarray(np.ascontiguousarray(pixels[..., :3])).resize(size, Image.Resampling.BOX)
    lum = luminance_array(np.asarray(small, dtype=np.uint8))
    # Second differences: zero on flat fills and linear gradients, large on texture and edges.
    dy = np.abs(np.diff(lum, n=2, axis=0)).mean() if lum.shape[0] > 2 else 0.0
    dx = np.abs(np.diff(lum, n=2, axis=1)).mean() if lum.shape[1] > 2 else 0.0
    return float(dx + dy)


BUSY = 0.02
"""Busyness above which a background counts as a picture (rather than flat colour or a smooth gradient)."""


def _detail_map(image: Image.Image) -> tuple[NDArray[np.float64], float]:
    small_w = 96
    small_h = max(8, round(image.height * small_w / image.width))
    small = image.convert("L").resize((small_w, small_h), Image.Resampling.BOX)
    lum = np.asarray(small, dtype=np.float64) / 255.0
    gy, gx = np.gradient(lum)
    mag = np.hypot(gx, gy)
    blurred = (
        np.asarray(
            Image.fromarray((np.clip(mag * 4, 0, 1) * 255).astype(np.uint8)).filter(
                ImageFilter.GaussianBlur(2)
            ),
            dtype=np.float64,
        )
        / 255.0
    )
    return blurred, image.width / small_w


def estimate_subject(image: Image.Image) -> Box | None:
    """Where the detailed part of the picture is; None for flat or smooth (gradient, mesh) backgrounds."""
    detail, scale = _detail_map(image)
    if float(np.percentile(detail, 99)) < 0.08:
        return None
    mask = detail >= max(0.06, float(np.percentile(detail, 60)))
    ys, xs = np.nonzero(mask)
    if xs.size < 8:
        return None
    x0, r = np.percentile(xs, [4, 96])
    t, b = np.percentile(ys, [4, 96])
    box = (int(x0 * scale), int(t * scale), int(np.ceil((r + 1) * scale)), int(np.ceil((b + 1) * scale)))
    return (max(0, box[0]), max(0, box[1]), min(image.width, box[2]), min(image.height, box[3]))


def subject_box(meta: dict[str, Any], image: Image.Image) -> Box | None:
    """The visual engine's ``subject_box`` when it is a sane box, else an estimate from the pixels."""
    raw = meta.get("subject_box")
    if isinstance(raw, (list, tuple)) and len(raw) == 4:
        try:
            x0, t, r, b = (round(float(v)) for v in raw)
        except (TypeError, ValueError):
            x0 = t = r = b = 0
        x0, t, r, b = max(0, x0), max(0, t), min(image.width, r), min(image.height, b)
        if r - x0 >= 4 and b - t >= 4:
            return x0, t, r, b
    return estimate_subject(image)


def mesh(size: tuple[int, int], base: RGB, glows: list[RGB], seed: int) -> Image.Image:
    """A soft brand mesh: ``base`` with large blurred glows of ``glows``, deterministic in ``seed``."""
    w, h = size
    gw = 48
    gh = max(4, round(gw * h / w))
    rng = np.random.default_rng(seed)
    ys, xs = np.mgrid[0:gh, 0:gw].astype(np.float64)
    xs /= gw - 1
    ys /= gh - 1
    field = np.empty((gh, gw, 3), dtype=np.float64)
    field[:] = np.array(base, dtype=np.float64)
    corners = [(0.85, 0.1), (0.1, 0.95), (0.95, 0.9), (0.15, 0.15)]
    for i, colour in enumerate(glows):
        cx, cy = corners[(i + seed) % len(corners)]
        cx += rng.uniform(-0.1, 0.1)
        cy += rng.uniform(-0.1, 0.1)
        radius = rng.uniform(0.35, 0.55)
        d2 = ((xs - cx) * (w / max(w, h))) ** 2 + ((ys - cy) * (h / max(w, h))) ** 2
        weight = (0.55 if i == 0 else 0.35) * np.exp(-d2 / (2 * radius**2 * 0.35))
        field = field * (1 - weight[..., None]) + np.array(colour, dtype=np.float64) * weight[..., None]
    small = Image.fromarray(np.clip(np.rint(field), 0, 255).astype(np.uint8), "RGB")
    return small.resize((w, h), Image.Resampling.BICUBIC)

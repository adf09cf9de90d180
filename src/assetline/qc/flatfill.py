"""Designed flat fills: the areas of an image where an off-palette colour shows.

A photo is not expected to be made of brand colours, but a panel, a band, a button or a background fill
is. A *fill* is a region that is

1. constant at the working size: every pixel matches the pixels ``lag`` steps away in all eight
   directions within ``tolerance`` ΔE*ab (this rejects gradients and texture and erodes the borders);
2. one colour: 95 % of the region lies within ``tolerance`` + 1 of its median, and no linear colour trend
   steeper than ``max_slope`` ΔE*ab per working pixel runs across it (rejects gradients);
3. noiseless at a finer scale: the high-pass residual of luma inside it is below ``max_noise`` grey
   levels. Designed fills are exact (PNG) or flat after JPEG (flat 8×8 blocks keep only their DC term);
   camera sky, walls and studio backdrops carry grain and compression noise;
4. at least ``min_share`` of the image (after growing back over the eroded border).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from PIL import Image
from scipy import ndimage as ndi

from assetline.qc.colourmath import srgb_to_lab
from assetline.qc.pixels import thumbnail, to_rgb_image

_DIRECTIONS = ((-1, 0), (1, 0), (0, -1), (0, 1), (-1, -1), (1, 1), (-1, 1), (1, -1))


@dataclass(frozen=True)
class Fill:
    lab: tuple[float, float, float]
    rgb: tuple[float, float, float]
    share: float
    """Share of the whole image."""
    noise: float
    box: tuple[int, int, int, int]
    """Full-resolution bounding box."""


@dataclass(frozen=True)
class FillMap:
    fills: list[Fill]
    labels: NDArray[np.int32]
    """Working-size map: 0 = not a fill, i + 1 = fills[i]."""
    lab: NDArray[np.float64]
    """Working-size Lab image."""
    scale: float
    rejected: int
    """Flat regions rejected as gradients or photo noise."""


def find_fills(
    image: Image.Image,
    *,
    exclude: NDArray[np.bool_] | None = None,
    max_side: int = 160,
    lag: int = 3,
    tolerance: float = 2.0,
    max_noise: float = 1.2,
    min_share: float = 0.005,
    noise_side: int = 540,
    max_slope: float = 0.08,
) -> FillMap:
    """Flat fills of ``image``; ``exclude`` (working-size mask, True = ignore) hides photo areas."""
    # 1. Working-size Lab (area-averaged from the finer copy used for the noise test) and the lag test.
    fine, _ = thumbnail(image, max(noise_side, max_side))
    full_w, full_h = image.size
    scale = min(1.0, max_side / max(full_w, full_h))
    size = (max(1, round(full_w * scale)), max(1, round(full_h * scale)))
    small = np.asarray(Image.fromarray(fine).resize(size, Image.Resampling.BOX), dtype=np.uint8)
    lab = srgb_to_lab(small)
    h, w = lab.shape[:2]
    lab32 = lab.astype(np.float32)
    pad = np.pad(lab32, ((lag, lag), (lag, lag), (0, 0)), mode="edge")
    flat = np.ones((h, w), dtype=bool)
    for dy, dx in _DIRECTIONS:
        diff = lab32 - pad[lag + dy * lag : lag + dy * lag + h, lag + dx * lag : lag + dx * lag + w]
        flat &= np.einsum("ijk,ijk->ij", diff, diff) <= tolerance**2
    if exclude is not None:
        flat &= ~exclude
    labels, count = ndi.label(flat)
    fills: list[Fill] = []
    out = np.zeros((h, w), dtype=np.int32)
    rejected = 0
    if count == 0:
        return FillMap(fills, out, lab, scale, 0)

    # 2. Grey residual at the finer scale for the noise test.
    grey = fine.astype(np.float64) @ np.array([0.299, 0.587, 0.114])
    residual = np.abs(grey - ndi.uniform_filter(grey, 3))
    fh, fw = grey.shape

    sizes = ndi.sum_labels(np.ones_like(labels), labels, index=np.arange(1, count + 1))
    seed_min = max(4.0, 0.25 * min_share * h * w)
    for idx in np.flatnonzero(sizes >= seed_min):
        seed = labels == idx + 1
        pixels = lab[seed]
        median = np.median(pixels, axis=0)
        dist = np.sqrt(((pixels - median) ** 2).sum(axis=-1))
        if np.percentile(dist, 95) > tolerance + 1.0:
            rejected += 1
            continue
        region = ndi.binary_dilation(seed, iterations=lag + 1)
        region &= ((lab - median) ** 2).sum(axis=-1) <= (tolerance + 1.0) ** 2
        if exclude is not None:
            region &= ~exclude
        region &= out == 0
        share = float(region.sum()) / (h * w)
        if share < min_share:
            continue
        if _slope(region, lab) > max_slope:
            rejected += 1
            continue
        # 3. Noise inside the seed, sampled at the finer scale (eroded to keep clear of edges).
        ys, xs = np.nonzero(ndi.binary_erosion(seed, iterations=1) if seed.sum() > 16 else seed)
        fy = np.clip(((ys + 0.5) / h * fh).astype(int), 0, fh - 1)
        fx = np.clip(((xs + 0.5) / w * fw).astype(int), 0, fw - 1)
        noise = float(np.percentile(residual[fy, fx], 75)) * 1.5 if len(fy) else 0.0
        if noise > max_noise:
            rejected += 1
            continue
        rows, cols = np.nonzero(region)
        box = (
            int(cols.min() / w * full_w),
            int(rows.min() / h * full_h),
            int(np.ceil((cols.max() + 1) / w * full_w)),
            int(np.ceil((rows.max() + 1) / h * full_h)),
        )
        rgb_mean = np.asarray(small, dtype=np.float64)[seed].mean(axis=0)
        fills.append(
            Fill(
                lab=(float(median[0]), float(median[1]), float(median[2])),
                rgb=(float(rgb_mean[0]), float(rgb_mean[1]), float(rgb_mean[2])),
                share=share,
                noise=noise,
                box=box,
            )
        )
        out[region] = len(fills)
    return FillMap(fills, out, lab, scale, rejected)


def _slope(seed: NDArray[np.bool_], lab: NDArray[np.float64]) -> float:
    """ΔE*ab per working pixel of the best linear colour trend across the region (0 for a true fill)."""
    ys, xs = np.nonzero(seed)
    if len(ys) < 8:
        return 0.0
    design = np.column_stack([xs - xs.mean(), ys - ys.mean(), np.ones(len(xs))])
    coef, *_ = np.linalg.lstsq(design, lab[ys, xs], rcond=None)
    return float(np.sqrt((coef[:2] ** 2).sum(axis=1).sum()))


def working_mask(
    image: Image.Image, boxes: list[tuple[int, int, int, int]], max_side: int = 160
) -> NDArray[np.bool_]:
    """A working-size mask (True inside any of the full-resolution ``boxes``), matching find_fills."""
    rgb = to_rgb_image(image)
    w, h = rgb.size
    scale = min(1.0, max_side / max(w, h))
    mw, mh = max(1, round(w * scale)), max(1, round(h * scale))
    mask = np.zeros((mh, mw), dtype=bool)
    for left, top, right, bottom in boxes:
        x0, y0 = int(np.floor(left * mw / w)), int(np.floor(top * mh / h))
        x1, y1 = int(np.ceil(right * mw / w)), int(np.ceil(bottom * mh / h))
        mask[max(0, y0) : max(0, y1), max(0, x0) : max(0, x1)] = True
    return mask

"""Finding a brand logo in an image without layout metadata: masked normalised cross-correlation.

The logo files are transparent PNGs; pasted onto a photo, only their opaque pixels are known. The match
score is the NCC between the template and the image *over the template's opaque pixels only* (the
background does not count), computed with FFTs for every position at once:

    ncc = (Σ m·t·i − t̄ Σ m·i) / sqrt((Σ m·i² − (Σ m·i)² / n) · Σ m (t − t̄)²)

Search (coarse to fine): logo heights run from 2.5 % to 40 % of the shorter image side in steps of
``step`` (×1.03: the score falls off within a few % of scale error). Each scale runs on the image
reduced by a power of two so the template stays 24–48 px tall, both sides blurred by half a pixel
(sub-pixel phase). Levels run from the biggest logos down; the best few candidates of each level are
verified in a window around them at a finer level (template ≥ 48 px tall where the image allows) over
±4 % scale, then confirmed by a masked NCC over the three colour channels. The search stops at the
first level with a confident match, so the full-resolution level (small logos) runs only when needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from PIL import Image
from scipy import fft as sfft
from scipy import ndimage as ndi

FloatA = NDArray[np.float64]
GREY = np.array([0.299, 0.587, 0.114])
SIGMA = 0.5
PAD = 64
"""Transparent margin (logo px) added to the templates' source planes."""
CALM_WINDOW = 0.3
"""A window whose grey spread is under this share of the template's is not searched."""
MIN_TEMPLATE_STD = 12.0
"""Grey-level spread a template's opaque pixels need to be worth matching."""
"""Gaussian smoothing before subsampling, in units of the reduction factor."""


@dataclass(frozen=True)
class LogoTemplate:
    logo_id: str
    rgba: Image.Image

    @classmethod
    def load(cls, logo_id: str, path: Path) -> LogoTemplate:
        img = Image.open(path)
        img.load()
        return cls(logo_id, img.convert("RGBA"))

    @property
    def aspect(self) -> float:
        return self.rgba.width / self.rgba.height

    @cached_property
    def _premultiplied(self) -> tuple[Image.Image, ...]:
        """Alpha and the premultiplied R, G, B planes as float images, with a transparent margin on the
        right and bottom so a resize box may reach past the logo (resized many times per search)."""
        rgba = np.asarray(self.rgba, dtype=np.float32)
        alpha = rgba[..., 3] / 255.0
        planes = [alpha] + [np.ascontiguousarray(rgba[..., c] * alpha) for c in range(3)]
        return tuple(Image.fromarray(np.pad(p, ((0, PAD), (0, PAD))), "F") for p in planes)

    def resized(self, width: int, height: int, scale: float | None = None) -> tuple[FloatA, FloatA]:
        """(RGB, alpha) of ``width`` × ``height`` pixels, resized with premultiplied alpha.

        Without ``scale`` the whole logo is fitted to the size; with it, the logo is drawn at exactly
        ``scale`` (output px per logo px) from the top-left corner and the rest is transparent, so a
        template keeps the true proportions whatever the rounding of its pixel size.
        """
        a_img, *rgb_imgs = self._premultiplied
        if scale is None:
            box = (0.0, 0.0, float(self.rgba.width), float(self.rgba.height))
        else:
            box = (
                0.0,
                0.0,
                min(width / scale, self.rgba.width + PAD),
                min(height / scale, self.rgba.height + PAD),
            )
        a_small = np.asarray(a_img.resize((width, height), Image.Resampling.BOX, box=box), dtype=np.float64)
        chans = [
            np.asarray(p.resize((width, height), Image.Resampling.BOX, box=box), dtype=np.float64)
            for p in rgb_imgs
        ]
        rgb = np.stack(chans, axis=-1) / np.maximum(a_small, 1e-6)[..., None]
        return rgb, a_small

    def at_height(
        self,
        height: float,
        factor: int = 1,
        sigma: float = SIGMA,
        interior: float = 0.98,
        mask_sigma: float = 0.0,
    ) -> tuple[FloatA, FloatA, tuple[int, int]]:
        """(grey, mask, offset) of the logo ``height`` px tall, reduced and smoothed like the image.

        Resized straight to the reduced size with premultiplied alpha (no dark fringes), then blurred
        by ``sigma`` px, as ``reduce_image`` does to the image. The mask keeps pixels at least
        ``interior`` opaque: their values do not depend on what the logo sits on. ``offset`` is the
        full-resolution (dy, dx) from the template's first pixel to the logo's top-left corner.
        """
        h = max(3.0, height / factor)
        scale = h / self.rgba.height
        rgb, alpha = self.resized(int(np.ceil(h * self.aspect)) + 1, int(np.ceil(h)) + 1, scale)
        pad = int(np.ceil(3 * sigma)) + 1
        g = np.pad((rgb @ GREY) * alpha, pad)
        a = np.pad(alpha, pad)
        a_mask = ndi.gaussian_filter(a, mask_sigma) if mask_sigma > 0 else None
        if sigma > 0:
            g = ndi.gaussian_filter(g, sigma)
            a = ndi.gaussian_filter(a, sigma)
        mask = (a_mask if a_mask is not None else a) >= interior
        if mask.sum() < 8:
            mask = a >= 0.5
        if not mask.any():
            return np.zeros((0, 0)), np.zeros((0, 0)), (0, 0)
        ys, xs = np.nonzero(mask)
        sl = (slice(ys.min(), ys.max() + 1), slice(xs.min(), xs.max() + 1))
        grey = g[sl] / np.maximum(a[sl], 1e-6)
        return (
            grey,
            mask[sl].astype(np.float64),
            ((pad - int(ys.min())) * factor, (pad - int(xs.min())) * factor),
        )


@dataclass(frozen=True)
class LogoMatch:
    logo_id: str
    box: tuple[int, int, int, int]
    """Full-resolution (left, top, right, bottom)."""
    score: float
    significance: float = 0.0
    """atanh(score) × √(opaque template pixels): a large logo at 0.9 beats a tiny one at 0.99."""


def significance(score: float, pixels: float) -> float:
    return float(np.arctanh(min(max(score, -0.999), 0.999)) * np.sqrt(max(pixels, 1.0)))


def reduce_image(grey: FloatA, factor: int, sigma: float = SIGMA) -> FloatA:
    """Area-reduced by ``factor`` and blurred by ``sigma`` px: smooth enough that the sub-pixel phase
    of a logo against the sampling grid barely moves the score."""
    if factor > 1:
        h, w = grey.shape[0] // factor, grey.shape[1] // factor
        grey = grey[: h * factor, : w * factor].reshape(h, factor, w, factor).mean(axis=(1, 3))
    out = ndi.gaussian_filter(grey, sigma) if sigma > 0 else grey
    return np.asarray(out, dtype=np.float32)


class _Correlator:
    """Masked NCC of many templates against one image (image FFTs computed once per size)."""

    def __init__(self, image: FloatA, max_template: tuple[int, int]) -> None:
        self.image = image.astype(np.float32)
        ih, iw = image.shape
        self.shape = (
            sfft.next_fast_len(ih + max_template[0], real=True),
            sfft.next_fast_len(iw + max_template[1], real=True),
        )
        self.f_i = sfft.rfft2(self.image, self.shape)
        self.f_ii = sfft.rfft2(self.image * self.image, self.shape)
        self._mask_cache: dict[bytes, NDArray[np.float32]] = {}  # mask → window variance

    def ncc(self, tmpl: FloatA, mask: FloatA) -> FloatA:
        th, tw = tmpl.shape
        ih, iw = self.image.shape
        n = float(mask.sum())
        if th > ih or tw > iw or n < 8:
            return np.full((0, 0), -1.0)
        t_mean = float((tmpl * mask).sum()) / n
        tz = ((tmpl - t_mean) * mask).astype(np.float32)
        t_var = float((tz * tz).sum())
        if (
            t_var <= n * MIN_TEMPLATE_STD**2
        ):  # a near-uniform template (just the planet disc) matches anything
            return np.full((0, 0), -1.0)
        sl = (slice(th - 1, ih), slice(tw - 1, iw))
        key = mask.tobytes() + bytes(str(mask.shape), "ascii")
        if key not in self._mask_cache:  # logo versions often share one silhouette
            f_m = sfft.rfft2(mask[::-1, ::-1].astype(np.float32), self.shape)
            s_i = sfft.irfft2(self.f_i * f_m, self.shape)[sl].astype(np.float64)
            s_ii = sfft.irfft2(self.f_ii * f_m, self.shape)[sl].astype(np.float64)
            var = s_ii - s_i * s_i / n
            self._mask_cache[key] = np.maximum(var, 0.0).astype(np.float32)
        var_i = self._mask_cache[key]
        f_t = sfft.rfft2(tz[::-1, ::-1], self.shape)
        s_it = sfft.irfft2(self.f_i * f_t, self.shape)[sl]
        # A window far calmer than the template cannot hold the logo (the pasted pixels are the
        # template's own): it scores 0 instead of correlating its noise.
        floor = np.float32(t_var * CALM_WINDOW**2)
        out = s_it / np.sqrt(np.maximum(var_i, floor) * np.float32(t_var))
        out[var_i <= floor] = 0.0
        return np.asarray(out)


def colour_ncc(rgb: NDArray[np.uint8], tmpl: LogoTemplate, box: tuple[int, int, int, int]) -> float:
    """Masked NCC over the three colour channels at one box (the colour check after a grey match)."""
    left, top, right, bottom = box
    crop = rgb[top:bottom, left:right].astype(np.float64)
    if crop.shape[0] < 3 or crop.shape[1] < 3:
        return -1.0
    colours, alpha = tmpl.resized(crop.shape[1], crop.shape[0])
    mask = alpha >= 0.98
    if mask.sum() < 8:
        return -1.0
    a = crop[mask] - crop[mask].mean(axis=0)
    b = colours[mask] - colours[mask].mean(axis=0)
    den = float(np.sqrt((a * a).sum() * (b * b).sum()))
    return float((a * b).sum() / den) if den > 1e-9 else 0.0


def _factor(height: float, working: float) -> int:
    """The power-of-two reduction that keeps a logo of ``height`` at least ``working`` px tall."""
    return max(1, 2 ** int(np.floor(np.log2(max(1.0, height / working)))))


Candidate = tuple[float, str, float, int, int]
"""(coarse score, logo id, logo height, logo left, logo top) in full-resolution pixels."""


def find_logo(
    rgb: NDArray[np.uint8],
    templates: list[LogoTemplate],
    *,
    min_height: float | None = None,
    max_height: float | None = None,
    step: float = 1.03,
    accept: float = 0.75,
    accept_small: float = 0.85,
    per_level: int = 2,
    working: float = 24.0,
    interior: float = 0.95,
    min_pixels: int = 150,
    shortlist_min: float = 0.6,
    sigma: float = SIGMA,
    early_stop: float = 0.9,
) -> LogoMatch | None:
    """The best verified match of any template in ``rgb``, or None.

    ``accept`` is the grey and colour NCC a match needs; logos under 24 px tall need ``accept_small``
    (small templates correlate with photo texture more easily). Levels run from the biggest logos down
    and the search stops at the first level with a match scoring ``early_stop`` or more: the costly
    full-resolution level only runs when no bigger logo is there.
    """
    grey = rgb.astype(np.float32) @ GREY.astype(np.float32)
    full_h, full_w = grey.shape
    short = min(full_h, full_w)
    top = max_height or 0.4 * short
    low = min_height or max(10.0, 0.025 * short)
    by_level: dict[int, list[float]] = {}
    hh = low
    while hh <= top:
        by_level.setdefault(_factor(hh, working), []).append(hh)
        hh *= step
    widest = max(t.aspect for t in templates)
    best: LogoMatch | None = None
    for factor in sorted(by_level, reverse=True):
        # 1. Coarse search at this level: templates 24–48 px tall on the image reduced by ``factor``.
        tallest = int(min(2 * working, top / factor) * step) + 8
        corr = _Correlator(reduce_image(grey, factor, sigma), (tallest, int(tallest * widest) + 8))
        found: list[Candidate] = []
        for height in by_level[factor]:
            for tmpl in templates:
                t_grey, t_mask, (oy, ox) = tmpl.at_height(height, factor, sigma, interior)
                if t_grey.size == 0 or t_mask.sum() < min_pixels or height * tmpl.aspect > full_w:
                    continue
                score = corr.ncc(t_grey, t_mask)
                if score.size == 0:
                    continue
                th, tw = t_grey.shape
                for _ in range(per_level):
                    y, x = divmod(int(np.argmax(score)), score.shape[1])
                    if float(score[y, x]) < shortlist_min:
                        break
                    found.append((float(score[y, x]), tmpl.logo_id, height, x * factor + ox, y * factor + oy))
                    score[max(0, y - th // 2) : y + th // 2 + 1, max(0, x - tw // 2) : x + tw // 2 + 1] = -1.0
        # 2. Verify the best few per template, one per place (neighbouring scales repeat a peak).
        for candidate in _shortlist(found, per_level):
            match = _confirm(rgb, grey, templates, candidate, accept, accept_small)
            if match is not None and (best is None or match.significance > best.significance):
                best = match
        if best is not None and best.score >= early_stop:
            break
    return best


def _shortlist(found: list[Candidate], per_template: int) -> list[Candidate]:
    chosen: list[Candidate] = []
    for c in sorted(found, key=lambda c: -c[0]):
        same = [k for k in chosen if k[1] == c[1]]
        if len(same) >= per_template:
            continue
        if any(abs(k[3] - c[3]) < c[2] and abs(k[4] - c[4]) < 0.5 * c[2] for k in same):
            continue
        chosen.append(c)
    return chosen


def _confirm(
    rgb: NDArray[np.uint8],
    grey: FloatA,
    templates: list[LogoTemplate],
    candidate: Candidate,
    accept: float,
    accept_small: float,
) -> LogoMatch | None:
    """The refined match for ``candidate`` when it passes the grey and the colour test."""
    _, logo_id, height, x, y = candidate
    tmpl = next(t for t in templates if t.logo_id == logo_id)
    match = _verify(grey, tmpl, height, x, y)
    if match is None:
        return None
    need = accept_small if match.box[3] - match.box[1] < 24 else accept
    if match.score < need or colour_ncc(rgb, tmpl, match.box) < need:
        return None
    return match


def _verify(grey: FloatA, tmpl: LogoTemplate, height: float, x0: int, y0: int) -> LogoMatch | None:
    """Refine one candidate (logo top-left ``x0``, ``y0``) over ±4 % scale in a window around it."""
    full_h, full_w = grey.shape
    factor = _factor(height, 48.0)
    width = height * tmpl.aspect
    pad_x, pad_y = int(0.15 * width) + 4 * factor, int(0.3 * height) + 4 * factor
    left, top = max(0, x0 - pad_x), max(0, y0 - pad_y)
    right = min(full_w, int(x0 + width * 1.05) + pad_x)
    bottom = min(full_h, int(y0 + height * 1.05) + pad_y)
    window = reduce_image(grey[top:bottom, left:right], factor)
    corr = _Correlator(window, (int(height * 1.05 / factor) + 8, int(width * 1.05 / factor) + 8))
    best: LogoMatch | None = None
    for s in (0.96, 0.98, 1.0, 1.02, 1.04):
        h = height * s
        t_grey, t_mask, (oy, ox) = tmpl.at_height(h, factor)
        if t_grey.size == 0:
            continue
        score = corr.ncc(t_grey, t_mask)
        if score.size == 0:
            continue
        idx = int(np.argmax(score))
        y, x = divmod(idx, score.shape[1])
        value = float(score[y, x])
        if best is None or value > best.score:
            bx, by = left + x * factor + ox, top + y * factor + oy
            hi = round(h)
            box = (bx, by, bx + round(hi * tmpl.aspect), by + hi)
            best = LogoMatch(
                tmpl.logo_id, box, value, significance(value, float(t_mask.sum()) * factor * factor)
            )
    return best

"""Finding lines of text in images that carry no layout metadata (a vendor's work, a screenshot).

Best effort, tuned to avoid false alarms: a line is reported only when several glyph-like strokes of one
ink colour sit side by side at one height. Steps:

1. Work on luma at most ``max_side`` pixels on the longer side.
2. Strokes are thin structures darker (black top-hat) or lighter (white top-hat) than their surroundings
   by at least ``min_step`` grey levels; each polarity is handled separately.
3. Connected stroke components of glyph size are grouped into lines: similar height, overlapping
   vertically, small horizontal gaps. A line needs ``min_glyphs`` glyphs.
4. Lines whose ink is not one colour (photo texture) are dropped.

Boxes are returned in full-resolution pixels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage as ndi
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from assetline.engines.base import Box

FloatA = NDArray[np.float64]


@dataclass(frozen=True)
class TextLine:
    box: Box
    """Full-resolution (left, top, right, bottom)."""
    polarity: str
    """'dark' (ink darker than its background) or 'light'."""
    glyphs: int
    height_px: float
    """Height of the line's glyph boxes at full resolution (ascender to descender)."""


def _min_max_1d(arr: FloatA, size: int, op: str) -> FloatA:
    f = ndi.minimum_filter1d if op == "min" else ndi.maximum_filter1d
    return np.asarray(f(f(arr, size, axis=0), size, axis=1), dtype=np.float64)


def tophats(grey: FloatA, size: int) -> tuple[FloatA, FloatA]:
    """(dark strokes, light strokes): black and white top-hat with a ``size`` square (separable)."""
    closing = _min_max_1d(_min_max_1d(grey, size, "max"), size, "min")
    opening = _min_max_1d(_min_max_1d(grey, size, "min"), size, "max")
    return closing - grey, grey - opening


def _group_lines(boxes: NDArray[np.int64], max_gap: float) -> NDArray[np.int64]:
    """Line label per glyph box (l, t, r, b): similar height, side by side, overlapping vertically."""
    h = (boxes[:, 3] - boxes[:, 1]).astype(np.float64)
    cy = (boxes[:, 1] + boxes[:, 3]) / 2.0
    hmax = np.maximum(h[:, None], h[None, :])
    hmin = np.maximum(1.0, np.minimum(h[:, None], h[None, :]))
    gap = np.maximum(boxes[None, :, 0] - boxes[:, None, 2], boxes[:, None, 0] - boxes[None, :, 2])
    linked = (
        (gap <= max_gap * hmax) & (hmax / hmin <= 1.8) & (np.abs(cy[:, None] - cy[None, :]) <= 0.45 * hmax)
    )
    _, labels = connected_components(csr_matrix(linked), directed=False)
    return np.asarray(labels, dtype=np.int64)


def _aligned(gb: NDArray[np.int64]) -> bool:
    """Most glyphs share a baseline (descenders aside) and the line is wider than tall."""
    heights = (gb[:, 3] - gb[:, 1]).astype(np.float64)
    hm = float(np.median(heights))
    bottoms = gb[:, 3].astype(np.float64)
    on_base = np.abs(bottoms - np.median(bottoms)) <= max(1.5, 0.15 * hm)
    width = float(gb[:, 2].max() - gb[:, 0].min())
    return bool(on_base.mean() >= 0.6 and width >= 1.5 * (gb[:, 3].max() - gb[:, 1].min()))


def find_text_lines(
    rgb: NDArray[np.uint8],
    *,
    max_side: int = 540,
    min_step: float = 10.0,
    min_glyphs: int = 3,
    max_lines: int = 40,
) -> list[TextLine]:
    """Lines of text in ``rgb`` (H×W×3, uint8), most glyphs first."""
    full_h, full_w = rgb.shape[:2]
    step = max(1, int(np.ceil(max(full_h, full_w) / max_side)))
    hh, ww = full_h // step, full_w // step
    small = rgb[: hh * step, : ww * step].astype(np.float32)
    if step > 1:
        small = small.reshape(hh, step, ww, step, 3).mean(axis=(1, 3))
    grey = np.asarray(small @ np.array([0.299, 0.587, 0.114], dtype=np.float32), dtype=np.float64)
    h, w = grey.shape
    size = max(9, min(31, round(max(h, w) / 30)) | 1)
    dark, light = tophats(grey, size)
    lines: list[TextLine] = []
    for polarity, hat in (("dark", dark), ("light", light)):
        labels, count = ndi.label(hat >= min_step)
        if count < min_glyphs:
            continue
        slices = ndi.find_objects(labels)
        bb = np.array([(s[1].start, s[0].start, s[1].stop, s[0].stop) for s in slices], dtype=np.int64)
        areas = ndi.sum_labels(np.ones_like(labels), labels, index=np.arange(1, count + 1))
        bh, bw = bb[:, 3] - bb[:, 1], bb[:, 2] - bb[:, 0]
        fill = areas / np.maximum(1, bh * bw)
        ok = (bh >= 4) & (bh <= 0.3 * h) & (bw <= 4 * bh + 2) & (fill >= 0.08) & (fill <= 0.95)
        idx = np.flatnonzero(ok)
        if len(idx) < min_glyphs or len(idx) > 3000:
            continue
        line_of = _group_lines(bb[idx], max_gap=1.1)
        for lab in np.unique(line_of):
            members = idx[line_of == lab]
            if len(members) < min_glyphs:
                continue
            gb = bb[members]
            if not _aligned(gb):
                continue
            box = (int(gb[:, 0].min()), int(gb[:, 1].min()), int(gb[:, 2].max()), int(gb[:, 3].max()))
            if not _one_ink_on_background(grey, hat, labels, members + 1, box, polarity, min_step):
                continue
            full = (box[0] * step, box[1] * step, min(full_w, box[2] * step), min(full_h, box[3] * step))
            lines.append(
                TextLine(
                    box=full, polarity=polarity, glyphs=len(members), height_px=float(box[3] - box[1]) * step
                )
            )
    lines.sort(key=lambda ln: -ln.glyphs)
    return _dedupe(lines)[:max_lines]


def _one_ink_on_background(
    grey: FloatA,
    hat: FloatA,
    labels: NDArray[np.int32],
    members: NDArray[np.int64],
    box: tuple[int, int, int, int],
    polarity: str,
    min_step: float,
) -> bool:
    """Ink of one tone, on the minority side of the line box, against a background calmer than the step."""
    sl = (slice(box[1], box[3]), slice(box[0], box[2]))
    glyphs = np.isin(labels[sl], members)
    hat_box = hat[sl]
    strong = glyphs & (hat_box >= np.percentile(hat_box[glyphs], 60))
    ink = grey[sl][strong]
    if ink.size < 3:
        return False
    background = grey[sl][~ndi.binary_dilation(glyphs, iterations=1)]
    if background.size < 3 or glyphs.mean() > 0.6:
        return False
    ink_tone, bg_tone = float(np.median(ink)), float(np.median(background))
    if (ink_tone - bg_tone) * (1 if polarity == "light" else -1) < min_step / 2:
        return False
    spread_ink = float(np.percentile(ink, 90) - np.percentile(ink, 10))
    spread_bg = float(np.percentile(background, 75) - np.percentile(background, 25))
    step = abs(ink_tone - bg_tone)
    # Texture in photos makes 'lines' whose step barely clears the background's own spread.
    return (
        step >= max(1.6 * min_step, 3.0 * spread_bg + 4.0)
        and spread_ink <= max(12.0, 0.6 * step)
        and spread_bg <= max(8.0, 0.5 * step)
    )


def _dedupe(lines: list[TextLine]) -> list[TextLine]:
    """Drop lines mostly inside a line already kept (the counters of 'o' found as light strokes …)."""
    kept: list[TextLine] = []
    for ln in lines:
        l0, t0, r0, b0 = ln.box
        area = max(1, (r0 - l0) * (b0 - t0))
        inside = False
        for k in kept:
            iw = min(r0, k.box[2]) - max(l0, k.box[0])
            ih = min(b0, k.box[3]) - max(t0, k.box[1])
            if iw > 0 and ih > 0 and iw * ih >= 0.5 * area:
                inside = True
                break
        if not inside:
            kept.append(ln)
    return kept

"""text.contrast — WCAG 2.x contrast of every text element against the pixels behind its glyphs.

For each text element (headline, body, cta) the element box is cut from the rendered image and split
into glyph pixels and background pixels:

- glyph core: pixels within ``glyph_tolerance`` (RGB distance) of the element's known text colour; when
  the colour is unknown or not found, the darker or lighter cluster of a 2-means split on luminance
  (whichever is the minority);
- background: the remaining pixels, minus a band of ``fringe_px`` around the glyphs (anti-aliasing).

The ratio is taken between the glyph colour (median of the core) and the *worst* background: the
``background_percentile`` (default 10) of background luminance on the side nearest the glyphs, i.e. the
darkest tenth behind light text or the lightest tenth behind dark text. This is what a reader meets on
a busy photo; on a flat fill every percentile is the same.

Thresholds (WCAG 2.x SC 1.4.3, AA): 4.5:1, or 3:1 for large text — at least 24 px, or 18.66 px when bold
(element.extra 'bold' or a 'weight' ≥ 700). Level 'AAA' raises them to 7:1 and 4.5:1.

Images without layout metadata: lines of text are found by ``qc.textfind`` (best effort) and measured the
same way; their font size is estimated from the line height. No text found → 'na', not a guess.

Settings (``text.contrast``): level ('AA'/'AAA'), background_percentile, glyph_tolerance, fringe_px,
find_text (bool, default True).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage as ndi

from assetline.engines.base import Element
from assetline.qc.base import AssetUnderCheck, CheckContext, CheckResult, Status
from assetline.qc.colourmath import contrast_ratio, relative_luminance, rgb_to_hex
from assetline.qc.pixels import TEXT_KINDS, clip_box, rgb_array
from assetline.qc.textfind import find_text_lines
from assetline.spec.common import hex_to_rgb

THRESHOLDS = {"AA": (4.5, 3.0), "AAA": (7.0, 4.5)}
LINE_HEIGHT_PER_PX = 0.85
"""Ascender-to-descender height of a line of glyphs ÷ font size (px), for images without metadata."""


def is_large(font_px: float | None, bold: bool) -> bool:
    if font_px is None:
        return False
    return font_px >= 24.0 or (bold and font_px >= 18.66)


def measure(
    crop: NDArray[np.uint8],
    colour: tuple[int, int, int] | None,
    *,
    percentile: float = 10.0,
    tolerance: float = 40.0,
    fringe: int = 2,
    background_ref: tuple[int, int, int] | None = None,
) -> dict[str, Any] | None:
    """Worst-case contrast inside ``crop`` (H×W×3); None when glyphs and background cannot be told apart."""
    px = crop.reshape(-1, 3).astype(np.float64)
    if len(px) < 16:
        return None
    lum = relative_luminance(px).reshape(crop.shape[:2])
    # 1. Glyph pixels: by the known colour, else the minority side of a luminance split.
    glyph: NDArray[np.bool_] | None = None
    core: NDArray[np.bool_] | None = None
    if colour is not None:
        dist = np.sqrt(((crop.astype(np.float64) - np.array(colour, dtype=np.float64)) ** 2).sum(axis=-1))
        candidate = dist <= tolerance
        if background_ref is not None:
            # Small text is mostly anti-aliased edge: every pixel nearer the text colour than the
            # background reference belongs to the glyphs, so counters and edges never pose as background.
            to_bg = np.sqrt(((crop.astype(np.float64) - np.array(background_ref, dtype=np.float64)) ** 2).sum(-1))
            candidate = candidate | (dist < to_bg)
        if 0.002 <= candidate.mean() <= 0.7:
            glyph = candidate
            core = candidate & (dist <= np.median(dist[candidate]))  # the truest half: stroke centres
    if glyph is None or core is None:
        glyph = _two_means_minority(lum)
        if glyph is None:
            return None
        # The most extreme half of the glyph side is the ink (edges are anti-aliased).
        glyph_lum = lum[glyph]
        darker = float(np.median(glyph_lum)) < float(np.median(lum[~glyph])) if (~glyph).any() else True
        cut = float(np.percentile(glyph_lum, 50))
        core = glyph & ((lum <= cut) if darker else (lum >= cut))
    ink = crop[core].astype(np.float64)
    ink_lum = float(relative_luminance(np.median(ink, axis=0)))
    # 2. Background: everything else, less an anti-aliasing fringe around the glyphs.
    near = ndi.binary_dilation(glyph, iterations=fringe) if fringe > 0 else glyph
    bg_lum = lum[~near]
    if bg_lum.size < 8:
        return None
    # 3. Worst case: the background percentile nearest the ink's luminance.
    darker_text = ink_lum < float(np.median(bg_lum))
    worst_bg = float(np.percentile(bg_lum, percentile if darker_text else 100.0 - percentile))
    worst_bg = max(worst_bg, ink_lum) if darker_text else min(worst_bg, ink_lum)
    ratio = float(contrast_ratio(ink_lum, worst_bg))
    return {
        "ratio": round(ratio, 2),
        "glyph_colour": rgb_to_hex(np.median(ink, axis=0)),
        "glyph_luminance": round(ink_lum, 4),
        "worst_background_luminance": round(worst_bg, 4),
        "median_background_luminance": round(float(np.median(bg_lum)), 4),
        "glyph_share": round(float(glyph.mean()), 3),
    }


def _two_means_minority(lum: NDArray[np.float64]) -> NDArray[np.bool_] | None:
    """The minority side of a 2-means split of luminance (text covers less than half its box)."""
    flat = lum.ravel()
    lo, hi = float(np.percentile(flat, 5)), float(np.percentile(flat, 95))
    if hi - lo < 1e-4:
        return None
    c0, c1 = lo, hi
    for _ in range(20):
        split = (c0 + c1) / 2.0
        low, high = flat[flat <= split], flat[flat > split]
        if low.size == 0 or high.size == 0:
            return None
        n0, n1 = float(low.mean()), float(high.mean())
        if abs(n0 - c0) < 1e-6 and abs(n1 - c1) < 1e-6:
            break
        c0, c1 = n0, n1
    split = (c0 + c1) / 2.0
    # Only the confident cores: the outer quarter of each side (anti-aliased pixels sit between).
    low_side = lum <= c0 + (split - c0) * 0.5
    high_side = lum >= c1 - (c1 - split) * 0.5
    return low_side if low_side.mean() < high_side.mean() else high_side


class ContrastCheck:
    id: ClassVar[str] = "text.contrast"
    version: ClassVar[str] = "2"
    description: ClassVar[str] = "WCAG 2.x AA contrast of text against the rendered pixels behind it."

    def run(self, asset: AssetUnderCheck, context: CheckContext) -> CheckResult:
        # 1. Settings.
        cfg = context.for_check(self.id)
        level = str(cfg.get("level", "AA")).upper()
        normal_min, large_min = THRESHOLDS.get(level, THRESHOLDS["AA"])
        percentile = float(cfg.get("background_percentile", 10.0))
        tolerance = float(cfg.get("glyph_tolerance", 40.0))
        fringe = int(cfg.get("fringe_px", 2))
        rgb = rgb_array(asset.image)
        height, width = rgb.shape[:2]

        # 2. What to measure: the composer's text elements, or lines found in the pixels.
        items: list[dict[str, Any]] = []
        texts = [e for e in asset.elements or () if e.kind in (*TEXT_KINDS, "legal")]  # legal lines too
        if asset.elements is not None:
            for el in texts:
                items.append(self._element_item(el, rgb, width, height, percentile, tolerance, fringe))
            source = "elements"
        elif cfg.get("find_text", True):
            for line in find_text_lines(rgb):
                pad = max(2, int(line.height_px * 0.25))
                box = clip_box(
                    (line.box[0] - pad, line.box[1] - pad, line.box[2] + pad, line.box[3] + pad),
                    width,
                    height,
                )
                crop = rgb[box[1] : box[3], box[0] : box[2]]
                m = measure(crop, None, percentile=percentile, tolerance=tolerance, fringe=fringe)
                font_px = line.height_px / LINE_HEIGHT_PER_PX
                items.append(
                    {
                        "element": "text line",
                        "box": list(line.box),
                        "font_px_estimate": round(font_px, 1),
                        "large": is_large(font_px, False),
                        **(m or {"ratio": None}),
                    }
                )
            source = "detected"
        else:
            source = "none"

        # 3. Verdict per item.
        measured = [it for it in items if it.get("ratio") is not None]
        for it in measured:
            need = large_min if it["large"] else normal_min
            it["required"] = need
            it["status"] = "pass" if it["ratio"] >= need else "fail"
        evidence: dict[str, Any] = {
            "level": level,
            "source": source,
            "background_percentile": percentile,
            "items": items,
        }
        if not measured:
            what = "no text elements" if source == "elements" else "no text found"
            return CheckResult(self.id, self.version, "na", f"Nothing to measure: {what}.", None, evidence)
        worst_item = min(measured, key=lambda it: it["ratio"] / it["required"])
        status: Status = "fail" if any(it["status"] == "fail" for it in measured) else "pass"
        name = str(worst_item["element"]).capitalize()
        size = "large" if worst_item["large"] else "normal"
        if status == "fail":
            msg = (
                f"{name} contrast {worst_item['ratio']:.1f}:1 is below {level} "
                f"({worst_item['required']:g}:1 for {size} text)."
            )
        else:
            msg = (
                f"All {len(measured)} text item(s) meet {level}; lowest is {name.lower()} at "
                f"{worst_item['ratio']:.1f}:1."
            )
        return CheckResult(self.id, self.version, status, msg, float(worst_item["ratio"]), evidence)

    @staticmethod
    def _element_item(
        el: Element,
        rgb: NDArray[np.uint8],
        width: int,
        height: int,
        percentile: float,
        tolerance: float,
        fringe: int,
    ) -> dict[str, Any]:
        box = clip_box(el.box, width, height)
        bold = bool(el.extra.get("bold", False)) or int(el.extra.get("weight", 400)) >= 700
        item: dict[str, Any] = {
            "element": el.kind,
            "box": list(box),
            "font_px": el.font_px,
            "bold": bold,
            "large": is_large(el.font_px, bold),
            "declared_colour": el.colour,
            "composer_contrast": el.contrast,
        }
        # Measure a little beyond the ink box: tiny text has almost no true background inside its box.
        pad = max(2, int(el.font_px or 12) // 3)
        x0, y0 = max(0, box[0] - pad), max(0, box[1] - pad)
        x1, y1 = min(width, box[2] + pad), min(height, box[3] + pad)
        crop = rgb[y0:y1, x0:x1]
        colour = hex_to_rgb(el.colour) if el.colour else None
        ring = np.concatenate([crop[0], crop[-1], crop[:, 0], crop[:, -1]]).astype(np.float64)
        ref = tuple(int(v) for v in np.median(ring, axis=0)) if pad > 0 and len(ring) else None
        m = measure(crop, colour, percentile=percentile, tolerance=tolerance, fringe=fringe,
                    background_ref=ref)  # type: ignore[arg-type]
        item.update(m or {"ratio": None})
        return item

"""The CTA button: a rounded rectangle in the brand's accent colour, its label at WCAG AA.

The fill is the first of accent, primary, secondary, text (then black) on which a palette colour reaches AA
for the label *and* which stands out from what surrounds the button (≥ 1.3:1); the label colour itself is
chosen when the text is drawn, measured on the painted fill.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from assetline.engines.base import Element
from assetline.engines.compose.arrange import ButtonSlot
from assetline.engines.compose.contrast import (
    HEADROOM,
    RGB,
    best_colour,
    contrast,
    luminance,
    luminance_array,
    required_ratio,
    to_hex,
)
from assetline.engines.compose.scrim import rounded_mask

if TYPE_CHECKING:
    from assetline.engines.compose.frame import Frame

BLACK: RGB = (0, 0, 0)
STAND_OUT = 1.3
"""Least contrast between the button fill and the pixels around it."""


def _grey(lum: float) -> RGB:
    """An sRGB grey of relative luminance ``lum``."""
    c = lum * 12.92 if lum <= 0.0031308 else 1.055 * lum ** (1 / 2.4) - 0.055
    v = round(min(1.0, max(0.0, c)) * 255)
    return v, v, v


def choose_fill(frame: Frame, slot: ButtonSlot, surround: float) -> RGB:
    """The fill colour for the button (see module docstring)."""
    style = slot.text.block.style
    required = required_ratio(style.px, style.weight)
    fills = [frame.palette[r] for r in ("accent", "primary", "secondary", "text") if r in frame.palette]
    chosen: RGB | None = None
    for fill in dict.fromkeys([*fills, BLACK]):
        swatch = np.empty((2, 2, 3), np.uint8)
        swatch[:] = fill
        _, value = best_colour(frame.text_colours("cta", luminance(fill) >= 0.4), swatch, required)
        if value < required * HEADROOM:
            continue
        if contrast(fill, _grey(surround)) >= STAND_OUT:
            return fill
        chosen = chosen or fill
    return chosen or BLACK


def paint_button(frame: Frame, slot: ButtonSlot) -> None:
    """Paint the button (anti-aliased rounded corners) and record it."""
    x0, t, x1, b = frame.phys(slot.box)
    ring = frame.clip((x0 - 4, t - 4, x1 + 4, b + 4))
    around = frame.canvas[ring[1] : ring[3], ring[0] : ring[2]]
    surround = float(luminance_array(around).mean()) if around.size else 0.5
    fill = choose_fill(frame, slot, surround)
    a = rounded_mask(x1 - x0, b - t, slot.radius)[..., None]
    region = frame.canvas[t:b, x0:x1].astype(np.float64)
    frame.canvas[t:b, x0:x1] = np.rint(region * (1 - a) + np.array(fill, dtype=np.float64) * a).astype(
        np.uint8
    )
    frame.elements.append(
        Element(
            kind="button",
            box=(x0, t, x1, b),
            colour=to_hex(fill),
            background=to_hex(fill),
            extra={"radius": slot.radius},
        )
    )

"""Logos: trimmed artwork, the version that reads on the background under it, size from the grid.

Each logo file is trimmed to its visible (alpha) extent, so the recorded box is the logo itself; its clear
space (``clear_space`` × logo height) is kept free of other elements by the layouts.
The version is chosen by the background luminance under the slot: a logo made ``on: dark`` for dark
backgrounds, ``on: light`` for light ones, ``any`` for both; among those, the one whose ink contrasts most.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from assetline.engines.base import Box, Element
from assetline.engines.compose.contrast import HEADROOM, floor3, luminance_array
from assetline.engines.compose.grid import Grid
from assetline.engines.compose.scrim import Scrim, composite
from assetline.spec.brand import BrandKit

if TYPE_CHECKING:
    from assetline.engines.compose.frame import Frame

DARK_BELOW = 0.4
"""A background whose mean relative luminance is below this counts as dark."""
LOGO_CONTRAST = 3.0
"""Non-text contrast (WCAG 1.4.11) the logo's ink must reach against what is under it."""


@dataclass(frozen=True)
class LogoArt:
    id: str
    on: str
    clear_space: float
    min_height_px: int
    image: Image.Image
    """RGBA, trimmed to the visible pixels."""
    ink_luminance: float

    @property
    def aspect(self) -> float:
        return self.image.width / self.image.height

    def rendered(self, height: int) -> Image.Image:
        width = max(1, round(height * self.aspect))
        return self.image.resize((width, height), Image.Resampling.LANCZOS)


def load_logos(brand: BrandKit, files: dict[str, Path]) -> list[LogoArt]:
    arts = []
    for logo in brand.logos:
        path = files.get(logo.id)
        if path is None:
            continue
        with Image.open(path) as src:
            image = src.convert("RGBA")
        bbox = image.getchannel("A").getbbox()
        if bbox is None:
            continue
        image = image.crop(bbox)
        px = np.asarray(image, dtype=np.uint8)
        alpha = px[..., 3].astype(np.float64)
        lum = luminance_array(px[..., :3])
        ink = float((lum * alpha).sum() / max(alpha.sum(), 1.0))
        arts.append(
            LogoArt(
                id=logo.id,
                on=logo.on,
                clear_space=logo.clear_space,
                min_height_px=logo.min_height_px,
                image=image,
                ink_luminance=ink,
            )
        )
    return arts


def target_height(grid: Grid) -> int:
    """How tall the logo should be: present, never dominant."""
    content_h = grid.content[3] - grid.content[1]
    if grid.is_strip:
        return round(content_h * 0.36)
    if grid.shape == "banner-wide":
        return round(min(content_h * 0.2, grid.base_px * 2))
    return round(max(grid.base_px * 1.5, grid.short * 0.045))


def ink_contrast(logo: Image.Image, background: NDArray[np.uint8]) -> float:
    """Median WCAG contrast between the logo's opaque pixels and the background pixels right under them."""
    px = np.asarray(logo, dtype=np.uint8)
    opaque = px[..., 3] >= 128
    if not opaque.any() or background.shape[:2] != px.shape[:2]:
        return 1.0
    ink = luminance_array(px[..., :3])[opaque]
    bg = luminance_array(background)[opaque]
    hi, lo = np.maximum(ink, bg), np.minimum(ink, bg)
    return float(np.median((hi + 0.05) / (lo + 0.05)))


def choose(options: list[tuple[LogoArt, Image.Image, NDArray[np.uint8]]]) -> tuple[int, float]:
    """Which of (art, rendered logo, background under it) to use: its ``on`` matches the background's
    lightness ('any' always does) and, among those, its ink contrasts most. Returns (index, contrast)."""
    scored = []
    for i, (art, rendered, under) in enumerate(options):
        bg = float(luminance_array(under).mean()) if under.size else 1.0
        wanted = "dark" if bg < DARK_BELOW else "light"
        matches = art.on in (wanted, "any")
        value = ink_contrast(rendered, under)
        scored.append((value * (1.15 if matches else 1.0), value, -i))
    best = max(scored)
    return -best[2], best[1]


def place_logo(frame: Frame, box: Box, align: Literal["start", "centre", "end"]) -> None:
    """Paste the version that reads on the background under ``box`` (logical), aligned in it; if no
    version reaches 3:1 there, a soft backing scrim inside its clear space makes it. Records the element."""
    if not frame.logos:
        return
    x0, t, x1, b = frame.phys(box)
    side = {"start": "right" if frame.rtl else "left", "end": "left" if frame.rtl else "right"}.get(
        align, align
    )

    def left_of(width: int) -> int:
        return x0 if side == "left" else x1 - width if side == "right" else x0 + (x1 - x0 - width) // 2

    options = []
    for art in frame.logos:
        logo = art.rendered(b - t)
        x = left_of(logo.width)
        options.append((art, logo, frame.canvas[t:b, x : x + logo.width]))
    index, value = choose(options)
    art, logo, _ = options[index]
    x = left_of(logo.width)
    placed = (x, t, x + logo.width, b)
    clear = round(art.clear_space * logo.height)
    if value < LOGO_CONTRAST:
        value = _back(frame, art, logo, placed, clear)
    px = np.asarray(logo, dtype=np.float64)
    a = px[..., 3:4] / 255.0
    region = frame.canvas[t:b, x : x + logo.width].astype(np.float64)
    frame.canvas[t:b, x : x + logo.width] = np.rint(region * (1 - a) + px[..., :3] * a).astype(np.uint8)
    frame.elements.append(
        Element(
            kind="logo",
            box=placed,
            contrast=floor3(value),
            extra={
                "logo_id": art.id,
                "clear_space_px": clear,
                "on": art.on,
                "min_height_px": art.min_height_px,
            },
        )
    )


def _back(frame: Frame, art: LogoArt, logo: Image.Image, box: Box, clear: int) -> float:
    """A rounded backing scrim within the clear space, just strong enough for 3:1; returns the contrast."""
    pad = max(1, clear)
    back = frame.clip((box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad))
    colour = frame.dark() if art.ink_luminance > 0.4 else frame.light()
    template = Scrim(box=back, colour=colour, radius=pad)
    lo, hi = 0.0, 1.0
    for _ in range(8):
        mid = (lo + hi) / 2
        if (
            ink_contrast(logo, composite(frame.canvas, box, template.with_alpha(mid)))
            >= LOGO_CONTRAST * HEADROOM
        ):
            hi = mid
        else:
            lo = mid
    frame.paint_scrim(template.with_alpha(hi), "logo")
    return ink_contrast(logo, frame.canvas[box[1] : box[3], box[0] : box[2]])

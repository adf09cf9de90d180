"""Typographic: type-led, full-bleed, on a brand mesh — a very large headline carries the ad.

Over a photograph the background becomes a soft mesh of brand colours (dark on even seeds, light on odd);
a flat or smooth background (the visual engine's own gradient or mesh) is kept as it is.
- most shapes: logo top-start, a huge headline with body and CTA below it, centred vertically;
- skyscraper: everything centred; strips: logo, headline and button in one row.
"""

from __future__ import annotations

from assetline.engines.compose.arrange import StackSpec
from assetline.engines.compose.background import BUSY, busyness, mesh
from assetline.engines.compose.frame import Frame
from assetline.engines.compose.layouts.common import fit_stack, logo_slot, scrim_behind, strip, strip_scale

NAME = "typographic"


def paint_mesh(frame: Frame) -> None:
    """Replace a busy picture with a brand mesh; keep a smooth background."""
    if busyness(frame.canvas) < BUSY:
        return
    dark = frame.seed % 2 == 0
    base = frame.dark() if dark else frame.light()
    glows = [frame.colour("secondary", base), frame.colour("accent", base)]
    if not dark:
        glows = [frame.colour("neutral", base), frame.colour("accent", base)]
    image = mesh((frame.width, frame.height), base, glows, frame.seed)
    frame.paste(image, (0, 0, frame.width, frame.height))


def compose(frame: Frame) -> None:
    grid = frame.grid
    x0, t, r, b = frame.content
    paint_mesh(frame)
    if grid.is_strip:
        fitted, logo = strip(frame, frame.content, strip_scale(frame))
        if fitted is None:
            fitted, logo = strip(frame, frame.content, strip_scale(frame), protect=())
        if fitted is not None:
            frame.render(fitted, scrim_behind(frame, fitted.placement, "all", 0.0))
        if logo is not None:
            frame.place_logo(logo)
        return
    centre = grid.shape == "skyscraper"
    logo, claim = logo_slot(frame, frame.content, align="centre" if centre else "start")
    width = {"landscape": 0.78, "banner-wide": 0.72}.get(grid.shape, 1.0)
    steps = {"skyscraper": 4, "banner-wide": 4.5, "landscape": 6, "tall": 7.5}.get(grid.shape, 7.5)
    spec = StackSpec(
        (x0, t + claim, x0 + round((r - x0) * width), b),
        align="centre" if centre else "start",
        anchor="centre",
        max_lines={"headline": 5 if centre else 4, "body": 4 if centre else 3},
        measure={"headline": 1.0, "body": 1.0 if centre else 0.8},
        gap_scale=1.3,
    )
    fitted = fit_stack(frame, spec, frame.scale(steps, 0.5, 1))
    if fitted is not None:
        frame.render(fitted, scrim_behind(frame, fitted.placement, "all", 0.0))
    if logo is not None:
        frame.place_logo(logo, align="centre" if centre else "start")

"""Banner: a solid brand strip carrying logo + headline + CTA in one row (or one column).

- strips (728×90, 320×50, 320×100): the whole canvas is the strip;
- billboards (970×250, 1200×400): logo, then the copy stacked over its button; the picture at the end;
- skyscrapers (160×600, 300×600): one column — logo on top, copy, the button at the foot;
- every other shape: the picture above, a brand band across the bottom holding the row
  (a stacked band when the row does not fit the width).
The band is the brand's dark colour on even seeds and its light colour on odd ones.
"""

from __future__ import annotations

from assetline.engines.compose.arrange import StackSpec
from assetline.engines.compose.frame import Frame
from assetline.engines.compose.layouts.common import fit_stack, logo_slot, strip, strip_scale
from assetline.engines.compose.layouts.split import panel_colour, paste_picture

NAME = "banner"


def compose(frame: Frame) -> None:
    grid = frame.grid
    W, H = frame.width, frame.height
    x0, t, r, b = frame.content
    band = panel_colour(frame)
    if grid.is_strip:
        frame.fill((0, 0, W, H), band)
        fitted, logo = strip(frame, frame.content, strip_scale(frame))
        if fitted is None:
            fitted, logo = strip(frame, frame.content, strip_scale(frame), protect=())
        if fitted is not None:
            frame.render(fitted)
        if logo is not None:
            frame.place_logo(logo)
        return
    if grid.shape == "banner-wide":
        # Billboard: logo | copy stacked over its button, on the strip; the picture fills the end.
        edge = round(W * 0.7)
        frame.fill((0, 0, edge, H), band)
        paste_picture(frame, (edge, 0, W, H))
        logo, _ = logo_slot(frame, (x0, t, edge, b), vertical="centre", max_width=round(edge * 0.2))
        start = x0 if logo is None else logo[2] + max(grid.margin_x, frame.clear_space(logo[3] - logo[1]))
        spec = StackSpec(
            (start, t, edge - grid.margin_x, b), anchor="centre", max_lines={"headline": 2, "body": 2}
        )
        fitted = fit_stack(frame, spec, frame.scale(4, 0, 0.5))
        if fitted is not None:
            frame.render(fitted)
        if logo is not None:
            frame.place_logo(logo)
        return
    if grid.shape == "skyscraper":
        # One column: the brand strip on top (logo, copy, button), the picture below it.
        edge = round(H * 0.62)
        frame.fill((0, 0, W, edge), band)
        paste_picture(frame, (0, edge, W, H))
        logo, claim = logo_slot(frame, (x0, t, r, edge - grid.margin_y), align="centre")
        spec = StackSpec(
            (x0, t + claim, r, edge - grid.margin_y),
            align="centre",
            anchor="centre",
            max_lines={"headline": 5, "body": 4},
            measure={"headline": 1.0, "body": 1.0},
        )
        fitted = fit_stack(frame, spec, frame.scale(3.5, 0, 0.5))
        if fitted is not None:
            frame.render(fitted)
        if logo is not None:
            frame.place_logo(logo, align="centre")
        return
    # The picture full-bleed with the logo on it; a brand band across the bottom carries copy and button.
    logo, _ = logo_slot(frame, frame.content)
    share = {"landscape": 0.34, "square": 0.26, "portrait": 0.24}.get(grid.shape, 0.22)
    band_h = round((b - t) * share)
    fitted = None
    if grid.shape in ("square", "landscape"):
        fitted, _ = strip(
            frame, (x0, b - band_h, r, b), frame.scale(4, 0, 0.75), with_logo=False, protect=("cta", "body")
        )
    if fitted is None:
        # Too narrow for one row: a taller band with the copy stacked.
        band_h = round((b - t) * 0.4)
        spec = StackSpec((x0, b - band_h, r, b), anchor="bottom", max_lines={"headline": 3, "body": 2})
        fitted = fit_stack(frame, spec, frame.scale(4.5, 0, 0.5))
    if fitted is not None:
        top = min(b - band_h, fitted.placement.bounds()[1]) - grid.margin_y
        frame.fill((0, top, W, H), band)
        frame.render(fitted)
    if logo is not None:
        frame.place_logo(logo)

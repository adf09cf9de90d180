"""Hero: the picture full-bleed, a gradient scrim from the copy's edge, headline, body, CTA and logo.

- square, portrait, tall: logo top-start; copy bottom-start on ~85 % of the width; scrim rising from the foot;
- landscape, billboard: logo top-start; copy in the start ~55 %; scrim from the start edge;
- skyscraper: logo top, centred; copy centred at the bottom; scrim rises from the bottom;
- strips (728×90, 320×50): logo, headline and button in one row over a scrim from the start edge.
"""

from __future__ import annotations

from assetline.engines.compose.arrange import StackSpec
from assetline.engines.compose.frame import Frame
from assetline.engines.compose.layouts.common import (
    fit_stack,
    logo_slot,
    photo_alpha,
    scrim_behind,
    strip,
    strip_scale,
)

NAME = "hero"


def compose(frame: Frame) -> None:
    grid = frame.grid
    x0, t, r, b = frame.content
    w = r - x0
    mood = photo_alpha(frame, (0, 0, frame.width, frame.height))
    if frame.request.background_meta.get("style") == "photo":
        # The full-bleed photo is a picture, not a designed fill: QC's palette check leaves it out.
        frame.record_subject((0, 0, frame.width, frame.height), role="picture")
    if grid.is_strip:
        fitted, logo = strip(frame, frame.content, strip_scale(frame))
        if fitted is None:
            fitted, logo = strip(frame, frame.content, strip_scale(frame), protect=())
        if fitted is not None:
            frame.render(fitted, scrim_behind(frame, fitted.placement, "all", mood))
        if logo is not None:
            frame.place_logo(logo)
        return
    if grid.shape == "skyscraper":
        logo, claim = logo_slot(frame, frame.content, align="centre")
        spec = StackSpec(
            (x0, t + claim, r, b),
            align="centre",
            anchor="bottom",
            max_lines={"headline": 4, "body": 4},
            measure={"headline": 1.0, "body": 1.0},
        )
        scale = frame.scale(3, 0, 0.5)
        side = "bottom"
    elif grid.shape in ("landscape", "banner-wide"):
        logo, claim = logo_slot(frame, frame.content)
        share = 0.55 if grid.shape == "landscape" else 0.5
        spec = StackSpec(
            (x0, t + claim, x0 + round(w * share), b), anchor="bottom", max_lines={"headline": 3, "body": 2}
        )
        scale = frame.scale(4.5, 0, 0.5)
        side = "start"
    else:
        logo, claim = logo_slot(frame, frame.content)
        spec = StackSpec(
            (x0, t + claim, x0 + round(w * 0.86), b),
            anchor="bottom",
            max_lines={"headline": 3, "body": 3},
            measure={"headline": 1.0, "body": 0.85},
        )
        scale = frame.scale(5, 0, 0.5)
        side = "bottom"
    fitted = fit_stack(frame, spec, scale)
    if fitted is not None:
        frame.render(fitted, scrim_behind(frame, fitted.placement, side, mood))  # type: ignore[arg-type]
    if logo is not None:
        frame.place_logo(logo, align="centre" if grid.shape == "skyscraper" else "start")

"""Split: the picture on one side, a solid brand panel with the copy on the other.

- landscape, square, billboard: picture at the start side, panel at the end (mirrored for RTL);
- portrait, tall, skyscraper: picture on top, panel below (its copy kept above bottom safe zones);
- strips (728×90, 320×50): a picture thumbnail at the start, then logo, headline and button in one row.
The panel is the brand's dark colour on even seeds and its light colour on odd ones.
"""

from __future__ import annotations

from assetline.engines.base import Box
from assetline.engines.compose.arrange import StackSpec
from assetline.engines.compose.background import cover, subject_box
from assetline.engines.compose.frame import Frame
from assetline.engines.compose.layouts.common import fit_stack, logo_above, logo_slot, strip, strip_scale

NAME = "split"


def focus_of(frame: Frame) -> tuple[float, float]:
    """The subject's centre as fractions of the background (the centre when unknown)."""
    box = subject_box(frame.request.background_meta, frame.request.background)
    if box is None:
        return 0.5, 0.5
    return (box[0] + box[2]) / 2 / frame.width, (box[1] + box[3]) / 2 / frame.height


def paste_picture(frame: Frame, box: Box) -> None:
    """The background cover-cropped into ``box`` (logical), centred on its subject."""
    x0, t, r, b = box
    if r - x0 <= 0 or b - t <= 0:
        return
    picture = cover(frame.request.background.convert("RGB"), (r - x0, b - t), focus_of(frame))
    frame.paste(picture, box)
    frame.record_subject(box, role="picture")


def panel_colour(frame: Frame) -> tuple[int, int, int]:
    return frame.dark() if frame.seed % 2 == 0 else frame.light()


def compose(frame: Frame) -> None:
    grid = frame.grid
    W, H = frame.width, frame.height
    x0, t, r, b = frame.content
    panel = panel_colour(frame)
    if grid.is_strip:
        thumb = round(min(H * 1.5, W * 0.26))
        fitted, logo = strip(frame, (thumb + grid.margin_x, t, r, b), strip_scale(frame))
        if fitted is None:  # no room for the thumbnail: the copy and the CTA come first
            thumb = 0
            fitted, logo = strip(frame, frame.content, strip_scale(frame))
            if fitted is None:
                thumb = round(min(H * 1.5, W * 0.26))
                fitted, logo = strip(frame, (thumb + grid.margin_x, t, r, b), strip_scale(frame), protect=())
        frame.fill((thumb, 0, W, H), panel)
        if thumb:
            paste_picture(frame, (0, 0, thumb, H))
        else:
            frame.warn(f"picture left out: no room beside the copy at {frame.where}")
        if fitted is not None:
            frame.render(fitted)
        if logo is not None:
            frame.place_logo(logo)
        return
    if grid.shape in ("landscape", "square", "banner-wide"):
        share = {"landscape": 0.48, "square": 0.46, "banner-wide": 0.36}[grid.shape]
        edge = round(W * share)
        paste_picture(frame, (0, 0, edge, H))
        frame.fill((edge, 0, W, H), panel)
        region = (edge + grid.margin_x, t, r, b)
        logo, claim = logo_slot(frame, region)
        anchor = "centre" if grid.shape != "banner-wide" else "bottom"
        spec = StackSpec(
            (region[0], t + claim, r, b),
            anchor=anchor,  # type: ignore[arg-type]
            max_lines={"headline": 4, "body": 3},
            measure={"headline": 1.0, "body": 1.0},
        )
        steps = {"landscape": 4, "square": 4, "banner-wide": 3}[grid.shape]
        fitted = fit_stack(frame, spec, frame.scale(steps, 0, 0.5))
    else:
        share = {"portrait": 0.52, "tall": 0.5, "skyscraper": 0.36}[grid.shape]
        edge = max(round(H * share) if grid.shape != "tall" else 0, 0)
        if grid.shape == "tall":
            # The copy needs ~45 % of the *content* height, above any bottom safe zone.
            edge = round(b - (b - t) * 0.5) - grid.margin_y
        paste_picture(frame, (0, 0, W, edge))
        frame.fill((0, edge, W, H), panel)
        region = (x0, max(t, edge + grid.margin_y), r, b)
        centre = grid.shape == "skyscraper"
        logo, claim = logo_slot(frame, region, align="centre" if centre else "start")
        spec = StackSpec(
            (x0, region[1] + claim, r, b),
            align="centre" if centre else "start",
            anchor="centre",
            max_lines={"headline": 4 if centre else 3, "body": 4 if centre else 3},
            measure={"headline": 1.0, "body": 1.0 if centre else 0.9},
        )
        fitted = fit_stack(frame, spec, frame.scale(3 if centre else 4.5, 0, 0.5))
        if fitted is not None and logo is not None:
            logo = logo_above(frame, logo, fitted.placement)
    if fitted is not None:
        frame.render(fitted)
    if logo is not None:
        frame.place_logo(logo, align="centre" if grid.shape == "skyscraper" else "start")

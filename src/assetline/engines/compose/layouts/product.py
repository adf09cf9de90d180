"""Product: the product (the visual's subject) stays the hero; the copy goes where it is not.

- when the subject leaves a free band (above, below or beside it) big enough for the copy, the picture stays
  full-bleed and the copy sits in that band (a scrim only if contrast needs one);
- otherwise the product is staged: a light brand ground, the picture as a rounded card at the end side
  (landscape, square, billboard) or at the bottom (portrait, tall, skyscraper), the copy beside or above
  (a legal line goes under the card there, at the foot of the ad);
- strips: logo, headline and button in a row, with a product thumbnail at the end when there is room.
The subject box comes from the visual engine's metadata when present, else from the pixels.
"""

from __future__ import annotations

from assetline.engines.base import Box
from assetline.engines.compose.arrange import StackSpec
from assetline.engines.compose.background import cover, subject_box
from assetline.engines.compose.fit import Fitted
from assetline.engines.compose.frame import Frame, ScrimPlan
from assetline.engines.compose.layouts.common import fit_stack, logo_slot, strip, strip_scale
from assetline.engines.compose.layouts.split import focus_of
from assetline.engines.compose.scrim import rounded_mask

NAME = "product"


def _in_place(frame: Frame, subject: Box, claim: int) -> tuple[Fitted, Box] | None:  # type: ignore[type-arg]
    """Fit the copy into the largest free band around the subject (logical boxes)."""
    grid = frame.grid
    x0, t, r, b = frame.content
    sl, st, sr, sb = frame.phys(subject)
    gap = grid.unit * 3
    cw, ch = r - x0, b - t
    bands = [
        ((x0, t + claim, r, st - gap), (b - t) * 0.3 <= st - gap - t - claim),
        ((x0, sb + gap, r, b), (b - sb - gap) >= ch * 0.3),
        ((x0, t + claim, sl - gap, b), (sl - gap - x0) >= cw * 0.38),
        ((sr + gap, t + claim, r, b), (r - sr - gap) >= cw * 0.38),
    ]
    usable = [box for box, ok in bands if ok]
    usable.sort(key=lambda bx: -(bx[2] - bx[0]) * (bx[3] - bx[1]))
    for band in usable[:2]:
        spec = StackSpec(band, anchor="centre", max_lines={"headline": 3, "body": 3})
        scale = frame.scale(4.5 if grid.shape != "skyscraper" else 3, 0, 0.5)
        fitted = fit_stack(frame, spec, scale)
        if fitted is not None and fitted.sizes["headline"] >= 0.6 * scale.targets["headline"]:
            return fitted, band
    return None


def _stage(frame: Frame, claim: int) -> Fitted | None:  # type: ignore[type-arg]
    grid = frame.grid
    W, H = frame.width, frame.height
    x0, t, r, b = frame.content
    ground = frame.light() if frame.seed % 2 == 0 else frame.dark()
    frame.fill((0, 0, W, H), ground)
    radius = grid.unit * 3
    foot = None
    if grid.shape in ("landscape", "square", "banner-wide"):
        edge = x0 + round((r - x0) * (0.5 if grid.shape == "square" else 0.55))
        card = (edge, t, r, b) if grid.shape != "banner-wide" else (edge, 0, W, H)
        text = (x0, t + claim, edge - grid.margin_x, b)
        anchor = "centre"
    else:
        share = {"skyscraper": 0.5}.get(grid.shape, 0.44)
        edge = t + claim + round((b - t - claim) * share)
        card = (x0, edge, r, b if grid.shape != "tall" else H - grid.margin_y)
        text = (x0, t + claim, r, edge - grid.margin_y)
        anchor = "top" if grid.shape != "skyscraper" else "centre"
        room = frame.legal_room(r - x0)
        if room:  # the legal line at the foot of the ad, under the card
            card, foot = (x0, edge, r, b - room), (x0, t, r, b)
    cl, ct, cr, cb = card
    picture = cover(frame.request.background.convert("RGB"), (cr - cl, cb - ct), focus_of(frame))
    full_bleed = grid.shape == "banner-wide"
    frame.paste(picture, card, None if full_bleed else rounded_mask(cr - cl, cb - ct, radius))
    frame.record_subject(card, role="product-card")
    centre = grid.shape == "skyscraper"
    spec = StackSpec(
        text,
        align="centre" if centre else "start",
        anchor=anchor,  # type: ignore[arg-type]
        max_lines={"headline": 4, "body": 3},
        measure={"headline": 1.0, "body": 1.0 if centre else 0.9},
        foot=foot,
    )
    return fit_stack(frame, spec, frame.scale(3 if centre else 4.5, 0, 0.5))


def compose(frame: Frame) -> None:
    grid = frame.grid
    W, H = frame.width, frame.height
    x0, t, _, b = frame.content
    if grid.is_strip:
        frame.fill((0, 0, W, H), frame.light() if frame.seed % 2 == 0 else frame.dark())
        thumb = round(min(H * 1.5, W * 0.24))
        fitted, logo = strip(frame, (x0, t, W - thumb - grid.margin_x, b), strip_scale(frame))
        if fitted is None:
            thumb = 0
            fitted, logo = strip(frame, frame.content, strip_scale(frame), protect=())
            frame.warn(f"product thumbnail left out: no room beside the copy at {frame.where}")
        if thumb:
            picture = cover(frame.request.background.convert("RGB"), (thumb, H), focus_of(frame))
            frame.paste(picture, (W - thumb, 0, W, H))
            frame.record_subject((W - thumb, 0, W, H), role="product-thumbnail")
        if fitted is not None:
            frame.render(fitted)
        if logo is not None:
            frame.place_logo(logo)
        return
    centre = grid.shape == "skyscraper"
    logo, claim = logo_slot(frame, frame.content, align="centre" if centre else "start")
    subject = subject_box(frame.request.background_meta, frame.request.background)
    placed = _in_place(frame, subject, claim) if subject is not None else None
    if placed is not None:
        fitted, band = placed
        frame.record_subject(frame.phys(subject), role="subject")  # type: ignore[arg-type]
        frame.render(fitted, ScrimPlan(band, radius=grid.unit * 3))
    else:
        staged = _stage(frame, claim)
        if staged is not None:
            frame.render(staged)
    if logo is not None:
        frame.place_logo(logo, align="centre" if centre else "start")

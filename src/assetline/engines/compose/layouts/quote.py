"""Quote: a testimonial — the headline as a large quotation, the body as its attribution, on a clean panel.

The picture appears as a round portrait (an 'avatar', centred on the subject):
- square, portrait, tall: logo top-start, portrait top-end, quotation below, CTA under the attribution;
- landscape, billboard: a large portrait at the start side, the quotation beside it;
- skyscraper: one centred column; strips: portrait, quotation and button in one row.
The panel is the brand's light colour on even seeds and its dark colour on odd ones.
"""

from __future__ import annotations

from assetline.engines.base import Box
from assetline.engines.compose.arrange import StackSpec
from assetline.engines.compose.background import cover, subject_box
from assetline.engines.compose.frame import Frame
from assetline.engines.compose.layouts.common import fit_stack, logo_slot, strip, strip_scale
from assetline.engines.compose.scrim import rounded_mask

NAME = "quote"


def avatar(frame: Frame, box: Box) -> None:
    """A round portrait in ``box`` (logical, square), framed by a thin accent ring."""
    x0, t, r, b = box
    d = min(r - x0, b - t)
    if d < 8:
        return
    ring = max(1, round(d * 0.03))
    frame.fill((x0, t, x0 + d, t + d), frame.colour("accent", frame.dark()), radius=d // 2)
    inner = d - 2 * ring
    src = frame.request.background.convert("RGB")
    sub = subject_box(frame.request.background_meta, src)
    if sub is None:
        focus = (0.5, 0.5)
    else:  # faces sit in the upper part of a subject
        focus = ((sub[0] + sub[2]) / 2 / src.width, (sub[1] + (sub[3] - sub[1]) * 0.35) / src.height)
    side = min(src.width, src.height)
    crop = cover(src, (side, side), focus).resize((inner, inner))
    frame.paste(
        crop,
        (x0 + ring, t + ring, x0 + ring + inner, t + ring + inner),
        rounded_mask(inner, inner, inner // 2),
    )
    frame.record_subject((x0, t, x0 + d, t + d), role="avatar")


def compose(frame: Frame) -> None:
    grid = frame.grid
    W, H = frame.width, frame.height
    x0, t, r, b = frame.content
    frame.fill((0, 0, W, H), frame.light() if frame.seed % 2 == 0 else frame.dark())
    scale = frame.scale(5.5, 0, 0.5)
    if grid.is_strip:
        d = b - t
        gap = grid.unit * 3 + grid.margin_x // 2
        fitted, logo = strip(frame, (x0 + d + gap, t, r, b), strip_scale(frame))
        if fitted is None:
            d = 0
            fitted, logo = strip(frame, frame.content, strip_scale(frame), protect=())
        if d:
            avatar(frame, (x0, t, x0 + d, t + d))
        if fitted is not None:
            frame.render(fitted)
        if logo is not None:
            frame.place_logo(logo)
        return
    if grid.shape in ("landscape", "banner-wide"):
        d = min(b - t, round((r - x0) * 0.3))
        avatar(frame, (x0, t + (b - t - d) // 2, x0 + d, t + (b - t - d) // 2 + d))
        column = (x0 + d + grid.margin_x * 2, t, r, b)
        logo, claim = logo_slot(frame, column)
        spec = StackSpec((column[0], t + claim, r, b), anchor="centre", max_lines={"headline": 4, "body": 2})
        fitted = fit_stack(frame, spec, frame.scale(4 if grid.shape == "landscape" else 3, 0, 0.5))
        align = "start"
    elif grid.shape == "skyscraper":
        logo, claim = logo_slot(frame, frame.content, align="centre")
        d = round((r - x0) * 0.6)
        top = t + claim + grid.unit * 2
        avatar(frame, (x0 + (r - x0 - d) // 2, top, x0 + (r - x0 - d) // 2 + d, top + d))
        spec = StackSpec(
            (x0, top + d + grid.margin_y, r, b),
            align="centre",
            anchor="centre",
            max_lines={"headline": 6, "body": 3},
            measure={"headline": 1.0, "body": 1.0},
        )
        fitted = fit_stack(frame, spec, frame.scale(3, 0, 0.5))
        align = "centre"
    else:
        logo, claim = logo_slot(frame, frame.content)
        d = round(min(r - x0, b - t) * 0.2)
        avatar(frame, (r - d, t, r, t + d))
        spec = StackSpec(
            (x0, t + max(claim, d) + grid.margin_y, r, b),
            anchor="centre",
            max_lines={"headline": 5, "body": 2},
            measure={"headline": 0.95, "body": 0.9},
        )
        fitted = fit_stack(frame, spec, scale)
        align = "start"
    if fitted is not None:
        frame.render(fitted)
    if logo is not None:
        frame.place_logo(logo, align=align)  # type: ignore[arg-type]

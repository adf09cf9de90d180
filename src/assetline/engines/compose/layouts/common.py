"""Building blocks the layouts share: a logo slot, a fitted stack, a fitted strip row, scrim placement."""

from __future__ import annotations

from typing import Literal

from assetline.engines.base import Box
from assetline.engines.compose.arrange import Arrangement, StackSpec, row, stack
from assetline.engines.compose.background import BUSY, busyness
from assetline.engines.compose.fit import Fitted, TypeScale
from assetline.engines.compose.frame import Frame, ScrimPlan


def logo_slot(
    frame: Frame,
    region: Box,
    align: Literal["start", "centre", "end"] = "start",
    vertical: Literal["top", "bottom", "centre"] = "top",
    max_height: int | None = None,
    max_width: int | None = None,
) -> tuple[Box | None, int]:
    """A logo box inside ``region`` (logical) and the space it claims along the vertical axis
    (logo height + clear space); (None, 0) when the brand has no logo."""
    x0, t, r, b = region
    available = min(b - t, max_height if max_height is not None else b - t)
    height = frame.logo_height(available, max_width)
    if height is None:
        return None, 0
    width = min(frame.logo_width(height), r - x0)
    if align == "start":
        x = x0
    elif align == "end":
        x = r - width
    else:
        x = x0 + (r - x0 - width) // 2
    if vertical == "top":
        y = t
    elif vertical == "bottom":
        y = b - height
    else:
        y = t + (b - t - height) // 2
    claim = height + max(frame.clear_space(height), frame.grid.unit * 2, round(height * 0.8))
    return (x, y, x + width, y + height), claim


def logo_above(frame: Frame, logo: Box, arrangement: Arrangement) -> Box:
    """``logo`` moved down to sit just above the copy (keeping its clear space), when the copy was centred
    lower in its region: logo and copy then read as one group."""
    x0, t, x1, b = logo
    height = b - t
    gap = max(frame.clear_space(height), frame.grid.unit * 2, round(height * 0.8))
    first = min(slot.top for slot in arrangement.texts) if arrangement.texts else t
    bottom = first - gap
    return (x0, bottom - height, x1, bottom) if bottom - height > t else logo


def strip_scale(frame: Frame, region: Box | None = None) -> TypeScale:
    """Type sizes for a one-row strip, from its height (the area-based scale is too small there)."""
    _, t, _, b = region or frame.content
    height = b - t
    grid = frame.grid
    mins = {role: grid.min_px(role) for role in ("headline", "body", "cta")}
    targets = {"headline": round(height * 0.42), "body": round(height * 0.2), "cta": round(height * 0.21)}
    return TypeScale({k: max(v, mins[k]) for k, v in targets.items()}, mins, grid.ratio)


def fit_stack(frame: Frame, spec: StackSpec, scale: TypeScale) -> Fitted[Arrangement] | None:
    """The copy stacked in ``spec.region``, the legal line (if any) at the region's foot."""
    return frame.fit(
        lambda texts, sizes, legal: stack(frame.book, frame.grid, spec, texts, sizes, legal), scale
    )


def fit_row(
    frame: Frame,
    region: Box,
    scale: TypeScale,
    text_align: Literal["start", "centre"] = "start",
    protect: tuple[str, ...] = (),
) -> Fitted[Arrangement] | None:
    return frame.fit(
        lambda texts, sizes, legal: row(frame.book, frame.grid, region, texts, sizes, text_align, legal),
        scale,
        protect,
    )


def strip(
    frame: Frame, region: Box, scale: TypeScale, with_logo: bool = True, protect: tuple[str, ...] = ("cta",)
) -> tuple[Fitted[Arrangement] | None, Box | None]:
    """One row: logo at the start, text, button at the end (728×90, 320×50 and the like).

    With ``protect`` (the default keeps the CTA) the row returns (None, None) rather than dropping those
    roles, so the caller can make room first; call again with ``protect=()`` to allow dropping."""
    x0, t, r, b = region
    logo = None
    text_region = region
    if with_logo:
        logo, _ = logo_slot(frame, region, align="start", vertical="centre", max_width=round((r - x0) * 0.22))
        if logo is not None:
            gap = max(
                frame.clear_space(logo[3] - logo[1]), frame.grid.unit * 3, round(frame.grid.margin_x * 0.8)
            )
            text_region = (logo[2] + gap, t, r, b)
    fitted = fit_row(frame, text_region, scale, protect=protect)
    if fitted is None:
        return None, None
    return fitted, logo


def scrim_behind(
    frame: Frame,
    arrangement: Arrangement,
    side: Literal["top", "bottom", "start", "end", "all"],
    base_alpha: float,
    extent: float = 0.6,
) -> ScrimPlan:
    """A gradient scrim from the canvas edge on ``side`` across the text, fading out ``extent`` × the text
    depth beyond it."""
    x0, t, r, b = arrangement.bounds()
    pad = frame.grid.unit * 3
    w, h = frame.width, frame.height
    if side == "bottom":
        top = max(0, round(t - pad - extent * (b - t + pad)))
        feather = (t - pad - top) / max(1, h - top)
        return ScrimPlan((0, top, w, h), fade="top", feather=max(0.05, feather), base_alpha=base_alpha)
    if side == "top":
        bottom = min(h, round(b + pad + extent * (b - t + pad)))
        feather = (bottom - b - pad) / max(1, bottom)
        return ScrimPlan((0, 0, w, bottom), fade="bottom", feather=max(0.05, feather), base_alpha=base_alpha)
    if side == "start":
        right = min(w, round(r + pad + extent * (r - x0 + pad)))
        feather = (right - r - pad) / max(1, right)
        return ScrimPlan((0, 0, right, h), fade="right", feather=max(0.05, feather), base_alpha=base_alpha)
    if side == "end":
        left = max(0, round(x0 - pad - extent * (r - x0 + pad)))
        feather = (x0 - pad - left) / max(1, w - left)
        return ScrimPlan((left, 0, w, h), fade="left", feather=max(0.05, feather), base_alpha=base_alpha)
    return ScrimPlan((0, 0, w, h), base_alpha=base_alpha)


def photo_alpha(frame: Frame, box: Box) -> float:
    """A mood scrim's starting alpha: none over flat colour or gradients, 0.3–0.45 over photographs."""
    x0, t, r, b = frame.phys(box)
    value = busyness(frame.canvas[max(0, t) : b, max(0, x0) : r])
    return 0.0 if value < BUSY else min(0.45, 0.3 + value)

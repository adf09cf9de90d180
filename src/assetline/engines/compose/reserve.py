"""Reserved areas: where the composer will set a cell's copy, CTA, legal line and logo, known before the
background exists, so that a generative visual engine can keep those areas calm (``uses_layout`` engines).

The composer is deterministic, so composing the cell's real copy over a flat plate of the brand's background
colour gives the boxes it will use; the layout it chose is returned too, and the compose step reuses it (see
run/steps.py), so the final ad is laid out for the background that was generated for it. Over a generated
background the composer may still nudge text by a few pixels (contrast scrims, subject avoidance): the boxes are
padded for that.

Boxes are returned in the *background's* coordinates. Layouts that show the background full-frame (hero) keep
them as they are; layouts that cover-crop it into a picture box (split, product card, quote avatar) keep only the
boxes that overlap the picture, mapped through that crop — type set on a solid panel needs nothing calm behind it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

from assetline.engines.base import Box, ComposeRequest, CopyResult
from assetline.spec.brand import BrandKit
from assetline.spec.formats import ChannelFormat

RESERVED_KINDS = frozenset({"headline", "body", "cta", "button", "legal", "logo"})
PICTURE_ROLES = ("picture", "product-card", "product-thumbnail", "avatar")
"""``subject`` elements whose box shows the background (cover-cropped into it)."""
PAD_FRACTION = 0.02
"""Padding around every box, as a fraction of the format's shorter side (at least ``PAD_MIN`` pixels)."""
PAD_MIN = 4


@dataclass(frozen=True)
class Reservation:
    layout: str
    boxes: tuple[Box, ...]


def plate_colour(kit: BrandKit) -> str:
    """The flat colour the preview composes on: the kit's background colour, else its first colour."""
    colour = kit.colour("background") or kit.palette[0]
    return colour.hex


def reserve(composer: Any, kit: BrandKit, fmt: ChannelFormat, copy: CopyResult, layout: str | None,
            fonts: dict[str, Path], logos: dict[str, Path], legal: tuple[str, ...], seed: int) -> Reservation:
    """Compose ``copy`` over a flat plate with ``composer`` and return its layout and padded element boxes."""
    plate = Image.new("RGB", (fmt.width, fmt.height), plate_colour(kit))
    result = composer.compose(ComposeRequest(
        brand=kit, format=fmt, copy=copy, background=plate, background_meta={}, layout=layout, fonts=fonts,
        logos=logos, seed=seed, legal=legal))
    pad = max(PAD_MIN, round(min(fmt.width, fmt.height) * PAD_FRACTION))
    boxes = [_pad(e.box, pad, fmt.width, fmt.height) for e in result.elements if e.kind in RESERVED_KINDS]
    picture = next((e.box for e in result.elements
                    if e.kind == "subject" and e.extra.get("role") in PICTURE_ROLES), None)
    if picture is not None:
        boxes = [m for b in boxes if (m := _into_background(b, picture, fmt.width, fmt.height)) is not None]
    return Reservation(str(result.layout), tuple(boxes))


def _into_background(box: Box, picture: Box, width: int, height: int) -> Box | None:
    """``box`` (frame pixels) in the coordinates of a ``width`` × ``height`` background that is cover-cropped,
    centred, into ``picture``; None when the box does not overlap the picture."""
    px0, py0, px1, py1 = picture
    left, top, right, bottom = max(box[0], px0), max(box[1], py0), min(box[2], px1), min(box[3], py1)
    if right <= left or bottom <= top:
        return None
    scale = max((px1 - px0) / width, (py1 - py0) / height)
    crop_x = (width - (px1 - px0) / scale) / 2
    crop_y = (height - (py1 - py0) / scale) / 2

    def at(x: int, y: int) -> tuple[int, int]:
        return round(crop_x + (x - px0) / scale), round(crop_y + (y - py0) / scale)

    (x0, y0), (x1, y1) = at(left, top), at(right, bottom)
    return (max(0, x0), max(0, y0), min(width, x1), min(height, y1))


def _pad(box: Box, pad: int, width: int, height: int) -> Box:
    left, top, right, bottom = box
    return (max(0, left - pad), max(0, top - pad), min(width, right + pad), min(height, bottom + pad))

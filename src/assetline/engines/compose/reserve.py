"""Reserved areas: where the composer will set a cell's copy, CTA, legal line and logo, known before the
background exists, so that a generative visual engine can keep those areas calm (``uses_layout`` engines).

The composer is deterministic, so composing the cell's real copy over a flat plate of the brand's background
colour gives the boxes it will use; the layout it chose is returned too, and the compose step reuses it (see
run/steps.py), so the final ad is laid out for the background that was generated for it. Over a generated
background the composer may still nudge text by a few pixels (contrast scrims, subject avoidance): the boxes are
padded for that.
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
    boxes = tuple(_pad(e.box, pad, fmt.width, fmt.height) for e in result.elements if e.kind in RESERVED_KINDS)
    return Reservation(str(result.layout), boxes)


def _pad(box: Box, pad: int, width: int, height: int) -> Box:
    left, top, right, bottom = box
    return (max(0, left - pad), max(0, top - pad), min(width, right + pad), min(height, bottom + pad))

"""The layout grid of a format: shape, margins, safe content box, baseline unit and modular type scale.

Every distance a layout uses comes from here, so the same layout code scales from 320×50 to 1080×1920:

- ``shape`` classifies the aspect ratio (a 160×600 skyscraper and a 728×90 strip need different layouts);
- ``margin`` is a fraction of the short side with a pixel minimum; safe zones (platform UI on Stories, Reels,
  TikTok) are subtracted on top, with a small gutter, giving ``content``: the box text, logo and CTA live in;
- ``unit`` is the baseline unit spacings snap to;
- ``px(step)`` is the modular type scale (ratio = brand ``typography.scale``) anchored to the format's area:
  step 0 is body text, step 4–6 a headline.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from assetline.engines.base import Box
from assetline.spec.formats import ChannelFormat

Shape = Literal["banner-wide", "landscape", "square", "portrait", "tall", "skyscraper"]
SHAPES: tuple[Shape, ...] = ("banner-wide", "landscape", "square", "portrait", "tall", "skyscraper")

STRIP_MAX_HEIGHT = 120
"""Banner-wide formats at most this tall (728×90, 320×50, 320×100) hold a single row of content."""


def classify(width: int, height: int) -> Shape:
    """The shape of a ``width`` × ``height`` format, from its aspect ratio (and size, for half pages)."""
    aspect = width / height
    if aspect >= 2.5:
        return "banner-wide"  # 728×90, 320×50, 970×250, 320×100, 1200×400
    if aspect >= 1.4:
        return "landscape"  # 1.91:1, 16:9, 2:1
    if aspect >= 0.85:
        return "square"  # 1:1, 300×250, 336×280
    if aspect >= 0.62:
        return "portrait"  # 4:5, 2:3
    if aspect < 0.45 or min(width, height) < 480:
        return "skyscraper"  # 160×600, 300×600
    return "tall"  # 9:16


@dataclass(frozen=True)
class Grid:
    width: int
    height: int
    shape: Shape
    margin_x: int
    margin_y: int
    content: Box
    """Physical (left, top, right, bottom) box for text, logo and CTA: margins and safe zones removed."""
    unit: int
    """Baseline unit: vertical spacings are multiples of it."""
    base_px: float
    """Body text size (type-scale step 0) before fitting."""
    ratio: float
    """Modular type-scale ratio (brand typography.scale)."""

    @property
    def short(self) -> int:
        return min(self.width, self.height)

    @property
    def is_strip(self) -> bool:
        """A banner-wide format too short for anything but one row (728×90, 320×50, 320×100)."""
        return self.shape == "banner-wide" and self.height <= STRIP_MAX_HEIGHT

    def px(self, step: float) -> int:
        """Font size of type-scale ``step`` (0 = body)."""
        return max(1, round(float(self.base_px * self.ratio**step)))

    def min_px(self, role: str) -> int:
        """The smallest legible size for ``role``: 9 px on small banners, larger on big formats."""
        if role == "headline":
            return max(11, round(self.base_px * self.ratio))
        return max(9, round(self.base_px * 0.6))

    def snap(self, value: float) -> int:
        """``value`` rounded to the baseline unit (never below one unit)."""
        return max(self.unit, round(value / self.unit) * self.unit)

    def logical_content(self, rtl: bool) -> Box:
        """The content box in layout (logical) coordinates: mirrored horizontally for right-to-left copy."""
        left, top, right, bottom = self.content
        if rtl:
            return self.width - right, top, self.width - left, bottom
        return self.content


def make_grid(fmt: ChannelFormat, ratio: float) -> Grid:
    """The grid for ``fmt`` with type-scale ``ratio``."""
    width, height = fmt.width, fmt.height
    shape = classify(width, height)
    short = min(width, height)
    if shape == "banner-wide" and height <= STRIP_MAX_HEIGHT:
        margin_y = max(4, round(height * 0.12))
        margin_x = max(8, round(height * 0.24))
    else:
        margin_y = max(8, round(short * 0.065))
        margin_x = round(margin_y * 1.5) if shape == "banner-wide" else margin_y
    unit = max(2, round(short / 120))
    safe = fmt.safe_zone

    def inset(margin: int, safe_px: int) -> int:
        return max(margin, safe_px + 2 * unit) if safe_px > 0 else margin

    content = (
        inset(margin_x, safe.left),
        inset(margin_y, safe.top),
        width - inset(margin_x, safe.right),
        height - inset(margin_y, safe.bottom),
    )
    base_px = max(9.0, 0.024 * math.sqrt(width * height) + 4.0)
    return Grid(
        width=width,
        height=height,
        shape=shape,
        margin_x=margin_x,
        margin_y=margin_y,
        content=content,
        unit=unit,
        base_px=base_px,
        ratio=ratio,
    )

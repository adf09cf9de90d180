"""The legal line: the brand's required disclaimers, set small and quiet at the foot of the copy.

Rule (every layout, every format):

- the text is the request's ``legal`` disclaimers joined into one paragraph, in the body font (or the
  script font its own letters need: an English disclaimer on Arabic copy stays Latin and left-to-right),
  at the grid's smallest legible size ``grid.min_px('body')`` — 9 px on small banners, ~18 px on
  1080×1080, ~23 px on 1080×1920 — never smaller;
- it is pinned to the bottom of the region the layout gives its copy (inside the content box, so inside
  margins and safe zones), on the copy's column and alignment, in at most ``MAX_LINES`` balanced lines (one
  more per further disclaimer); the copy is fitted in what is left above it, ``gap`` apart, so it can never
  overlap the headline, body, button or logo (the logo and its clear space sit outside the copy region);
- one-row strips (728×90, 320×50) put it under the text column, beside the button; a layout may pin it to
  the foot of a wider box instead (``StackSpec.foot``, keeping that band free with ``Frame.legal_room``):
  product's staged upright layouts set it under the product card, at the foot of the ad;
- its colour comes from the palette like body text, measured on the pixels behind it, and it must reach
  4.5:1 (normal-text AA) whatever its size: a layout's gradient scrim is solved for it too (it sits at the
  gradient's strong end); on a solid panel it gets a local backing scrim only if it needs one, so a small
  line never darkens the whole panel;
- it may cost the body copy, shorter copy alternatives, smaller (still legible) type and decorative
  pictures, never the CTA, and the headline stays at least two steps of the type scale above it
  (``headline_floor``: 15 px over a 9 px legal line at ratio 1.25), so the legal line never competes with
  it; when it only fits without them, the composer leaves it out and warns (see composer.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from assetline.engines.compose.fonts import FontBook
from assetline.engines.compose.grid import Grid
from assetline.engines.compose.text import TextBlock, wrap

MAX_LINES = 2
"""Lines a single disclaimer may take; one more for each further disclaimer."""


@dataclass(frozen=True)
class Legal:
    """The legal text of one composition and the size it is set at."""

    text: str
    px: int
    count: int = 1
    """How many disclaimers ``text`` joins."""

    @property
    def max_lines(self) -> int:
        return MAX_LINES + self.count - 1


def legal_for(texts: tuple[str, ...], grid: Grid) -> Legal | None:
    """The legal line for ``texts`` (the request's disclaimers) on ``grid``; None when there are none."""
    kept = [" ".join(t.split()) for t in texts if t.strip()]
    kept = list(dict.fromkeys(kept))
    if not kept:
        return None
    return Legal(text=" ".join(kept), px=grid.min_px("body"), count=len(kept))


def legal_block(book: FontBook, legal: Legal, width: int) -> TextBlock | None:
    """The legal text wrapped to ``width``: the fewest lines, balanced; None when it needs more than
    ``legal.max_lines`` lines or a word is wider than ``width``."""
    style = book.style("legal", legal.text, legal.px)
    return wrap(book, style, legal.text, width, legal.max_lines, balance=True)


def gap(grid: Grid, legal: Legal, scale: float = 1.0) -> int:
    """Space between the copy (or its button) and the legal line: about 1.5 × its size, on the baseline
    unit (``scale`` < 1 in one-row strips)."""
    return grid.snap(scale * 1.5 * legal.px)


def headline_floor(legal: Legal, ratio: float) -> int:
    """The smallest headline that still leads the legal line: two steps of the type scale above it."""
    return math.ceil(legal.px * ratio**2)

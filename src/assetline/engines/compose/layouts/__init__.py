"""The layouts, one module each. A layout is a function ``compose(frame)`` that paints and places everything.

Every layout serves every format shape (see grid.SHAPES); ``default_for`` picks one when the request
names none.
"""

from __future__ import annotations

from collections.abc import Callable

from assetline.engines.compose.background import BUSY
from assetline.engines.compose.frame import Frame
from assetline.engines.compose.grid import Grid
from assetline.engines.compose.layouts import banner, hero, product, quote, split, typographic

Layout = Callable[[Frame], None]

LAYOUTS: dict[str, Layout] = {
    hero.NAME: hero.compose,
    split.NAME: split.compose,
    typographic.NAME: typographic.compose,
    product.NAME: product.compose,
    quote.NAME: quote.compose,
    banner.NAME: banner.compose,
}


def default_for(grid: Grid, busy: float) -> str:
    """Banner for strips and skyscrapers; hero over photographs; typographic over flat or smooth colour."""
    if grid.shape in ("banner-wide", "skyscraper"):
        return "banner"
    return "hero" if busy >= BUSY else "typographic"

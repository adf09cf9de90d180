"""Contact-sheet layout: text stays inside its cell, margins stay clear, pages are A4 landscape."""

from __future__ import annotations

from delivery_items import make_items
from PIL import Image

from assetline.delivery.contact_sheet import (
    COLS,
    GUTTER_X,
    MARGIN,
    PAGE,
    PER_PAGE,
    SheetCell,
    render_pages,
)

LONG_EN = "Wake up to real espresso, roasted fresh every single week in our London roastery and delivered"
LONG_AR = "استيقظ على إسبريسو حقيقي محمص طازجًا كل أسبوع في مقهى أوربت مع أصدقائك وعائلتك كل صباح"


def _cells(n: int) -> list[SheetCell]:
    data = make_items()[0].data
    return [SheetCell(data=data, format_line="meta-feed-1x1 · 1080×1080 " + "x" * 60,
                      segment_line="en-london-and-the-home-counties-commuters-aged-25-to-44 · en-GB",
                      variant_line="espresso · variant 1 · rev 2 · #101", headline=LONG_AR if i % 2 else LONG_EN,
                      language="ar" if i % 2 else "en") for i in range(n)]


def _is_blank(page: Image.Image, box: tuple[int, int, int, int]) -> bool:
    low, _ = page.crop(box).convert("L").getextrema()
    return isinstance(low, int) and low >= 250


def test_pages_and_clear_gutters_with_overlong_text() -> None:
    pages = render_pages(_cells(PER_PAGE + 1), title="Spring launch " * 12, brand="Orbit Coffee",
                         subtitle="Meta · 9 files " * 20, footer="footer " * 60)
    assert len(pages) == 2 and all(p.size == PAGE for p in pages)
    width, height = PAGE
    cw = (width - 2 * MARGIN - (COLS - 1) * GUTTER_X) // COLS
    for page in pages:
        # side margins stay empty: no text runs off the grid
        assert _is_blank(page, (0, 0, MARGIN - 2, height))
        assert _is_blank(page, (width - MARGIN + 2, 0, width, height))
        # vertical gutters between columns stay empty below the header: captions do not collide
        for col in range(1, COLS):
            x = MARGIN + col * (cw + GUTTER_X) - GUTTER_X
            assert _is_blank(page, (x + 2, MARGIN + 140, x + GUTTER_X - 2, height - MARGIN - 70)), col


def test_an_empty_sheet_still_has_a_page() -> None:
    [page] = render_pages([], title="Spring launch", brand="Orbit", subtitle="nothing", footer="f")
    assert page.size == PAGE

"""The contact sheet: a multi-page A4 landscape PDF of thumbnails with captions, for the client.

Pages are drawn with Pillow at 150 dpi (1754 × 1240 px) and saved as one PDF. Each page has a header (campaign,
brand, channel, date), a 4 × 2 grid of cells, and a footer with page numbers. A cell shows the file scaled to fit
a neutral panel, then its format, segment, concept/variant/revision and up to two lines of headline. Text is set
in fonts from installed font packages, chosen per script (Inter for Latin, Noto Sans Arabic, Noto Sans
Devanagari, Heebo for Hebrew), shaped by raqm; right-to-left strings are set right to left and right-aligned.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from PIL import Image, ImageDraw

from assetline.engines.storyboard.typeset import Fonts, Writer
from assetline.errors import DeliveryError

if TYPE_CHECKING:
    pass

DPI = 150
PAGE = (1754, 1240)
MARGIN = 84
COLS, ROWS = 4, 2
GUTTER_X, GUTTER_Y = 32, 30
HEADER_H = 128
FOOTER_H = 46
CAPTION_H = 132
PER_PAGE = COLS * ROWS

INK = (17, 24, 39)
MUTED = (107, 114, 128)
RULE = (209, 213, 219)
PANEL = (243, 244, 246)
ACCENT = (37, 99, 235)



@dataclass(frozen=True)
class SheetCell:
    """One thumbnail and its caption."""

    data: bytes
    format_line: str
    segment_line: str
    variant_line: str
    headline: str
    language: str


def _thumbnail(data: bytes, box: tuple[int, int]) -> Image.Image:
    img: Image.Image = Image.open(io.BytesIO(data))
    img.load()
    if img.mode in ("RGBA", "LA", "P"):
        rgba = img.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        img = flat
    else:
        img = img.convert("RGB")
    img.thumbnail(box, Image.Resampling.LANCZOS)
    return img


def _cell(page: Image.Image, w: Writer, cell: SheetCell, x: int, y: int, cw: int, ch: int) -> None:
    draw = w.draw
    panel_h = ch - CAPTION_H
    draw.rectangle((x, y, x + cw - 1, y + panel_h - 1), fill=PANEL)
    pad = 14
    thumb = _thumbnail(cell.data, (cw - 2 * pad, panel_h - 2 * pad))
    tx, ty = x + (cw - thumb.width) // 2, y + (panel_h - thumb.height) // 2
    page.paste(thumb, (tx, ty))
    draw.rectangle((tx - 1, ty - 1, tx + thumb.width, ty + thumb.height), outline=RULE)
    cy = y + panel_h + 12
    w.text(x, cy, cell.format_line, 19, weight=650, max_w=cw)
    w.text(x, cy + 27, cell.segment_line, 17, fill=MUTED, max_w=cw)
    w.text(x, cy + 51, cell.variant_line, 17, fill=MUTED, max_w=cw)
    for i, line in enumerate(w.wrap(cell.headline, cw, 18, 2, language=cell.language)):
        w.text(x, cy + 79 + i * 25, line, 18, weight=500, max_w=cw, language=cell.language)


def render_pages(cells: list[SheetCell], *, title: str, brand: str, subtitle: str, footer: str,
                 empty_note: str = "No files in this bundle.") -> list[Image.Image]:
    """The contact-sheet pages as RGB images (at least one page, even with no cells)."""
    fonts = Fonts(DeliveryError, "the contact sheet")
    pages: list[Image.Image] = []
    n_pages = max(1, math.ceil(len(cells) / PER_PAGE))
    width, height = PAGE
    inner_w = width - 2 * MARGIN
    cw = (inner_w - (COLS - 1) * GUTTER_X) // COLS
    grid_top = MARGIN + HEADER_H
    ch = (height - MARGIN - FOOTER_H - grid_top - (ROWS - 1) * GUTTER_Y) // ROWS
    for p in range(n_pages):
        page = Image.new("RGB", PAGE, (255, 255, 255))
        w = Writer(ImageDraw.Draw(page), fonts)
        # header: title left, brand right, subtitle, rule
        brand_w = int(w.width(brand, 24, 650)) if brand else 0
        w.text(MARGIN, MARGIN - 6, title, 36, weight=700, max_w=inner_w - brand_w - 40)
        if brand:
            w.text(width - MARGIN, MARGIN + 4, brand, 24, weight=650, fill=MUTED, align="right")
        w.text(MARGIN, MARGIN + 50, subtitle, 19, fill=MUTED, max_w=inner_w)
        w.draw.rectangle((MARGIN, MARGIN + 90, MARGIN + 64, MARGIN + 93), fill=ACCENT)
        w.draw.line((MARGIN + 64, MARGIN + 92, width - MARGIN, MARGIN + 92), fill=RULE, width=1)
        # grid
        chunk = cells[p * PER_PAGE:(p + 1) * PER_PAGE]
        if not chunk:
            w.text(MARGIN, grid_top + 40, empty_note, 22, fill=MUTED, max_w=inner_w)
        for i, cell in enumerate(chunk):
            row, col = divmod(i, COLS)
            _cell(page, w, cell, MARGIN + col * (cw + GUTTER_X), grid_top + row * (ch + GUTTER_Y), cw, ch)
        # footer
        fy = height - MARGIN - 18
        w.draw.line((MARGIN, fy - 16, width - MARGIN, fy - 16), fill=RULE, width=1)
        w.text(MARGIN, fy, footer, 16, fill=MUTED, max_w=inner_w - 200)
        w.text(width - MARGIN, fy, f"Page {p + 1} of {n_pages}", 16, fill=MUTED, align="right")
        pages.append(page)
    return pages


def pdf_bytes(pages: list[Image.Image], *, title: str, author: str, created: datetime) -> bytes:
    """The pages as one PDF (A4 landscape at ``DPI``)."""
    buf = io.BytesIO()
    pages[0].save(buf, "PDF", save_all=True, append_images=pages[1:], resolution=float(DPI), quality=90,
                  title=title, author=author, creator="Assetline", producer="Assetline",
                  creationDate=created.timetuple(), modDate=created.timetuple())
    return buf.getvalue()

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
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image, ImageDraw, ImageFont

from assetline.errors import DeliveryError
from assetline.spec.files import UnresolvedFile, resolve_file

if TYPE_CHECKING:
    from assetline.engines.compose.scripts import Script

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

_FONT_REFS: dict[Script, str] = {
    "latin": "fontpkg:inter",
    "arabic": "fontpkg:noto-sans-arabic",
    "devanagari": "fontpkg:noto-sans-devanagari",
    "hebrew": "fontpkg:heebo",
}


@dataclass(frozen=True)
class SheetCell:
    """One thumbnail and its caption."""

    data: bytes
    format_line: str
    segment_line: str
    variant_line: str
    headline: str
    language: str


class _Fonts:
    """Fonts by (script, px, weight) for one rendering (no module-level cache)."""

    def __init__(self) -> None:
        self._paths: dict[Script, Path] = {}
        self._fonts: dict[tuple[Script, int, int], ImageFont.FreeTypeFont] = {}

    def path(self, script: Script) -> Path:
        if script not in self._paths:
            try:
                self._paths[script] = resolve_file(_FONT_REFS[script], Path("."))
            except UnresolvedFile as exc:
                if script == "latin":
                    raise DeliveryError(f"no font for the contact sheet: {exc}") from exc
                self._paths[script] = self.path("latin")
        return self._paths[script]

    def get(self, script: Script, px: int, weight: int = 400) -> ImageFont.FreeTypeFont:
        key = (script, px, weight)
        if key not in self._fonts:
            font = ImageFont.truetype(str(self.path(script)), px, layout_engine=ImageFont.Layout.RAQM)
            _set_weight(font, weight, px)
            self._fonts[key] = font
        return self._fonts[key]


def _set_weight(font: ImageFont.FreeTypeFont, weight: int, px: int) -> None:
    try:
        axes = font.get_variation_axes()
    except OSError:  # static font
        return
    values: list[float] = []
    for axis in axes:
        raw = axis["name"]
        name = (raw.decode() if isinstance(raw, bytes) else str(raw)).lower()
        low, high = float(axis["minimum"] or 0), float(axis["maximum"] or 0)
        value = {"weight": float(weight), "optical size": px * 0.75}.get(name, float(axis.get("default") or low))
        values.append(min(high, max(low, value)))
    font.set_variation_by_axes(values)


def _features(script: Script) -> list[str] | None:
    """Latin ids stay literal: Inter's contextual alternates would draw '1x1' as '1×1'."""
    return ["-calt"] if script == "latin" else None


class _Writer:
    """Sets one line of text in the right font and direction, cut to a width with an ellipsis."""

    def __init__(self, draw: ImageDraw.ImageDraw, fonts: _Fonts) -> None:
        self.draw = draw
        self.fonts = fonts

    def _style(self, text: str, language: str) -> tuple[Script, str, str]:
        # imported here: importing the composer package costs ~0.3 s, and only drawing needs it
        from assetline.engines.compose.scripts import detect_script, direction_of, language_tag

        script = detect_script(text)
        return script, direction_of(script), language_tag(script, language or "en")

    def width(self, text: str, px: int, weight: int = 400, language: str = "en") -> float:
        script, direction, lang = self._style(text, language)
        return float(self.fonts.get(script, px, weight).getlength(text, direction=direction, language=lang,
                                                                features=_features(script)))

    def fit(self, text: str, max_w: int, px: int, weight: int = 400, language: str = "en") -> str:
        if self.width(text, px, weight, language) <= max_w:
            return text
        words = text.split()
        while len(words) > 1 and self.width(" ".join(words) + "…", px, weight, language) > max_w:
            words.pop()
        cut = " ".join(words)
        while cut and self.width(cut + "…", px, weight, language) > max_w:
            cut = cut[:-1]
        return cut.rstrip() + "…"

    def wrap(self, text: str, max_w: int, px: int, lines: int, weight: int = 400, language: str = "en") -> list[str]:
        words, out = text.split(), list[str]()
        while words and len(out) < lines:
            line = words.pop(0)
            while words and self.width(line + " " + words[0], px, weight, language) <= max_w:
                line += " " + words.pop(0)
            out.append(line)
        if words:
            out[-1] = self.fit(out[-1] + " " + " ".join(words), max_w, px, weight, language)
        return [self.fit(line, max_w, px, weight, language) for line in out]

    def text(self, x: int, y: int, text: str, px: int, *, weight: int = 400, fill: tuple[int, int, int] = INK,
             max_w: int | None = None, align: str = "left", language: str = "en") -> None:
        """Draw ``text`` with its top at ``y``; ``x`` is the left edge, or the right edge for align='right'.
        Right-to-left text in a left-aligned slot of width ``max_w`` is set flush right in that slot."""
        if max_w is not None:
            text = self.fit(text, max_w, px, weight, language)
        script, direction, lang = self._style(text, language)
        font = self.fonts.get(script, px, weight)
        if direction == "rtl" and align == "left" and max_w is not None:
            x, align = x + max_w, "right"
        anchor = "ra" if align == "right" else "la"
        self.draw.text((x, y), text, font=font, fill=fill, anchor=anchor, direction=direction, language=lang,
                       features=_features(script))


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


def _cell(page: Image.Image, w: _Writer, cell: SheetCell, x: int, y: int, cw: int, ch: int) -> None:
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
    fonts = _Fonts()
    pages: list[Image.Image] = []
    n_pages = max(1, math.ceil(len(cells) / PER_PAGE))
    width, height = PAGE
    inner_w = width - 2 * MARGIN
    cw = (inner_w - (COLS - 1) * GUTTER_X) // COLS
    grid_top = MARGIN + HEADER_H
    ch = (height - MARGIN - FOOTER_H - grid_top - (ROWS - 1) * GUTTER_Y) // ROWS
    for p in range(n_pages):
        page = Image.new("RGB", PAGE, (255, 255, 255))
        w = _Writer(ImageDraw.Draw(page), fonts)
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

"""The storyboard PDF: A4 landscape pages of 3 × 2 frames, for reviewers and clients.

Pages are drawn with Pillow at 150 dpi (1754 × 1240 px), like the delivery contact sheet, and saved as one
PDF. Each page has a header (campaign; concept, format, frame count, length and the board's status), six
frame cells and a footer with page numbers. A cell shows the still on a neutral panel (above the text for
square and landscape video, beside it for portrait video), then the shot number, its timing ('0.0–1.5 s')
and status, the caption (the voice-over lines of the shot), the camera note and, for a frame sent back,
the reviewer's note.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from datetime import datetime

from PIL import Image, ImageDraw

from assetline.engines.storyboard.base import FrameCard, SheetHeader
from assetline.engines.storyboard.typeset import ACCENT, MUTED, PANEL, RULE, STATUS_COLOURS, Fonts, Writer

DPI = 150
PAGE = (1754, 1240)
MARGIN = 84
COLS, ROWS = 3, 2
PER_PAGE = COLS * ROWS
GUTTER_X, GUTTER_Y = 40, 34
HEADER_H = 132
FOOTER_H = 46
PANEL_H = 250
"""Height of the still's panel in square and landscape cells."""
PORTRAIT_PANEL_W = 200
"""Width of the still's panel in portrait cells (9:16 video)."""


def load_still(data: bytes, box: tuple[int, int]) -> Image.Image:
    """The still scaled to fit ``box`` (up or down), keeping its aspect ratio."""
    with Image.open(io.BytesIO(data)) as opened:
        img = opened.convert("RGB")
    scale = min(box[0] / img.width, box[1] / img.height)
    size = (max(1, round(img.width * scale)), max(1, round(img.height * scale)))
    return img if size == img.size else img.resize(size, Image.Resampling.LANCZOS)


def is_portrait(cards: Sequence[FrameCard]) -> bool:
    if not cards:
        return False
    with Image.open(io.BytesIO(cards[0].image)) as img:
        return img.height > img.width * 1.1


def _panel(page: Image.Image, w: Writer, card: FrameCard, box: tuple[int, int, int, int]) -> None:
    x0, y0, x1, y1 = box
    w.draw.rectangle((x0, y0, x1 - 1, y1 - 1), fill=PANEL)
    pad = 12
    still = load_still(card.image, (x1 - x0 - 2 * pad, y1 - y0 - 2 * pad))
    tx, ty = x0 + (x1 - x0 - still.width) // 2, y0 + (y1 - y0 - still.height) // 2
    page.paste(still, (tx, ty))
    w.draw.rectangle((tx - 1, ty - 1, tx + still.width, ty + still.height), outline=RULE)


def _text_block(w: Writer, card: FrameCard, x: int, y: int, width: int, bottom: int) -> None:
    """Shot line, caption, camera note and reviewer's note, top to bottom, never below ``bottom``."""
    w.text(x, y, f"Shot {card.number}", 22, weight=700)
    shot_w = int(w.width(f"Shot {card.number}", 22, 700))
    chip_w = w.chip_width(card.status, 14)
    timing_fits = shot_w + 12 + w.width(card.timing, 18) + 12 + chip_w <= width
    w.text(x + shot_w + 12, y + 4, card.timing, 18, fill=MUTED, max_w=width - shot_w - 12)
    w.chip(x + width, y + (0 if timing_fits else 34), card.status, 14, align="right")
    y += 40 if timing_fits else 70
    rows_left = max(1, (bottom - y) // 24)
    note_lines = max(1, min(4, rows_left // 4))
    sent_back = card.status == "changes_requested" and card.decision_note
    caption_lines = max(1, rows_left - note_lines - (note_lines + 1 if sent_back else 0) - 1)
    if card.caption:
        for line in w.wrap(card.caption, width, 18, caption_lines, weight=500, language=card.language):
            w.text(x, y, line, 18, weight=500, max_w=width, language=card.language)
            y += 25
    else:
        w.text(x, y, "No voice-over in this shot", 17, fill=MUTED, max_w=width)
        y += 25
    y += 6
    if card.note:
        for line in w.wrap(f"Camera: {card.note}", width, 16, note_lines):
            w.text(x, y, line, 16, fill=MUTED, max_w=width)
            y += 22
    if sent_back and y + 26 <= bottom:
        y += 4
        lines = max(1, min(note_lines + 1, (bottom - y) // 22))
        for line in w.wrap(f"Changes: {card.decision_note}", width, 16, lines, weight=600):
            w.text(x, y, line, 16, weight=600, fill=STATUS_COLOURS["changes_requested"], max_w=width)
            y += 22


def _cell(page: Image.Image, w: Writer, card: FrameCard, x: int, y: int, cw: int, ch: int,
          portrait: bool) -> None:
    if portrait:
        _panel(page, w, card, (x, y, x + PORTRAIT_PANEL_W, y + ch))
        _text_block(w, card, x + PORTRAIT_PANEL_W + 18, y + 6, cw - PORTRAIT_PANEL_W - 18, y + ch)
    else:
        _panel(page, w, card, (x, y, x + cw, y + PANEL_H))
        _text_block(w, card, x, y + PANEL_H + 14, cw, y + ch)


def _header(w: Writer, header: SheetHeader, n_frames: int, width: int) -> None:
    inner_w = width - 2 * MARGIN
    label_w = int(w.width("Storyboard", 24, 650))
    w.text(MARGIN, MARGIN - 6, header.campaign, 36, weight=700, max_w=inner_w - label_w - 40)
    w.text(width - MARGIN, MARGIN + 4, "Storyboard", 24, weight=650, fill=MUTED, align="right")
    chip_w = w.chip(width - MARGIN, MARGIN + 48, header.status, 16, align="right") if header.status else 0
    parts = [f"Concept {header.concept}", f"Format {header.format}", f"{n_frames} frame{'s' if n_frames != 1 else ''}"]
    if header.subtitle:
        parts.append(header.subtitle)
    w.text(MARGIN, MARGIN + 50, "  ·  ".join(parts), 19, fill=MUTED, max_w=inner_w - chip_w - 30)
    w.draw.rectangle((MARGIN, MARGIN + 94, MARGIN + 64, MARGIN + 97), fill=ACCENT)
    w.draw.line((MARGIN + 64, MARGIN + 96, width - MARGIN, MARGIN + 96), fill=RULE, width=1)


def render_pages(header: SheetHeader, cards: Sequence[FrameCard]) -> list[Image.Image]:
    """The storyboard's pages as RGB images (at least one, even with no frames)."""
    fonts = Fonts()
    width, height = PAGE
    inner_w = width - 2 * MARGIN
    cw = (inner_w - (COLS - 1) * GUTTER_X) // COLS
    grid_top = MARGIN + HEADER_H
    ch = (height - MARGIN - FOOTER_H - grid_top - (ROWS - 1) * GUTTER_Y) // ROWS
    portrait = is_portrait(cards)
    n_pages = max(1, math.ceil(len(cards) / PER_PAGE))
    pages = []
    for p in range(n_pages):
        page = Image.new("RGB", PAGE, (255, 255, 255))
        w = Writer(ImageDraw.Draw(page), fonts)
        _header(w, header, len(cards), width)
        chunk = cards[p * PER_PAGE:(p + 1) * PER_PAGE]
        if not chunk:
            w.text(MARGIN, grid_top + 40, "This storyboard has no frames.", 22, fill=MUTED, max_w=inner_w)
        for i, card in enumerate(chunk):
            row, col = divmod(i, COLS)
            _cell(page, w, card, MARGIN + col * (cw + GUTTER_X), grid_top + row * (ch + GUTTER_Y), cw, ch, portrait)
        fy = height - MARGIN - 18
        w.draw.line((MARGIN, fy - 16, width - MARGIN, fy - 16), fill=RULE, width=1)
        w.text(MARGIN, fy, header.footer, 16, fill=MUTED, max_w=inner_w - 200)
        w.text(width - MARGIN, fy, f"Page {p + 1} of {n_pages}", 16, fill=MUTED, align="right")
        pages.append(page)
    return pages


def pdf_bytes(pages: Sequence[Image.Image], *, title: str, author: str, created: datetime) -> bytes:
    """The pages as one PDF (A4 landscape at ``DPI``); ``created`` is written as both dates, so the same pages
    and date give the same bytes."""
    buf = io.BytesIO()
    first, *rest = pages
    first.save(buf, "PDF", save_all=True, append_images=rest, resolution=float(DPI), quality=90, title=title,
               author=author, creator="Assetline", producer="Assetline", creationDate=created.timetuple(),
               modDate=created.timetuple())
    return buf.getvalue()

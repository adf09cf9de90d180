"""The storyboard contact sheet: every frame of a board in one PNG grid, to glance at the whole sequence.

A title line (campaign, concept, format, status), then the stills in time order, up to ``COLS`` a row (more
for portrait video), each with its shot number, timing and status underneath. PNG, so it is lossless and
the same board gives the same bytes.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

from PIL import Image, ImageDraw

from assetline.engines.storyboard.base import FrameCard, SheetHeader
from assetline.engines.storyboard.pdf import is_portrait, load_still
from assetline.engines.storyboard.typeset import MUTED, PANEL, RULE, STATUS_COLOURS, Fonts, Writer

MARGIN = 32
GAP = 20
HEADER_H = 84
LABEL_H = 58
COLS = 4
PORTRAIT_COLS = 6
THUMB_W, THUMB_H = 320, 320
PORTRAIT_THUMB_W, PORTRAIT_THUMB_H = 200, 356


def render_sheet(header: SheetHeader, cards: Sequence[FrameCard]) -> Image.Image:
    """The contact sheet as an RGB image (a title and a note when there are no frames)."""
    portrait = is_portrait(cards)
    tw, th = (PORTRAIT_THUMB_W, PORTRAIT_THUMB_H) if portrait else (THUMB_W, THUMB_H)
    if not portrait and cards:  # square and landscape: panels take the video's shape
        with Image.open(io.BytesIO(cards[0].image)) as first:
            th = max(120, min(THUMB_H, round(tw * first.height / first.width)))
    cols = max(1, min(len(cards), PORTRAIT_COLS if portrait else COLS))
    rows = max(1, math.ceil(len(cards) / cols))
    width = max(2 * MARGIN + cols * tw + (cols - 1) * GAP, 720)
    height = MARGIN + HEADER_H + rows * (th + LABEL_H) + (rows - 1) * GAP + MARGIN
    sheet = Image.new("RGB", (width, height), (255, 255, 255))
    w = Writer(ImageDraw.Draw(sheet), Fonts())
    chip_w = w.chip(width - MARGIN, MARGIN, header.status, 15, align="right") if header.status else 0
    w.text(MARGIN, MARGIN - 4, header.campaign, 28, weight=700, max_w=width - 2 * MARGIN - chip_w - 20)
    line = f"Storyboard  ·  {header.concept}  ·  {header.format}  ·  {len(cards)} frames"
    w.text(MARGIN, MARGIN + 38, line, 17, fill=MUTED, max_w=width - 2 * MARGIN)
    w.draw.line((MARGIN, MARGIN + HEADER_H - 16, width - MARGIN, MARGIN + HEADER_H - 16), fill=RULE, width=1)
    if not cards:
        w.text(MARGIN, MARGIN + HEADER_H, "This storyboard has no frames.", 18, fill=MUTED)
    for i, card in enumerate(cards):
        row, col = divmod(i, cols)
        x = MARGIN + col * (tw + GAP)
        y = MARGIN + HEADER_H + row * (th + LABEL_H + GAP)
        w.draw.rectangle((x, y, x + tw - 1, y + th - 1), fill=PANEL)
        still = load_still(card.image, (tw, th))
        sx, sy = x + (tw - still.width) // 2, y + (th - still.height) // 2
        sheet.paste(still, (sx, sy))
        colour = STATUS_COLOURS.get(card.status, MUTED)
        w.draw.rectangle((x, y + th, x + tw - 1, y + th + 3), fill=colour)
        w.text(x, y + th + 12, f"{card.number}", 18, weight=700)
        number_w = int(w.width(f"{card.number}", 18, 700))
        w.text(x + number_w + 10, y + th + 14, card.timing, 15, fill=MUTED, max_w=tw - number_w - 10)
        w.text(x, y + th + 36, _status_text(card), 13, fill=colour, max_w=tw)
    return sheet


def _status_text(card: FrameCard) -> str:
    return {"approved": "Approved", "changes_requested": "Changes requested"}.get(card.status, "Pending")


def png_bytes(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "PNG", optimize=False, compress_level=6)
    return buf.getvalue()

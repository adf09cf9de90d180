"""Arrangements: where the headline, body and CTA button go inside a region, in logical coordinates.

Logical coordinates are physical ones for left-to-right copy and mirrored for right-to-left copy, so
'start' is the reading start in both. Two arrangements serve every layout:

- ``stack``: headline, body and button one above the other (anchored top, centre or bottom; aligned to the
  start or centred; the button in the flow or pinned to the region's bottom);
- ``row``: one strip (728×90, 320×50): the text column at the start, the button at the end.

Given a ``Legal`` text, both pin the legal line to the bottom of the text column (see legal.py) and fit the
rest above it. Both return None when the texts do not fit at the given sizes; ``fit.fit`` drives them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from assetline.engines.base import Box
from assetline.engines.compose.fonts import FontBook
from assetline.engines.compose.grid import Grid
from assetline.engines.compose.legal import Legal, legal_block
from assetline.engines.compose.legal import gap as legal_gap
from assetline.engines.compose.text import TextBlock, wrap

LogicalAlign = Literal["start", "centre", "end"]


@dataclass(frozen=True)
class TextSlot:
    role: str
    block: TextBlock
    column: tuple[int, int]
    """Logical x-range the lines align within."""
    top: int
    """y of the ink top."""
    align: LogicalAlign


@dataclass(frozen=True)
class ButtonSlot:
    box: Box
    """Logical box of the button."""
    text: TextSlot
    radius: int


@dataclass(frozen=True)
class Arrangement:
    texts: tuple[TextSlot, ...]
    button: ButtonSlot | None

    def bounds(self) -> Box:
        """Logical union of every text column and the button (for sizing scrims)."""
        boxes = [(t.column[0], t.top, t.column[1], t.top + t.block.height) for t in self.texts]
        if self.button is not None:
            boxes.append(self.button.box)
        return (
            min(b[0] for b in boxes),
            min(b[1] for b in boxes),
            max(b[2] for b in boxes),
            max(b[3] for b in boxes),
        )


@dataclass(frozen=True)
class StackSpec:
    region: Box
    align: Literal["start", "centre"] = "start"
    anchor: Literal["top", "centre", "bottom"] = "bottom"
    max_lines: dict[str, int] = field(default_factory=lambda: {"headline": 3, "body": 3})
    measure: dict[str, float] = field(default_factory=lambda: {"headline": 1.0, "body": 0.9})
    """Maximum line width as a fraction of the region width, per role ('legal' too)."""
    button: Literal["flow", "bottom"] = "flow"
    gap_scale: float = 1.0
    foot: Box | None = None
    """Where the legal line goes instead of the region's foot: pinned to the bottom of this (logical) box, on
    its width. The layout keeps that band free (see ``Frame.legal_room``); the copy keeps the whole region."""


def button_block(
    book: FontBook, text: str, px: int, max_width: int
) -> tuple[TextBlock, int, int, int] | None:
    """The CTA on one line and its button size: (block, width, height, radius)."""
    pad_x = max(6, round(px * 1.15))
    style = book.style("cta", text, px)
    block = wrap(book, style, text, max_width - 2 * pad_x, 1, balance=False)
    if block is None:
        return None
    pad_y = max(3, round(px * 0.5))
    height = max(round(px * 2.3), block.height + 2 * pad_y)
    width = block.width + 2 * pad_x
    return block, width, height, max(2, round(height * 0.22))


def button_slot(book: FontBook, block: TextBlock, box: Box, radius: int) -> ButtonSlot:
    """The CTA centred in ``box``: optically on the cap height for Latin, on the ink for other scripts."""
    left, top, right, bottom = box
    height = bottom - top
    if block.style.script == "latin" and len(block.lines) == 1:
        cap = -book.ink(block.style, "H")[1]
        baseline = top + (height + cap) // 2
        ink_top = baseline + block.top
        if ink_top < top + 1 or ink_top + block.height > bottom - 1:
            ink_top = top + (height - block.height) // 2
    else:
        ink_top = top + (height - block.height) // 2
    return ButtonSlot(box=box, text=TextSlot("cta", block, (left, right), ink_top, "centre"), radius=radius)


def _gap_after(grid: Grid, role: str, sizes: dict[str, int], nxt: str, scale: float) -> int:
    if role == "headline" and nxt == "body":
        return grid.snap(scale * (0.32 * sizes["headline"] + 0.2 * sizes.get("body", 0)))
    ref = sizes.get("body") or sizes.get("headline", 0) * 0.6
    return grid.snap(scale * 1.15 * ref)


def stack(
    book: FontBook,
    grid: Grid,
    spec: StackSpec,
    texts: dict[str, str],
    sizes: dict[str, int],
    legal: Legal | None = None,
) -> Arrangement | None:
    left, top, right, bottom = spec.region
    width, height = right - left, bottom - top
    if width <= 0 or height <= 0:
        return None
    foot = None
    if legal is not None:
        # The legal line is pinned to the region's foot; everything else stacks in what is left above it.
        fl, _, fr, fb = spec.foot or spec.region
        block = legal_block(book, legal, int((fr - fl) * spec.measure.get("legal", 1.0)))
        if block is None:
            return None
        foot = TextSlot("legal", block, (fl, fr), fb - block.height, spec.align)
        if spec.foot is None:
            bottom -= block.height + legal_gap(grid, legal, spec.gap_scale)
            height = bottom - top
            if height <= 0:
                return None
    blocks: list[tuple[str, TextBlock]] = []
    for role in ("headline", "body"):
        if role not in texts:
            continue
        style = book.style(role, texts[role], sizes[role])
        max_w = int(width * spec.measure.get(role, 1.0))
        block = wrap(book, style, texts[role], max_w, spec.max_lines.get(role, 3), balance=role == "headline")
        if block is None:
            return None
        blocks.append((role, block))
    btn = None
    if "cta" in texts:
        btn = button_block(book, texts["cta"], sizes["cta"], width)
        if btn is None:
            return None
    # Vertical sizes and gaps.
    items: list[tuple[str, int]] = [(r, b.height) for r, b in blocks]
    if btn is not None:
        items.append(("cta", btn[2]))
    gaps = [
        _gap_after(grid, items[i][0], sizes, items[i + 1][0], spec.gap_scale) for i in range(len(items) - 1)
    ]
    total = sum(h for _, h in items) + sum(gaps)
    if total > height:
        return None
    if spec.anchor == "top":
        y = top
    elif spec.anchor == "centre":
        y = top + (height - total) // 2
    else:
        y = bottom - total
    if spec.button == "bottom" and btn is not None and gaps:
        text_total = total - btn[2] - gaps[-1]
        avail = height - btn[2] - gaps[-1]
        y = {"top": top, "centre": top + (avail - text_total) // 2}.get(spec.anchor, top + avail - text_total)
    align = spec.align
    slots: list[TextSlot] = []
    for i, (role, block) in enumerate(blocks):
        slots.append(TextSlot(role, block, (left, right), y, align))
        y += block.height + (gaps[i] if i < len(gaps) else 0)
    button = None
    if btn is not None:
        block, bw, bh, radius = btn
        by = bottom - bh if spec.button == "bottom" else y
        bx = left if align == "start" else left + (width - bw) // 2
        button = button_slot(book, block, (bx, by, bx + bw, by + bh), radius)
    if foot is not None:
        slots.append(foot)
    return Arrangement(tuple(slots), button)


def row(
    book: FontBook,
    grid: Grid,
    region: Box,
    texts: dict[str, str],
    sizes: dict[str, int],
    text_align: Literal["start", "centre"] = "start",
    legal: Legal | None = None,
) -> Arrangement | None:
    """Text column at the start of ``region``, button at the end, both centred vertically; the legal line
    (if any) at the foot of the text column."""
    left, top, right, bottom = region
    height = bottom - top
    text_right = right
    button = None
    if "cta" in texts:
        btn = button_block(book, texts["cta"], sizes["cta"], (right - left) // 2)
        if btn is None:
            return None
        block, bw, bh, radius = btn
        bh = min(bh, height)
        if bh < block.height + 4:
            return None
        by = top + (height - bh) // 2
        button = button_slot(book, block, (right - bw, by, right, by + bh), radius)
        text_right = right - bw - max(grid.unit * 2, round(sizes["cta"] * 1.2))
    lines = {"headline": 2 if height >= 2.6 * sizes["headline"] else 1, "body": 1}
    spec = StackSpec(
        region=(left, top, text_right, bottom),
        align=text_align,
        anchor="centre",
        max_lines=lines,
        measure={"headline": 1.0, "body": 1.0},
        gap_scale=0.6,
    )
    inner = stack(book, grid, spec, {k: v for k, v in texts.items() if k != "cta"}, sizes, legal)
    if inner is None:
        return None
    return Arrangement(inner.texts, button)

"""Text blocks: word wrapping on real shaped widths, balanced line breaks, ink-exact boxes, drawing.

Widths and heights are the shaped *ink* (raqm layout, with direction and language), so a block never clips
ascenders, descenders, Devanagari matras or Arabic marks, and its recorded box is the box its pixels occupy.

Wrapping: the fewest lines that fit (greedy), then the breaks are rebalanced over that many lines to make
the longest line as short as possible, with a penalty against a single-word last line (a widow).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from PIL import ImageDraw

from assetline.engines.base import Box
from assetline.engines.compose.fonts import FontBook, Ink, TextStyle

Align = Literal["left", "centre", "right"]

_OPENING = frozenset("«“‘(¿¡\"'")
_CLOSING = frozenset("»”’):;?!.,\"'،؟")
_DASHES = frozenset("—–-")


def tokens(text: str) -> list[str]:
    """Words to wrap between. Lone punctuation stays with its neighbour: an opening mark (and a dash that
    starts the text, as in '— Ana') with the next word, a closing mark or a mid-sentence dash with the
    previous one, so no line starts with '—' or ends with '«'."""
    raw = text.split()
    out: list[str] = []
    pending = ""
    for word in raw:
        if pending:
            word = pending + " " + word
            pending = ""
        if len(word) == 1 and (word in _OPENING or (word in _DASHES and not out)):
            pending = word
        elif len(word) == 1 and (word in _CLOSING or word in _DASHES) and out:
            out[-1] += " " + word
        else:
            out.append(word)
    if pending:
        if out:
            out[-1] += " " + pending
        else:
            out.append(pending)
    return out


@dataclass(frozen=True)
class Line:
    text: str
    ink: Ink


@dataclass(frozen=True)
class TextBlock:
    """Wrapped lines in one style. Geometry is relative to the first line's baseline at y = 0."""

    style: TextStyle
    lines: tuple[Line, ...]
    top: int
    """Ink top relative to the first baseline (negative)."""
    bottom: int

    @property
    def text(self) -> str:
        return " ".join(line.text for line in self.lines)

    @property
    def width(self) -> int:
        return max(line.ink[2] - line.ink[0] for line in self.lines)

    @property
    def height(self) -> int:
        return self.bottom - self.top


def _make_block(book: FontBook, style: TextStyle, lines: list[str]) -> TextBlock:
    pitch = style.line_pitch
    placed = tuple(Line(text=t, ink=book.ink(style, t)) for t in lines)
    top = min(i * pitch + ln.ink[1] for i, ln in enumerate(placed))
    bottom = max(i * pitch + ln.ink[3] for i, ln in enumerate(placed))
    return TextBlock(style=style, lines=placed, top=top, bottom=bottom)


def greedy_lines(book: FontBook, style: TextStyle, words: list[str], max_width: int) -> list[str] | None:
    """First-fit wrapping; None when a single word is wider than ``max_width``.

    Breaks are chosen on estimated widths and every kept line is then measured exactly; if one does not
    fit (or the estimate calls a word too wide), the wrap is redone on exact widths."""
    quick = _first_fit(words, max_width, lambda ws: book.estimate(style, ws))
    if quick is not None and all(book.width(style, line) <= max_width for line in quick):
        return quick
    return _first_fit(words, max_width, lambda ws: book.width(style, " ".join(ws)))


def _first_fit(words: list[str], max_width: int, measure: Callable[[list[str]], float]) -> list[str] | None:
    lines: list[str] = []
    current: list[str] = []
    for word in words:
        if measure([*current, word]) <= max_width:
            current.append(word)
            continue
        if not current or measure([word]) > max_width:
            return None
        lines.append(" ".join(current))
        current = [word]
    if current:
        lines.append(" ".join(current))
    return lines


def balanced_lines(
    book: FontBook, style: TextStyle, words: list[str], count: int, max_width: int
) -> list[str]:
    """Breaks into exactly ``count`` lines minimising (widow penalty, longest line, raggedness)."""
    n = len(words)
    if count <= 1 or n <= count:
        return [" ".join(words)] if count <= 1 else words[:]

    def width(i: int, j: int) -> float:
        return book.estimate(style, words[i:j])

    inf = (float("inf"), float("inf"))
    # best[k][j]: (longest line, sum of squares) for words[:j] in k lines
    best: list[list[tuple[float, float]]] = [[inf] * (n + 1) for _ in range(count + 1)]
    back = [[0] * (n + 1) for _ in range(count + 1)]
    best[0][0] = (0.0, 0.0)
    for k in range(1, count + 1):
        for j in range(k, n - (count - k) + 1):
            for i in range(j - 1, k - 2, -1):
                if best[k - 1][i] == inf:
                    continue
                w = width(i, j)
                if w > max_width:
                    break  # longer spans are only wider
                prev = best[k - 1][i]
                widow = 0.3 if (k == count and j - i == 1 and n >= 4) else 0.0
                cand = (max(prev[0], w) + widow * max_width, prev[1] - float(w) ** 2)
                if cand < best[k][j]:
                    best[k][j] = cand
                    back[k][j] = i
    fallback = greedy_lines(book, style, words, max_width) or [" ".join(words)]
    if best[count][n] == inf:
        return fallback
    cuts = [n]
    for k in range(count, 0, -1):
        cuts.append(back[k][cuts[-1]])
    cuts.reverse()
    lines = [" ".join(words[cuts[k] : cuts[k + 1]]) for k in range(count)]
    # Chosen on estimates: keep them only if every line truly fits.
    return lines if all(book.width(style, line) <= max_width for line in lines) else fallback


def wrap(
    book: FontBook, style: TextStyle, text: str, max_width: int, max_lines: int, balance: bool = True
) -> TextBlock | None:
    """``text`` wrapped to at most ``max_lines`` lines no wider than ``max_width``; None if it cannot fit."""
    words = tokens(text)
    if not words or max_width <= 0:
        return None
    lines = greedy_lines(book, style, words, max_width)
    if lines is None or len(lines) > max_lines:
        return None
    if len(lines) > 1:
        if balance:
            lines = balanced_lines(book, style, words, len(lines), max_width)
        else:
            lines = _no_widow(book, style, lines, max_width)
    return _make_block(book, style, lines)


def _no_widow(book: FontBook, style: TextStyle, lines: list[str], max_width: int) -> list[str]:
    """Greedy lines, but a last line of one word takes the previous line's last word when it fits."""
    last, prev = lines[-1].split(" "), lines[-2].split(" ")
    if len(last) == 1 and len(prev) >= 3:
        moved = " ".join([prev[-1], *last])
        if book.width(style, moved) <= max_width:
            return [*lines[:-2], " ".join(prev[:-1]), moved]
    return lines


@dataclass(frozen=True)
class PlacedText:
    """A block positioned on the canvas: its ink box top-left and the column it is aligned in."""

    role: str
    block: TextBlock
    left: int
    right: int
    """The column (physical pixels) lines are aligned within."""
    top: int
    """Physical y of the block's ink top."""
    align: Align

    def origins(self) -> list[tuple[int, int]]:
        """Pen origin (baseline, left of the shaped run) of each line."""
        pitch = self.block.style.line_pitch
        baseline0 = self.top - self.block.top
        out = []
        for i, line in enumerate(self.block.lines):
            x0, _, r, _ = line.ink
            if self.align == "left":
                x = self.left - x0
            elif self.align == "right":
                x = self.right - r
            else:
                x = self.left + (self.right - self.left - (r - x0)) // 2 - x0
            out.append((x, baseline0 + i * pitch))
        return out

    def ink_box(self) -> Box:
        """Union of the lines' ink boxes in canvas pixels."""
        boxes = [
            (x + ln.ink[0], y + ln.ink[1], x + ln.ink[2], y + ln.ink[3])
            for (x, y), ln in zip(self.origins(), self.block.lines, strict=True)
        ]
        return (
            min(b[0] for b in boxes),
            min(b[1] for b in boxes),
            max(b[2] for b in boxes),
            max(b[3] for b in boxes),
        )


def draw_text(
    draw: ImageDraw.ImageDraw, book: FontBook, placed: PlacedText, fill: tuple[int, int, int]
) -> None:
    """Draw every line of ``placed`` with raqm shaping."""
    style = placed.block.style
    font = book.font(style)
    for (x, y), line in zip(placed.origins(), placed.block.lines, strict=True):
        draw.text(
            (x, y),
            line.text,
            font=font,
            fill=fill,
            anchor="ls",
            direction=style.direction,
            language=style.language,
        )

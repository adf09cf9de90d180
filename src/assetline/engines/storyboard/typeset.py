"""Text for page exports (the storyboards here, and the delivery contact sheet): fonts chosen per script, shaped
by raqm, cut to a width with an ellipsis.

Pillow has no glyph fallback, so each string is set in the font of its script (Inter for Latin, Noto Sans
Arabic, Noto Sans Devanagari, Heebo for Hebrew, from the installed font packages).
Right-to-left strings are set right to left and flush right in their slot.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PIL import ImageDraw, ImageFont

from assetline.errors import AssetlineError, EngineError
from assetline.spec.files import UnresolvedFile, resolve_file

if TYPE_CHECKING:
    from assetline.engines.compose.scripts import Script

Rgb = tuple[int, int, int]
INK: Rgb = (17, 24, 39)
MUTED: Rgb = (107, 114, 128)
RULE: Rgb = (209, 213, 219)
PANEL: Rgb = (243, 244, 246)
ACCENT: Rgb = (37, 99, 235)
STATUS_COLOURS: dict[str, Rgb] = {"approved": (21, 128, 61), "changes_requested": (180, 83, 9),
                                  "pending": (107, 114, 128), "in_review": (37, 99, 235)}
STATUS_LABELS: dict[str, str] = {"approved": "Approved", "changes_requested": "Changes requested",
                                 "pending": "Pending", "in_review": "In review"}



def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status.replace("_", " ").capitalize())


FONT_REFS: dict[Script, str] = {
    "latin": "fontpkg:inter",
    "arabic": "fontpkg:noto-sans-arabic",
    "devanagari": "fontpkg:noto-sans-devanagari",
    "hebrew": "fontpkg:heebo",
}


class Fonts:
    """Fonts by (script, px, weight) for one export (no module-level cache). A missing Latin font raises
    ``error`` naming ``what`` is being drawn."""

    def __init__(self, error: type[AssetlineError] = EngineError, what: str = "the storyboard") -> None:
        self._error, self._what = error, what
        self._paths: dict[Script, Path] = {}
        self._fonts: dict[tuple[Script, int, int], ImageFont.FreeTypeFont] = {}

    def path(self, script: Script) -> Path:
        if script not in self._paths:
            try:
                self._paths[script] = resolve_file(FONT_REFS[script], Path("."))
            except UnresolvedFile as exc:
                if script == "latin":
                    raise self._error(f"no font for {self._what}: {exc}") from exc
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
    """Variable fonts: weight and optical size by axis name, every other axis at its default."""
    try:
        axes = font.get_variation_axes()
    except OSError:  # a static font
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
    """Latin stays literal: Inter's contextual alternates would draw '1x1' as '1×1'."""
    return ["-calt"] if script == "latin" else None


class Writer:
    """Sets one line of text in the right font and direction; ``fit`` and ``wrap`` cut to a width."""

    def __init__(self, draw: ImageDraw.ImageDraw, fonts: Fonts) -> None:
        self.draw = draw
        self.fonts = fonts

    @staticmethod
    def _style(text: str, language: str) -> tuple[Script, str, str]:
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
        """At most ``lines`` lines; the last ends in an ellipsis when text is left over."""
        words, out = text.split(), list[str]()
        while words and len(out) < lines:
            line = words.pop(0)
            while words and self.width(line + " " + words[0], px, weight, language) <= max_w:
                line += " " + words.pop(0)
            out.append(line)
        if words:
            out[-1] = self.fit(out[-1] + " " + " ".join(words), max_w, px, weight, language)
        return [self.fit(line, max_w, px, weight, language) for line in out]

    def text(self, x: int, y: int, text: str, px: int, *, weight: int = 400, fill: Rgb = INK,
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

    def chip_width(self, status: str, px: int = 16) -> int:
        return int(self.width(status_label(status), px, 650)) + 2 * (px // 2 + 2)

    def chip(self, x: int, y: int, status: str, px: int = 16, align: str = "left") -> int:
        """A rounded status label with its left (or right) edge at ``x``; returns its width."""
        label = status_label(status)
        colour = STATUS_COLOURS.get(status, MUTED)
        w = self.chip_width(status, px)
        h = px + 12
        left = x - w if align == "right" else x
        r, g, b = (int(255 - (255 - c) * 0.14) for c in colour)
        tint = (r, g, b)
        self.draw.rounded_rectangle((left, y, left + w, y + h), radius=h // 2, fill=tint, outline=colour)
        self.text(left + px // 2 + 2, y + 5, label, px, weight=650, fill=colour)
        return w

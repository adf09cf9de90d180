"""Fonts by role and script: resolved files, variable-font axes, and cached shaped measurements.

A ``FontBook`` lives for one compose call (no module-level caches). It answers two questions:
which font renders ``text`` in ``role`` (the brand's per-script font when the string is Arabic, Hebrew or
Devanagari, else the role font) and how big the shaped ink of a string is (raqm layout, memoised).

Weights: the role's FontRef weight for Latin; for a script font, its own weight for headlines, the lighter of
it and the body weight for body text, and at least 700 for the CTA. Variable fonts get their axes set by
name: Weight, Optical size (clamped to the font's range, from the pixel size) and the default for the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from PIL import ImageFont

from assetline.engines.compose.scripts import Direction, Script, detect_script, direction_of, language_tag
from assetline.spec.brand import Typography

Ink = tuple[int, int, int, int]
"""Ink box relative to the pen origin on the baseline (left, top, right, bottom; top is negative)."""

ROLES = ("headline", "body", "cta")
REFERENCE_PX = 100
"""Size at which word advances are measured for fonts that scale linearly (no optical-size axis)."""
_OPTICAL: dict[str, float] = {"latin": 1.0, "arabic": 1.12, "hebrew": 1.05, "devanagari": 1.04}
"""Size compensation per script: Arabic and Devanagari read smaller than Latin at the same em size."""
MIN_COMPLEX_PX = 11
"""Arabic, Hebrew and Devanagari marks and matras need a larger minimum than Latin's 9 px."""
_LEADING: dict[tuple[str, bool], float] = {
    ("headline", False): 1.08,
    ("headline", True): 1.4,
    ("body", False): 1.38,
    ("body", True): 1.6,
    ("cta", False): 1.2,
    ("cta", True): 1.4,
}


@dataclass(frozen=True)
class TextStyle:
    """Everything that decides how a string is shaped and drawn."""

    role: str
    path: Path
    weight: int
    px: int
    script: Script
    direction: Direction
    language: str
    leading: float
    """Line pitch as a multiple of ``px``."""

    @property
    def line_pitch(self) -> int:
        return max(1, round(self.px * self.leading))


FaceKey = tuple[Path, int, int]
"""(font file, weight, px): one loaded font with its axes set."""
ShapeKey = tuple[Path, int, int, str, str, str]
"""(font file, weight, px, direction, language, text): one shaped measurement."""


class ShapeCache:
    """Loaded fonts and shaped measurements, shareable between compositions (an engine keeps one).

    Values depend only on their keys, so sharing never changes output; raqm shaping of large fonts costs
    about a millisecond a call, and the same sizes recur across formats. Emptied past ``limit`` entries."""

    def __init__(self, limit: int = 50_000) -> None:
        self.limit = limit
        self.fonts: dict[FaceKey, ImageFont.FreeTypeFont] = {}
        self.axes: dict[FaceKey, list[float] | None] = {}
        self.ink: dict[ShapeKey, Ink] = {}
        self.advance: dict[ShapeKey, float] = {}
        self.optical: dict[Path, bool] = {}

    def trim(self) -> None:
        if len(self.ink) + len(self.advance) > self.limit:
            self.ink.clear()
            self.advance.clear()
        if len(self.fonts) > 512:
            self.fonts.clear()
            self.axes.clear()


class FontBook:
    """Fonts for one composition, with memoised shaping."""

    def __init__(
        self, typography: Typography, fonts: dict[str, Path], language: str, cache: ShapeCache | None = None
    ) -> None:
        self.typography = typography
        self.fonts = fonts
        self.language = language
        self.cache = cache if cache is not None else ShapeCache()
        self.cache.trim()
        self._fonts = self.cache.fonts
        self._axes = self.cache.axes
        self._ink = self.cache.ink
        self._advance = self.cache.advance
        self._optical = self.cache.optical

    # ------------------------------------------------------------ choosing
    def style(self, role: str, text: str, px: int) -> TextStyle:
        """The style ``text`` is set in for ``role`` at ``px`` pixels."""
        script = detect_script(text)
        path, weight = self._face(role, script)
        if script in self.fonts:
            px = max(px, round(px * _OPTICAL[script]), MIN_COMPLEX_PX)
        complex_script = script in ("arabic", "devanagari", "hebrew")
        return TextStyle(
            role=role,
            path=path,
            weight=weight,
            px=px,
            script=script,
            direction=direction_of(script),
            language=language_tag(script, self.language),
            leading=_LEADING[(role if role in ROLES else "body", complex_script)],
        )

    def has_script_font(self, script: Script) -> bool:
        return script == "latin" or script in self.fonts

    def _face(self, role: str, script: Script) -> tuple[Path, int]:
        typo = self.typography
        role_ref = {"headline": typo.headline, "body": typo.body, "cta": typo.cta or typo.body}.get(
            role, typo.body
        )
        role_weight = (
            role_ref.weight if (role != "cta" or typo.cta is not None) else max(role_ref.weight, 700)
        )
        role_path = self.fonts.get(role) or self.fonts.get("body") or self.fonts["headline"]
        if script != "latin" and script in self.fonts:
            ref = typo.scripts.get(script)
            weight = ref.weight if ref is not None else 400
            if role == "body":
                weight = min(weight, typo.body.weight)
            elif role == "cta":
                weight = max(weight, 700)
            return self.fonts[script], weight
        return role_path, role_weight

    # ------------------------------------------------------------ loading and measuring
    def font(self, style: TextStyle) -> ImageFont.FreeTypeFont:
        key = (style.path, style.weight, style.px)
        font = self._fonts.get(key)
        if font is None:
            font = ImageFont.truetype(str(style.path), style.px, layout_engine=ImageFont.Layout.RAQM)
            self._axes[key] = _set_axes(font, style.weight, style.px)
            self._fonts[key] = font
        return font

    def axes(self, style: TextStyle) -> list[float] | None:
        """The variable-font axis values ``style`` is drawn with (None for a static font)."""
        self.font(style)
        return self._axes[(style.path, style.weight, style.px)]

    def ink(self, style: TextStyle, text: str) -> Ink:
        """Shaped ink box of ``text`` relative to its pen origin on the baseline."""
        key = (style.path, style.weight, style.px, style.direction, style.language, text)
        box = self._ink.get(key)
        if box is None:
            left, top, right, bottom = self.font(style).getbbox(
                text, anchor="ls", direction=style.direction, language=style.language
            )
            box = (int(left), int(top), int(right), int(bottom))
            self._ink[key] = box
        return box

    def width(self, style: TextStyle, text: str) -> int:
        left, _, right, _ = self.ink(style, text)
        return right - left

    def estimate(self, style: TextStyle, words: list[str]) -> float:
        """Width of ``words`` set on one line, from per-word advances: for choosing line breaks without
        shaping every candidate line (raqm costs ~1 ms a call on large fonts). Callers verify the lines
        they keep with ``width``."""
        space = self._word_advance(style, " ")
        return sum(self._word_advance(style, w) for w in words) + space * (len(words) - 1)

    def _word_advance(self, style: TextStyle, word: str) -> float:
        # Fonts without an optical-size axis scale linearly: measure once at a reference size.
        ref = style if self._has_optical_size(style) else replace(style, px=REFERENCE_PX)
        key = (ref.path, ref.weight, ref.px, ref.direction, ref.language, word)
        advance = self._advance.get(key)
        if advance is None:
            advance = float(
                self.font(ref).getlength(word, direction=style.direction, language=style.language)
            )
            self._advance[key] = advance
        return advance * style.px / ref.px

    def _has_optical_size(self, style: TextStyle) -> bool:
        if style.path not in self._optical:
            try:
                names = [a["name"] for a in self.font(style).get_variation_axes()]
            except OSError:
                names = []
            self._optical[style.path] = any(
                (n.decode() if isinstance(n, bytes) else str(n)).lower() == "optical size" for n in names
            )
        return self._optical[style.path]


def _set_axes(font: ImageFont.FreeTypeFont, weight: int, px: int) -> list[float] | None:
    """Set a variable font's axes by name; returns the values (None for a static font)."""
    try:
        axes = font.get_variation_axes()
    except OSError:  # a static font has no axes
        return None
    values: list[float] = []
    for axis in axes:
        raw = axis["name"]
        name = raw.decode() if isinstance(raw, bytes) else str(raw)
        low, high = float(axis["minimum"] or 0), float(axis["maximum"] or 0)
        if name.lower() == "weight":
            value = float(weight)
        elif name.lower() == "optical size":
            value = px * 0.75  # optical size is in points; 1 px = 0.75 pt
        else:
            value = float(axis.get("default") or low)
        values.append(min(high, max(low, value)))
    font.set_variation_by_axes(values)
    return values

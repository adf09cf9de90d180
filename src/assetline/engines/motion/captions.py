"""Burned-in captions: each cue as a rounded pill, in one band inside the safe zone, clear of the layout.

- **Font**: ``caption_font`` when the request names one (the caller picks the kit's font for the cues'
  script), else by script from the installed font packages — Inter (Latin), Noto Sans Arabic, Noto Sans
  Devanagari, Heebo (Hebrew); shaped by raqm, right-to-left where the script is (Pillow has no glyph
  fallback, so the font must be the script's).
- **Size**: 4 % of the shorter frame side (43 px at 1080), white semibold on a 78 % dark pill (≥ 4.5:1 over
  any picture), at most two lines per cue (smaller type before a third line).
- **Band**: one vertical position for every cue, so captions do not jump: the lowest band inside the safe zone
  whose widest pill clears every text, button and logo box as far as they travel (keyframes included), with
  a gap. When no band is free, the type shrinks; failing that the captions sit at the foot of the safe zone
  and ``CaptionPlan.clear`` is False (the motion.captions gate reports it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from assetline.engines.base import Box
from assetline.engines.compose.scripts import Script, detect_script, direction_of, language_tag
from assetline.engines.motion.frames import BurnedCaption
from assetline.engines.voice.base import Cue
from assetline.errors import EngineError
from assetline.spec.files import UnresolvedFile, resolve_file

FONT_REFS: dict[str, str] = {"latin": "fontpkg:inter", "arabic": "fontpkg:noto-sans-arabic",
                             "devanagari": "fontpkg:noto-sans-devanagari", "hebrew": "fontpkg:heebo"}
SIZE = 0.04
"""Caption type size as a share of the shorter frame side."""
WEIGHT = 600
PILL = (17, 24, 39)
PILL_ALPHA = 0.78
INK = (255, 255, 255)
GAP = 24
"""Pixels between a caption pill and any element box."""
MAX_LINES = 2


@dataclass(frozen=True)
class CaptionPlan:
    captions: tuple[BurnedCaption, ...]
    clear: bool
    """Every pill clears every element box (False: there was no free band; they sit at the safe zone's foot)."""
    px: int


def caption_font(cues: Sequence[Cue], given: Path | None) -> Path:
    """The font the cues are set in (see the module docstring)."""
    if given is not None:
        if not given.is_file():
            raise EngineError(f"caption font not found: {given}")
        return given
    script = detect_script(" ".join(c.text for c in cues))
    try:
        return resolve_file(FONT_REFS.get(script, FONT_REFS["latin"]), Path("."))
    except UnresolvedFile as exc:
        raise EngineError(f"no font for {script} captions: {exc}") from exc


def _load(path: Path, px: int) -> ImageFont.FreeTypeFont:
    font = ImageFont.truetype(str(path), px, layout_engine=ImageFont.Layout.RAQM)
    try:
        axes = font.get_variation_axes()
    except OSError:  # a static font
        return font
    values = []
    for axis in axes:
        raw = axis["name"]
        name = (raw.decode() if isinstance(raw, bytes) else str(raw)).lower()
        low, high = float(axis["minimum"] or 0), float(axis["maximum"] or 0)
        value = {"weight": float(WEIGHT), "optical size": px * 0.75}.get(name, float(axis.get("default") or low))
        values.append(min(high, max(low, value)))
    font.set_variation_by_axes(values)
    return font


class _Setter:
    """Wraps and draws cue text in one font and size."""

    def __init__(self, path: Path, px: int, language: str) -> None:
        self.font = _load(path, px)
        self.px = px
        self.pitch = round(px * 1.28)
        self.language = language
        self.pad_x, self.pad_y = round(px * 0.6), round(px * 0.32)

    def _style(self, text: str) -> tuple[Script, str, str]:
        script = detect_script(text)
        return script, direction_of(script), language_tag(script, self.language)

    def width(self, text: str) -> float:
        _, direction, language = self._style(text)
        return float(self.font.getlength(text, direction=direction, language=language))

    def wrap(self, text: str, max_width: float) -> list[str]:
        lines: list[str] = []
        for paragraph in text.splitlines() or [""]:
            current: list[str] = []
            for word in paragraph.split():
                trial = " ".join([*current, word])
                if current and self.width(trial) > max_width:
                    lines.append(" ".join(current))
                    current = [word]
                else:
                    current.append(word)
            if current:
                lines.append(" ".join(current))
        return lines or [""]

    def size(self, lines: list[str]) -> tuple[int, int]:
        width = max(self.width(line) for line in lines)
        w = int(width + 0.999) + 2 * self.pad_x
        h = self.pitch * len(lines) + 2 * self.pad_y
        return w + w % 2, h + h % 2

    def pill(self, lines: list[str]) -> Image.Image:
        """The caption as an RGBA image: rounded dark pill, centred white lines."""
        w, h = self.size(lines)
        ss = 4
        mask = Image.new("L", (w * ss, h * ss), 0)
        radius = min(h // 2, round(self.px * 0.55))
        ImageDraw.Draw(mask).rounded_rectangle((0, 0, w * ss - 1, h * ss - 1), radius=radius * ss,
                                               fill=round(255 * PILL_ALPHA))
        image = Image.new("RGBA", (w, h), (*PILL, 0))
        image.putalpha(mask.resize((w, h), Image.Resampling.BOX))
        draw = ImageDraw.Draw(image)
        for k, line in enumerate(lines):
            _, direction, language = self._style(line)
            y = self.pad_y + self.pitch * k + self.pitch / 2
            draw.text((w / 2, y), line, font=self.font, fill=(*INK, 255), anchor="mm", direction=direction,
                      language=language)
        return image


def _hits(box: Box, obstacles: Sequence[Box]) -> bool:
    return any(box[0] < o[2] + GAP and o[0] - GAP < box[2] and box[1] < o[3] + GAP and o[1] - GAP < box[3]
               for o in obstacles)


def _balanced(setter: _Setter, text: str, max_width: float) -> list[str]:
    """Wrapped to ``max_width``, then narrowed while the line count holds: no lone last word."""
    lines = setter.wrap(text, max_width)
    if len(lines) < 2:
        return lines
    low, high = max_width / len(lines) * 0.8, max_width
    for _ in range(10):
        mid = (low + high) / 2
        if len(setter.wrap(text, mid)) == len(lines):
            high = mid
        else:
            low = mid
    return setter.wrap(text, high)


def _layout(setter: _Setter, cues: Sequence[Cue], max_width: float) -> list[list[str]] | None:
    lines = [_balanced(setter, c.text, max_width) for c in cues]
    return lines if all(len(ln) <= MAX_LINES for ln in lines) else None


def plan_captions(cues: Sequence[Cue], width: int, height: int, safe: Box, obstacles: Sequence[Box],
                  font: Path, language: str) -> CaptionPlan:
    """Pills for ``cues`` and where they go (see the module docstring)."""
    cues = [c for c in cues if c.text.strip()]
    if not cues:
        return CaptionPlan((), True, 0)
    base_px = max(12, round(min(width, height) * SIZE))
    usable = (safe[2] - safe[0]) * 0.88
    fallback: tuple[_Setter, list[list[str]]] | None = None
    for scale in (1.0, 0.88, 0.76):
        setter = _Setter(font, max(12, round(base_px * scale)), language)
        lines = _layout(setter, cues, usable - 2 * setter.pad_x)
        if lines is None:
            continue
        fallback = fallback or (setter, lines)
        band = _band(setter, lines, safe, obstacles)
        if band is not None:
            return _pills(setter, cues, lines, safe, band, True)
    if fallback is None:  # very long cues: allow more lines at the smallest size
        setter = _Setter(font, max(12, round(base_px * 0.76)), language)
        fallback = (setter, [setter.wrap(c.text, usable - 2 * setter.pad_x) for c in cues])
    setter, lines = fallback
    tallest = max(setter.size(ln)[1] for ln in lines)
    return _pills(setter, cues, lines, safe, safe[3] - GAP - tallest // 2, False)


def _band(setter: _Setter, lines: list[list[str]], safe: Box, obstacles: Sequence[Box]) -> int | None:
    """Vertical centre of the lowest free band, or None."""
    sizes = [setter.size(ln) for ln in lines]
    widest, tallest = max(s[0] for s in sizes), max(s[1] for s in sizes)
    cx = (safe[0] + safe[2]) // 2
    left = cx - widest // 2
    y = safe[3] - GAP - tallest
    while y >= safe[1] + GAP:
        if not _hits((left, y, left + widest, y + tallest), obstacles):
            return y + tallest // 2
        y -= 2
    return None


def _pills(setter: _Setter, cues: Sequence[Cue], lines: list[list[str]], safe: Box, centre_y: int,
           clear: bool) -> CaptionPlan:
    out = []
    cx = (safe[0] + safe[2]) // 2
    for cue, cue_lines in zip(cues, lines, strict=True):
        image = setter.pill(cue_lines)
        w, h = image.size
        left, top = (cx - w // 2) // 2 * 2, (centre_y - h // 2) // 2 * 2
        out.append(BurnedCaption(cue.start, cue.end, cue.text, (left, top, left + w, top + h), image))
    return CaptionPlan(tuple(out), clear, setter.px)

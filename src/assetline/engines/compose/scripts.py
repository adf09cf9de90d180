"""Which writing system a string uses, and what that means for shaping (direction, language tag)."""

from __future__ import annotations

import unicodedata
from typing import Literal

Script = Literal["latin", "arabic", "hebrew", "devanagari"]
Direction = Literal["ltr", "rtl"]

_RANGES: tuple[tuple[int, int, Script], ...] = (
    (0x0590, 0x05FF, "hebrew"),
    (0xFB1D, 0xFB4F, "hebrew"),
    (0x0600, 0x06FF, "arabic"),
    (0x0750, 0x077F, "arabic"),
    (0x0870, 0x08FF, "arabic"),
    (0xFB50, 0xFDFF, "arabic"),
    (0xFE70, 0xFEFF, "arabic"),
    (0x0900, 0x097F, "devanagari"),
    (0xA8E0, 0xA8FF, "devanagari"),
)
_RTL: frozenset[str] = frozenset({"arabic", "hebrew"})
_LANGUAGE: dict[str, str] = {"latin": "en", "arabic": "ar", "hebrew": "he", "devanagari": "hi"}
_LANGUAGE_SCRIPT: dict[str, Script] = {
    "ar": "arabic",
    "fa": "arabic",
    "ur": "arabic",
    "he": "hebrew",
    "yi": "hebrew",
    "hi": "devanagari",
    "mr": "devanagari",
    "ne": "devanagari",
}


def _script_of(char: str) -> Script | None:
    code = ord(char)
    for low, high, script in _RANGES:
        if low <= code <= high:
            return script
    return "latin" if unicodedata.category(char).startswith("L") else None


def detect_script(text: str) -> Script:
    """The script most letters of ``text`` belong to (digits and punctuation do not vote); 'latin' if none."""
    counts: dict[Script, int] = {}
    for char in text:
        script = _script_of(char)
        if script is not None:
            counts[script] = counts.get(script, 0) + 1
    if not counts:
        return "latin"
    return max(sorted(counts), key=lambda s: counts[s])


def direction_of(script: Script) -> Direction:
    return "rtl" if script in _RTL else "ltr"


def language_tag(script: Script, copy_language: str) -> str:
    """The OpenType language tag for shaping: the copy's own language when it is written in ``script``."""
    primary = copy_language.split("-")[0].lower()
    if _LANGUAGE_SCRIPT.get(primary, "latin") == script:
        return primary
    return _LANGUAGE[script]

"""Text helpers shared by the copy checks: word tokens with character spans, normalisation, scripts.

Python's ``\\w`` does not cover combining marks, so Devanagari vowel signs or Arabic harakat would split
words in two. ``WORD_RE`` adds the combining-mark ranges of the scripts Assetline ships copy in, plus
ZWJ/ZWNJ, so a Hindi or Arabic word is one token. Apostrophes inside a word keep it whole ("world's").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_MARKS = (
    "\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7"  # Latin, Cyrillic, Hebrew
    "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed"  # Arabic
    "\u0900-\u0963\u0966-\u0dff"  # Indic blocks (Devanagari … Sinhala) except the dandas
    "\u0e31\u0e34-\u0e3a\u0e47-\u0e4e\u200c\u200d\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
)
_WORD_CHARS = rf"[^\W_]|[{_MARKS}]"
WORD_RE = re.compile(rf"(?:{_WORD_CHARS})+(?:['’](?:{_WORD_CHARS})+)*")
"""One word: letters, digits and combining marks, with inner apostrophes."""

CONNECTOR_RE = re.compile(r"^[^.,;:!?¡¿。，、،؛؟।…()\[\]{}\"“”«»|]*$")
"""What may stand between the words of a phrase and still count as the phrase: spaces, hyphens, slashes,
symbols ('100% natural') — anything but a sentence or clause break, bracket or quote."""

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'"})
_ARABIC_STRIP = re.compile("[\u0640\u064b-\u0652\u0670]")


@dataclass(frozen=True)
class Token:
    text: str
    """As written."""
    norm: str
    """Case-folded, NFKC, straight apostrophes, Arabic tatweel/harakat removed."""
    start: int
    end: int


def norm_word(word: str) -> str:
    """Comparison form of one word."""
    w = unicodedata.normalize("NFKC", word).casefold().translate(_APOSTROPHES)
    return _ARABIC_STRIP.sub("", w)


def tokens(text: str) -> list[Token]:
    """Words of ``text`` with their character spans in ``text``."""
    return [Token(m.group(), norm_word(m.group()), m.start(), m.end()) for m in WORD_RE.finditer(text)]


def normalise_text(text: str) -> str:
    """Loose comparison form of a text: words only, case-folded, single spaces (punctuation dropped)."""
    return " ".join(t.norm for t in tokens(text))


def is_latin_word(word: str) -> bool:
    return all(("a" <= c <= "z") or c in "'-" or c.isdigit() for c in word.lower()) and any(
        c.isalpha() for c in word)


SCRIPT_NAMES = ("LATIN", "ARABIC", "DEVANAGARI", "HEBREW", "CYRILLIC", "GREEK", "CJK", "HIRAGANA",
                "KATAKANA", "HANGUL", "THAI", "BENGALI", "TAMIL")


def dominant_script(text: str) -> str | None:
    """The script most letters of ``text`` are written in ('LATIN', 'ARABIC' …); None without letters."""
    counts: dict[str, int] = {}
    for ch in text:
        if not ch.isalpha():
            continue
        if ch.isascii():
            counts["LATIN"] = counts.get("LATIN", 0) + 1
            continue
        name = unicodedata.name(ch, "")
        script = next((s for s in SCRIPT_NAMES if name.startswith(s)), "OTHER")
        counts[script] = counts.get(script, 0) + 1
    if not counts:
        return None
    return max(counts, key=lambda k: counts[k])


_SCRIPT_LANGUAGE = {"ARABIC": "ar", "DEVANAGARI": "hi", "HEBREW": "he", "THAI": "th", "HANGUL": "ko",
                    "HIRAGANA": "ja", "KATAKANA": "ja", "BENGALI": "bn", "TAMIL": "ta", "GREEK": "el"}


def guess_language(text: str) -> str | None:
    """A primary language subtag implied by the script alone (None for Latin, Cyrillic, CJK: ambiguous)."""
    script = dominant_script(text)
    return _SCRIPT_LANGUAGE.get(script or "")


def primary_subtag(language: str | None) -> str | None:
    if not language:
        return None
    return language.replace("_", "-").split("-")[0].lower() or None

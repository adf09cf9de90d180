"""Which copy a segment reads (translation lookup) and in which direction it runs."""

from __future__ import annotations

import unicodedata
from typing import Literal

from assetline.spec.campaign import Concept, CopyOptions

Direction = Literal["ltr", "rtl"]

RTL_LANGUAGES = frozenset({
    # Arabic script
    "ar", "arz", "ary", "arq", "aeb", "apc", "acm", "afb", "ajp", "apd", "ayl", "shu",
    "fa", "prs", "ur", "ps", "sd", "ug", "ckb", "sdh", "ks", "pnb", "azb", "bal", "mzn", "glk", "lrc", "bqi",
    # Hebrew script
    "he", "iw", "yi", "ji", "jrb", "jpr",
    # others
    "dv", "syr", "arc", "nqo", "sam", "man", "mid",
})
"""Primary language subtags whose default script runs right to left."""

RTL_SCRIPTS = frozenset({
    "arab", "aran", "hebr", "syrc", "syre", "syrj", "syrn", "thaa", "nkoo", "adlm", "rohg", "samr",
    "mand", "mend", "yezi", "chrs", "sogd", "sogo", "ougr", "narb", "sarb", "nbat", "palm", "phnx",
})
"""ISO 15924 script codes (lower-case) written right to left, for tags such as 'pa-Arab'."""


def text_direction(language: str) -> Direction:
    """'rtl' for right-to-left language tags ('ar', 'he-IL', 'pa-Arab'), else 'ltr'.

    An explicit script subtag wins over the language ('az-Arab' is rtl, 'ku-Latn' ltr).
    """
    subtags = [s.lower() for s in language.replace("_", "-").split("-") if s]
    if not subtags:
        return "ltr"
    scripts = [s for s in subtags[1:] if len(s) == 4 and s.isalpha()]
    if scripts:
        return "rtl" if scripts[0] in RTL_SCRIPTS else "ltr"
    return "rtl" if subtags[0] in RTL_LANGUAGES else "ltr"


def direction_of_text(text: str) -> Direction | None:
    """Direction of the first strongly directional character (Unicode bidi class L, R or AL)."""
    for ch in text:
        bidi = unicodedata.bidirectional(ch)
        if bidi == "L":
            return "ltr"
        if bidi in ("R", "AL"):
            return "rtl"
    return None


def resolve_copy(concept: Concept, language: str) -> tuple[CopyOptions, str | None]:
    """The copy a segment speaking ``language`` reads, and the translation key used (None = default copy).

    Exact key first (what ``Concept.copy_for`` does), then a case-insensitive match, then the primary
    subtag ('ar-AE' reads the 'ar' translation).
    """
    if language in concept.translations:
        return concept.translations[language], language
    norm = language.replace("_", "-").lower()
    by_lower = {k.replace("_", "-").lower(): k for k in concept.translations}
    for key in (norm, norm.split("-")[0]):
        if key in by_lower:
            found = by_lower[key]
            return concept.translations[found], found
    return concept.copy_for(language), None

"""The voice-over script: the campaign's template filled with the copy, read aloud as written.

Usage::

    build_script("{headline}. {body}. {cta}.", {"headline": "Summer sale", "cta": "Shop now!"})
    # -> "Summer sale. Shop now!"       (no body: '{body}.' is dropped with its full stop; no '!.')

A field the copy lacks (or leaves empty) is dropped together with the punctuation that follows it, so the
voice never says an empty sentence and the captions never show a stray full stop. A field that already ends in
punctuation keeps its own ("Shop now!") instead of gaining the template's (no "Shop now!.").
"""

from __future__ import annotations

import re

from assetline.errors import SpecError

FIELDS = ("headline", "body", "cta")
"""The copy fields a template may name."""

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_PUNCTUATION = ".,;:!?…。؟،।"
"""Marks a template attaches to a field (Latin, Arabic comma/question mark, Devanagari danda)."""
_LEADING_PUNCTUATION = re.compile(rf"^[{re.escape(_PUNCTUATION)}]+")
_SPACE_BEFORE_MARK = re.compile(rf"\s+([{re.escape(_PUNCTUATION)}])")
_DANGLING = " \t,;:-–—،"
"""Separators left at either end once the fields around them are dropped."""


def build_script(template: str, fields: dict[str, str]) -> str:
    """Fill ``{headline}``/``{body}``/``{cta}`` from the copy; drop empty fields with their punctuation.

    Raises SpecError for a placeholder that is not a copy field (the template comes from the campaign, so the
    campaign is what needs fixing). Returns '' when every field is empty.
    """
    names = _PLACEHOLDER.findall(template)
    unknown = sorted({n for n in names if n not in FIELDS})
    if unknown:
        raise SpecError(
            f"voice-over script template names unknown field(s): {', '.join('{' + n + '}' for n in unknown)}",
            hint=f"use only {', '.join('{' + f + '}' for f in FIELDS)} in motion.voiceover.script",
        )
    literals = _PLACEHOLDER.split(template)[::2]
    out: list[str] = [literals[0]]
    for name, literal in zip(names, literals[1:], strict=True):
        value = " ".join(fields.get(name, "").split())
        if not value or value[-1] in _PUNCTUATION:
            literal = _LEADING_PUNCTUATION.sub("", literal)
        out.append(value)
        out.append(literal)
    text = " ".join("".join(out).split())
    text = _SPACE_BEFORE_MARK.sub(r"\1", text)
    text = _LEADING_PUNCTUATION.sub("", text.strip(_DANGLING)).strip(_DANGLING)
    return text if count_words(text) else ""


def count_words(text: str) -> int:
    """Words spoken: whitespace-separated tokens holding a letter or digit (any script; dashes do not count).

    Counting tokens rather than ``\\w+`` runs keeps Devanagari words whole (their vowel signs are not ``\\w``).
    """
    return sum(1 for token in text.split() if any(ch.isalnum() for ch in token))

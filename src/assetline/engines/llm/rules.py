"""The rules every generated (or translated) text must pass before the engine offers it.

They are the blocking rules of the QC gate ``copy.rules`` (``assetline.qc.copy_rules``), applied per
alternative so a bad option is dropped instead of failing the asset later:

==============  ========================================================================================
rule            drops a text that …
==============  ========================================================================================
empty           is blank
length          is longer than the format's limit for its field (NFC characters, as the gate counts)
banned_term     contains one of ``voice.banned_terms`` (whole words, inflections, phrases: see text/term_match.py)
banned_claim    contains one of ``voice.banned_claims`` (the same, with one filler word allowed in claims
                of three or more words, the gate's default ``claim_max_gap``)
exclamations    has more '!' than ``voice.max_exclamations``, or stacked punctuation such as '!!' or '?!'
disclaimer      repeats a required disclaimer (the layout sets it as the legal line)
rejected        was rejected by a reviewer (``request.exclude``; case and spacing ignored)
==============  ========================================================================================

Usage::

    rules = CopyRules.for_request(voice, limits={"headline": 40}, exclude=(), disclaimers=[])
    rules.problems("headline", "Cheap coffee!!")   # ["banned term 'cheap'", "stacked punctuation '!!'"]
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from assetline.spec.brand import Voice
from assetline.text.term_match import TermMatcher
from assetline.text.textutil import normalise_text

_EXCLAIM_STACK = re.compile(r"[!！¡?？]*[!！¡][!！¡?？]*")


def char_count(text: str) -> int:
    """Length as the QC gate measures it: NFC characters of the stripped text."""
    return len(unicodedata.normalize("NFC", text.strip()))


def _loose(text: str) -> str:
    return normalise_text(text)


@dataclass(frozen=True)
class Rejection:
    field: str
    text: str
    reasons: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.field} {self.text!r}: {', '.join(self.reasons)}"


class CopyRules:
    """The rule set for one request: the kit's voice, the format's limits, the reviewer's rejects."""

    def __init__(self, *, banned_terms: Sequence[str] = (), banned_claims: Sequence[str] = (),
                 max_exclamations: int = 1, limits: Mapping[str, int | None] | None = None,
                 exclude: Sequence[str] = (), disclaimers: Sequence[str] = ()) -> None:
        self.terms = TermMatcher(banned_terms)
        self.claims = TermMatcher(banned_claims, max_gap=1)
        self.max_exclamations = max_exclamations
        self.limits = dict(limits or {})
        self.exclude = {" ".join(t.casefold().split()) for t in exclude}
        self.disclaimers = [d for d in (_loose(x) for x in disclaimers) if d]

    @classmethod
    def for_request(cls, voice: Voice, limits: Mapping[str, int | None], exclude: Sequence[str],
                    disclaimers: Sequence[str]) -> CopyRules:
        return cls(banned_terms=voice.banned_terms, banned_claims=voice.banned_claims,
                   max_exclamations=voice.max_exclamations, limits=limits, exclude=exclude,
                   disclaimers=disclaimers)

    def problems(self, field: str, text: str) -> list[str]:
        """Why ``text`` may not be used as ``field`` (empty: it may)."""
        if not text.strip():
            return ["empty"]
        out: list[str] = []
        limit = self.limits.get(field)
        n = char_count(text)
        if limit is not None and n > limit:
            out.append(f"too long: {n} > {limit} chars")
        out += [f"banned claim '{m.term}'" for m in self.claims.find(text)]
        out += [f"banned term '{m.term}'" for m in self.terms.find(text)]
        marks = 0
        for m in _EXCLAIM_STACK.finditer(text):
            marks += sum(c in "!！¡" for c in m.group())
            if len(m.group()) >= 2:
                out.append(f"stacked punctuation '{m.group()}'")
        if marks > self.max_exclamations:
            out.append(f"{marks} exclamation marks (the voice allows {self.max_exclamations})")
        loose = _loose(text)
        if any(d in loose for d in self.disclaimers):
            out.append("repeats the required disclaimer (the layout adds it)")
        if " ".join(text.casefold().split()) in self.exclude:
            out.append("rejected in review")
        return out

    def split(self, field: str, texts: Sequence[str]) -> tuple[list[str], list[Rejection]]:
        """(texts that pass, in order and without repeats; rejections with their reasons)."""
        kept: list[str] = []
        dropped: list[Rejection] = []
        for text in texts:
            reasons = self.problems(field, text)
            if reasons:
                dropped.append(Rejection(field, text, tuple(reasons)))
            elif text not in kept:
                kept.append(text)
        return kept, dropped

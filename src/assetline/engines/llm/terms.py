"""Banned-term matching for generated copy, mirroring the QC gate's rules (``assetline.qc.term_match``).

The engine must never hand the QC gate copy it would fail, but engines do not import the QC package (package
direction: QC judges engines, not the reverse). This module repeats the gate's matching rules so both agree:

- whole words, case-folded, NFKC, straight apostrophes, Arabic tatweel/harakat ignored;
- each Latin-script word of a term also matches its regular English inflections ('cheap' → 'cheaper',
  'cheapest', 'cheaply'; 'cures' bans 'cure', 'cured', 'curing'); other scripts match the exact word;
- phrases match word by word across spaces, hyphens and symbols, and closed up ('weight loss' → 'weightloss');
  a clause break ('.', ',', '!') between two words stops the phrase; ``max_gap`` filler words are allowed in
  phrases of three or more words (the gate's ``claim_max_gap``, 1 for claims).

Usage::

    matcher = TermMatcher(["cheap", "world's best"])
    matcher.find("Cheaper than ever")   # ['cheap']
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

_MARKS = (
    "\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7"
    "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed"
    "\u0900-\u0963\u0966-\u0dff"
    "\u0e31\u0e34-\u0e3a\u0e47-\u0e4e\u200c\u200d\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
)
_WORD_CHARS = rf"[^\W_]|[{_MARKS}]"
_WORD_RE = re.compile(rf"(?:{_WORD_CHARS})+(?:['’](?:{_WORD_CHARS})+)*")
_CONNECTOR_RE = re.compile(r"^[^.,;:!?¡¿。，、،؛؟।…()\[\]{}\"“”«»|]*$")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'"})
_ARABIC_STRIP = re.compile("[\u0640\u064b-\u0652\u0670]")
_VOWELS = set("aeiou")


@dataclass(frozen=True)
class Word:
    norm: str
    start: int
    end: int


def words(text: str) -> list[Word]:
    """The words of ``text`` in comparison form, with their spans."""
    out = []
    for m in _WORD_RE.finditer(text):
        norm = _ARABIC_STRIP.sub("", unicodedata.normalize("NFKC", m.group()).casefold().translate(_APOSTROPHES))
        out.append(Word(_strip_possessive(norm), m.start(), m.end()))
    return out


def _strip_possessive(word: str) -> str:
    return word[:-2] if word.endswith("'s") else word[:-1] if word.endswith("'") else word


def _is_latin(word: str) -> bool:
    return all(("a" <= c <= "z") or c in "'-" or c.isdigit() for c in word) and any(c.isalpha() for c in word)


def _stem_variants(stem: str) -> set[str]:
    out = {stem, stem + "e"}
    if len(stem) > 2 and stem[-1] == stem[-2] and stem[-1] not in _VOWELS | {"l", "s"}:
        out.add(stem[:-1])
    return out


def _bases(word: str) -> set[str]:
    out = {word}
    if len(word) < 4:
        return out
    if word.endswith("ies"):
        out.add(word[:-3] + "y")
    elif word.endswith(("ches", "shes", "sses", "xes", "zes")):
        out.add(word[:-2])
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        out.add(word[:-1])
    if word.endswith("ied"):
        out.add(word[:-3] + "y")
    elif word.endswith("ed") and len(word) > 4:
        out |= _stem_variants(word[:-2])
    if word.endswith("ing") and len(word) > 5:
        out |= _stem_variants(word[:-3])
    return out


def _inflect(w: str) -> set[str]:
    forms = {w, w + "s", w + "es"}
    last, prev = w[-1], w[-2]
    if last == "e":
        stem = w[:-1]
        forms |= {w + "d", w + "r", w + "rs", w + "st", w + "ly", stem + "y",
                  w + "ing" if w.endswith(("ee", "ye", "oe")) else stem + "ing"}
    elif last == "y" and prev not in _VOWELS:
        stem = w[:-1]
        forms |= {stem + s for s in ("ies", "ied", "ier", "iers", "iest", "ily")} | {w + "ing"}
    else:
        forms |= {w + s for s in ("ed", "ing", "er", "ers", "est", "ly")}
        if len(w) >= 3 and last not in _VOWELS | {"w", "x", "y"} and prev in _VOWELS and w[-3] not in _VOWELS:
            forms |= {w + last + s for s in ("ed", "ing", "er", "ers", "est", "y")}
        if w.endswith("ic"):
            forms.add(w + "ally")
        if w.endswith("le"):
            forms.add(w[:-1] + "y")
    return forms


def inflections(word: str) -> set[str]:
    """``word`` and its regular English inflections (Latin-script words; anything else as is)."""
    w = _strip_possessive(word)
    if not _is_latin(w) or not w.isalpha():
        return {w}
    if len(w) < 3:
        return {w, w + "s"}
    return {f for b in _bases(w) for f in _inflect(b)}


@dataclass(frozen=True)
class _Term:
    term: str
    words: tuple[frozenset[str], ...]
    max_gap: int


def _compounds(parts: list[str], forms: tuple[frozenset[str], ...]) -> list[tuple[frozenset[str], ...]]:
    """Every way of writing a phrase with neighbouring words closed up (phrases of at most five words)."""
    n = len(parts)
    if n == 1 or n > 5 or not all(w.isalpha() for w in parts):
        return [forms]
    out: list[tuple[frozenset[str], ...]] = []
    for cuts in range(1 << (n - 1)):
        groups: list[frozenset[str]] = []
        start = 0
        for k in range(n):
            if k == n - 1 or cuts >> k & 1:
                head = "".join(parts[start:k])
                groups.append(frozenset(head + f for f in forms[k]) if head else forms[k])
                start = k + 1
        out.append(tuple(groups))
    return out


class TermMatcher:
    """A compiled term list; ``find(text)`` returns the configured terms that occur in ``text``."""

    def __init__(self, terms: Iterable[str], *, max_gap: int = 0, gap_min_words: int = 3) -> None:
        self._terms: list[_Term] = []
        self._by_first: dict[str, list[int]] = {}
        for term in dict.fromkeys(t.strip() for t in terms if t and t.strip()):
            parts = [w.norm for w in words(term)]
            if not parts:
                continue
            forms = tuple(frozenset(inflections(w)) for w in parts)
            gap = max_gap if len(parts) >= gap_min_words else 0
            for variant in _compounds(parts, forms):
                self._terms.append(_Term(term, variant, gap if len(variant) == len(parts) else 0))
                for f in variant[0]:
                    self._by_first.setdefault(f, []).append(len(self._terms) - 1)

    def find(self, text: str) -> list[str]:
        """The terms found in ``text``, each once, in order of first occurrence."""
        toks = words(text)
        found: list[str] = []
        for i, tok in enumerate(toks):
            for index in self._by_first.get(tok.norm, ()):
                term = self._terms[index]
                if self._match_from(term, text, toks, i) and term.term not in found:
                    found.append(term.term)
        return found

    @staticmethod
    def _match_from(term: _Term, text: str, toks: list[Word], i: int) -> bool:
        pos, gaps = i, term.max_gap
        for forms in term.words[1:]:
            nxt = pos + 1
            while True:
                if nxt >= len(toks) or not _CONNECTOR_RE.match(text[toks[nxt - 1].end:toks[nxt].start]):
                    return False
                if toks[nxt].norm in forms:
                    break
                if gaps == 0:
                    return False
                gaps -= 1
                nxt += 1
            pos = nxt
        return True

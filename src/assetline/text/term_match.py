"""Find configured terms and phrases in copy: word boundaries, case-insensitive, with English inflections.

How a term matches (the rules the copy and bias checks document):

- Whole words only: 'cheap' matches 'Cheap', 'cheaper', 'cheapest', 'cheaply', but not 'cheapside' or
  'cheapskate' (a different word; list it if it is banned too).
- Inflections are generated, not stemmed: each Latin-script word of a term expands to its plural,
  possessive, -ed/-ing/-er/-est/-ly forms (with the usual spelling rules: 'cure' → 'cures', 'cured',
  'curing'; 'cry' → 'cries', 'cried'; 'stop' → 'stopped'). An already inflected term ('cures') is
  reduced to its base first, so it bans the same family. Other scripts match the exact word
  (case-folded, NFKC, Arabic diacritics ignored).
- Phrases match word by word across spaces, hyphens, dashes, slashes and symbols ('weight loss' finds
  'weight-loss' and 'weight  loss'; '100% natural' finds itself), also with neighbouring words closed
  up ('weightloss'); a sentence or clause break ('.', ',', '!', ';') between two words stops the
  phrase. ``max_gap`` lets longer claims skip filler words ('guaranteed rapid weight loss').
- A word written with symbols ('f*ck', 'sh!t', 'a$$') is also tried against the term list
  (``deobfuscate=True``; used for profanity).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from assetline.text.textutil import CONNECTOR_RE, Token, is_latin_word, tokens

_VOWELS = set("aeiou")


def _strip_possessive(word: str) -> str:
    if word.endswith("'s"):
        return word[:-2]
    if word.endswith("'"):
        return word[:-1]
    return word


def _bases(word: str) -> set[str]:
    """Plausible base forms of an English word (the word itself included)."""
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
        stem = word[:-2]
        out |= {stem, stem + "e"}
        if len(stem) > 2 and stem[-1] == stem[-2] and stem[-1] not in _VOWELS | {"l", "s"}:
            out.add(stem[:-1])
    if word.endswith("ing") and len(word) > 5:
        stem = word[:-3]
        out |= {stem, stem + "e"}
        if len(stem) > 2 and stem[-1] == stem[-2] and stem[-1] not in _VOWELS | {"l", "s"}:
            out.add(stem[:-1])
    return out


def inflections(word: str) -> set[str]:
    """``word`` and its regular English inflections (lower-case Latin words; anything else as is)."""
    w = _strip_possessive(word)
    if not is_latin_word(w) or not w.isalpha():
        return {w}
    if len(w) < 3:
        return {w, w + "s"}
    forms: set[str] = set()
    for b in _bases(w):
        forms |= _inflect(b)
    return forms


def _inflect(w: str) -> set[str]:
    forms = {w, w + "s", w + "es"}
    last, prev = w[-1], w[-2]
    if last == "e":
        stem = w[:-1]
        forms |= {w + "d", w + "r", w + "rs", w + "st", w + "ly", stem + "y",
                  w + "ing" if w.endswith(("ee", "ye", "oe")) else stem + "ing"}
    elif last == "y" and prev not in _VOWELS:
        stem = w[:-1]
        forms |= {stem + "ies", stem + "ied", stem + "ier", stem + "iers", stem + "iest", stem + "ily",
                  w + "ing"}
    else:
        forms |= {w + "ed", w + "ing", w + "er", w + "ers", w + "est", w + "ly"}
        cvc = (len(w) >= 3 and last not in _VOWELS | {"w", "x", "y"} and prev in _VOWELS
               and w[-3] not in _VOWELS)
        if cvc:
            forms |= {w + last + "ed", w + last + "ing", w + last + "er", w + last + "ers", w + last + "est",
                      w + last + "y"}
        if w.endswith("ic"):
            forms.add(w + "ally")
        if w.endswith("le"):
            forms.add(w[:-1] + "y")
    return forms


@dataclass(frozen=True)
class TermMatch:
    term: str
    """The configured term that matched."""
    text: str
    """The words as written in the copy."""
    start: int
    end: int


@dataclass(frozen=True)
class _Term:
    term: str
    words: tuple[frozenset[str], ...]
    max_gap: int


def _compounds(words: list[str], forms: tuple[frozenset[str], ...]) -> list[tuple[frozenset[str], ...]]:
    """Every way of writing a phrase with some neighbouring words closed up ('weight loss' → 'weightloss').

    A closed-up group keeps the inflections of its last word. Phrases of more than five words are only
    written as given (the number of ways doubles with each word)."""
    n = len(words)
    if n == 1 or n > 5 or not all(w.isalpha() for w in words):
        return [forms]
    out: list[tuple[frozenset[str], ...]] = []
    for cuts in range(1 << (n - 1)):
        groups: list[frozenset[str]] = []
        start = 0
        for k in range(n):
            if k == n - 1 or cuts >> k & 1:  # a space after word k
                head = "".join(words[start:k])
                groups.append(frozenset(head + f for f in forms[k]) if head else forms[k])
                start = k + 1
        out.append(tuple(groups))
    return out


_LEET = str.maketrans({"@": "a", "$": "s", "0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t",
                       "!": "i", "+": "t", "€": "e"})
_OBFUSCATED_RE = re.compile(r"[A-Za-z@$*!0-9#+€]+")


class TermMatcher:
    """Compiled term list; ``find(text)`` returns every match with its character span."""

    def __init__(self, terms: Iterable[str], *, inflect: bool = True, max_gap: int = 0,
                 gap_min_words: int = 3, deobfuscate: bool = False) -> None:
        self._terms: list[_Term] = []
        self._by_first: dict[str, list[int]] = {}
        self._deobfuscate = deobfuscate
        for term in dict.fromkeys(t.strip() for t in terms if t and t.strip()):
            words = [_strip_possessive(t.norm) for t in tokens(term)]
            if not words:
                continue
            forms = tuple(frozenset(inflections(w) if inflect else {w}) for w in words)
            gap = max_gap if len(words) >= gap_min_words else 0
            for variant in _compounds(words, forms):
                index = len(self._terms)
                self._terms.append(_Term(term, variant, gap if len(variant) == len(words) else 0))
                for f in variant[0]:
                    self._by_first.setdefault(f, []).append(index)
        self._all_forms: frozenset[str] = frozenset(
            f for t in self._terms if len(t.words) == 1 for f in t.words[0])

    def __len__(self) -> int:
        return len(self._terms)

    def find(self, text: str, toks: list[Token] | None = None) -> list[TermMatch]:
        toks = tokens(text) if toks is None else toks
        keys = [_strip_possessive(t.norm) for t in toks]
        found: list[TermMatch] = []
        for i, key in enumerate(keys):
            for index in self._by_first.get(key, ()):
                end = self._match_from(self._terms[index], text, toks, keys, i)
                if end is not None:
                    found.append(TermMatch(self._terms[index].term, text[toks[i].start:toks[end].end],
                                           toks[i].start, toks[end].end))
        if self._deobfuscate:
            found.extend(self._find_obfuscated(text))
        return _dedupe(found)

    def _match_from(self, term: _Term, text: str, toks: list[Token], keys: list[str], i: int) -> int | None:
        """Index of the last token of ``term`` matched from token ``i``, or None."""
        pos, gaps = i, term.max_gap
        for forms in term.words[1:]:
            nxt = pos + 1
            while True:
                if nxt >= len(toks) or not CONNECTOR_RE.match(text[toks[nxt - 1].end:toks[nxt].start]):
                    return None
                if keys[nxt] in forms:
                    break
                if gaps == 0:
                    return None
                gaps -= 1
                nxt += 1
            pos = nxt
        return pos

    def _find_obfuscated(self, text: str) -> list[TermMatch]:
        out: list[TermMatch] = []
        for m in _OBFUSCATED_RE.finditer(text):
            raw = m.group()
            core = raw.rstrip("!*#").lstrip("*#")
            if not core or core.isalpha() or core.isdigit() or sum(c.isalpha() for c in core) < 1:
                continue
            if not any(not c.isalpha() for c in core[1:]):
                continue  # symbols only at the front ('#1', '$5') are not disguise
            pattern = "".join("[a-z]" if c in "*#" else re.escape(c) for c in core.lower().translate(_LEET))
            rx = re.compile(pattern)
            for form in self._all_forms:
                if rx.fullmatch(form):
                    start = m.start() + raw.index(core)
                    term = next(t.term for t in self._terms if len(t.words) == 1 and form in t.words[0])
                    out.append(TermMatch(term, core, start, start + len(core)))
                    break
        return out


def _dedupe(matches: list[TermMatch]) -> list[TermMatch]:
    """Drop matches contained in a longer match of the same term; keep order by position."""
    matches.sort(key=lambda m: (m.start, -(m.end - m.start)))
    out: list[TermMatch] = []
    for m in matches:
        if any(o.term == m.term and o.start <= m.start and m.end <= o.end for o in out):
            continue
        out.append(m)
    return out

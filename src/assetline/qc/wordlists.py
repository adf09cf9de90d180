"""Word lists shipped as data in ``assetline/qc/data`` (read once, cached) and compiled term matchers."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from assetline.text.term_match import TermMatcher


def _lines(name: str) -> list[str]:
    text = (resources.files("assetline.qc") / "data" / name).read_text(encoding="utf-8")
    return [ln.rstrip("\n") for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


@cache
def profanity() -> dict[str, str]:
    """Profane word → 'strong' or 'mild'."""
    out: dict[str, str] = {}
    for line in _lines("profanity_en.txt"):
        word = line.strip().lower()
        tier = "strong"
        if word.endswith(" mild"):
            word, tier = word[: -len(" mild")].strip(), "mild"
        out[word] = tier
    return out


@dataclass(frozen=True)
class GenderCoded:
    masculine: tuple[str, ...]
    feminine: tuple[str, ...]
    exclusions: frozenset[str]


@cache
def gender_coded() -> GenderCoded:
    """Gaucher, Friesen & Kay (2011) stems, as typed into data/gender_coded_en.txt."""
    m: list[str] = []
    f: list[str] = []
    x: set[str] = set()
    for line in _lines("gender_coded_en.txt"):
        kind, _, stem = line.strip().partition(" ")
        stem = stem.strip().lower()
        if kind == "m":
            m.append(stem)
        elif kind == "f":
            f.append(stem)
        elif kind == "x":
            x.add(stem)
    return GenderCoded(tuple(m), tuple(f), frozenset(x))


@dataclass(frozen=True)
class InclusiveEntry:
    term: str
    suggestion: str
    category: str


@cache
def inclusive_terms() -> dict[str, InclusiveEntry]:
    out: dict[str, InclusiveEntry] = {}
    for line in _lines("inclusive_en.tsv"):
        parts = [p.strip() for p in line.split("\t")]
        if len(parts) >= 2:
            category = parts[2] if len(parts) > 2 else "other"
            out[parts[0].lower()] = InclusiveEntry(parts[0], parts[1], category)
    return out


@lru_cache(maxsize=256)
def matcher(terms: tuple[str, ...], *, inflect: bool = True, max_gap: int = 0,
            deobfuscate: bool = False) -> TermMatcher:
    """A compiled ``TermMatcher`` for ``terms`` (cached: brand lists repeat for every asset)."""
    return TermMatcher(terms, inflect=inflect, max_gap=max_gap, deobfuscate=deobfuscate)

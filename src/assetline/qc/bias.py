"""``copy.bias``: gender-coded wording and non-inclusive language in the copy on an asset.

1. Gender coding, after Gaucher, Friesen & Kay (2011): the masculine- and feminine-coded word stems
   of their Appendix A (with the Gender Decoder's spelling variants) live in data/gender_coded_en.txt.
   A word is coded when it starts with a stem ('ambitio' → 'ambitious'); words are split on anything
   but letters and hyphens, and a hyphenated word that is not itself a coded stem ('self-confident' is)
   is split into its parts, as the Gender Decoder does. The copy is "clearly coded" one way when the
   difference between the two counts reaches ``min_difference`` (default 2) → warn. Counts and the
   coded words are always in the evidence.
2. Inclusive language: data/inclusive_en.tsv lists terms ('chairman', 'manpower', 'guys', 'crazy',
   'blacklist', 'digital native' …) with suggested replacements; any match → warn, each finding with
   its suggestion, field and span. Matching follows ``assetline.text.term_match`` (whole words,
   inflections, phrases across hyphens).

Both lists are English; copy in other scripts gets 'na' unless the brand adds its own terms
(``settings['copy.bias']['inclusive_extra'] = {term: suggestion}``).
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from assetline.qc.base import AssetUnderCheck, CheckContext, CheckResult, Status
from assetline.qc.wordlists import gender_coded, inclusive_terms, matcher
from assetline.text.textutil import dominant_script

_CODED_WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")


def coded_words(text: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(masculine, feminine) coded words in ``text``: each {'word', 'stem', 'span'}."""
    lists = gender_coded()
    hyphen_stems = tuple(s for s in (*lists.masculine, *lists.feminine) if "-" in s)
    masc: list[dict[str, Any]] = []
    fem: list[dict[str, Any]] = []
    for m in _CODED_WORD.finditer(text):
        word = m.group().lower()
        parts: list[tuple[str, int]] = [(word, m.start())]
        if "-" in word and not word.startswith(hyphen_stems):
            parts, offset = [], m.start()
            for piece in word.split("-"):
                parts.append((piece, offset))
                offset += len(piece) + 1
        for piece, start in parts:
            if not piece or piece in lists.exclusions:
                continue
            for stems, bucket in ((lists.masculine, masc), (lists.feminine, fem)):
                if piece.startswith(stems):
                    stem = next(s for s in stems if piece.startswith(s))
                    bucket.append({"word": text[start:start + len(piece)], "stem": stem,
                                   "span": [start, start + len(piece)]})
    return masc, fem


class BiasCheck:
    """Gender-coded wording (Gaucher et al. 2011) and an inclusive-language list with suggestions."""

    id: ClassVar[str] = "copy.bias"
    version: ClassVar[str] = "1"
    description: ClassVar[str] = ("Copy is not clearly gender-coded (Gaucher, Friesen & Kay 2011) and avoids "
                                  "non-inclusive terms (with suggested replacements).")

    def run(self, asset: AssetUnderCheck, context: CheckContext) -> CheckResult:
        settings = context.for_check(self.id)
        skip = settings.get("skip_fields", ["disclaimer"])
        fields = {k: v for k, v in (asset.copy or {}).items()
                  if isinstance(v, str) and v.strip() and k not in skip}
        if not fields:
            return CheckResult(self.id, self.version, "na", "No copy on this asset.")
        extra: dict[str, str] = dict(settings.get("inclusive_extra", {}))
        latin = dominant_script(" ".join(fields.values())) == "LATIN"
        if not latin and not extra:
            return CheckResult(self.id, self.version, "na",
                               "The bias word lists are English; this copy is in another script.")
        severity: Status = settings.get("severity", "warn")
        min_difference = int(settings.get("min_difference", 2))

        # 1. Gender-coded words per field
        masc: list[dict[str, Any]] = []
        fem: list[dict[str, Any]] = []
        if latin:
            for name, text in fields.items():
                m, f = coded_words(text)
                masc += [{**w, "field": name} for w in m]
                fem += [{**w, "field": name} for w in f]
        diff = len(fem) - len(masc)
        side = "feminine-coded" if diff > 0 else "masculine-coded"
        coding = ("neutral" if diff == 0 and masc else "empty" if diff == 0 else
                  ("strongly " if abs(diff) > 3 else "") + side)
        gender_flag = abs(diff) >= min_difference

        # 2. Inclusive-language terms
        entries = inclusive_terms() if latin else {}
        suggestions = {k: e.suggestion for k, e in entries.items()} | {k.lower(): v for k, v in extra.items()}
        categories = {k: e.category for k, e in entries.items()}
        allow = {w.lower() for w in settings.get("inclusive_allow", [])}
        terms = matcher(tuple(k for k in suggestions if k not in allow))
        inclusive: list[dict[str, Any]] = []
        for name, text in fields.items():
            for hit in terms.find(text):
                key = hit.term.lower()
                inclusive.append({"term": hit.text, "listed": hit.term, "suggestion": suggestions[key],
                                  "category": categories.get(key, "brand"), "field": name,
                                  "span": [hit.start, hit.end]})

        evidence: dict[str, Any] = {
            "gender": {"masculine_count": len(masc), "feminine_count": len(fem), "coding": coding,
                       "masculine": masc, "feminine": fem, "min_difference": min_difference,
                       "source": "Gaucher, Friesen & Kay (2011)"},
            "inclusive": inclusive,
        }
        problems: list[str] = []
        if gender_flag:
            words = [w["word"] for w in (fem if diff > 0 else masc)]
            problems.append(f"copy is {coding} ({len(masc)} masculine vs {len(fem)} feminine words: "
                            f"{', '.join(words[:5])})")
        for item in inclusive[:3]:
            problems.append(f"'{item['term']}' → consider '{item['suggestion']}'")
        if len(inclusive) > 3:
            problems.append(f"+{len(inclusive) - 3} more terms")
        status: Status = severity if problems else "pass"
        message = ("Copy reads as gender-balanced and uses inclusive terms." if not problems
                   else "Bias: " + "; ".join(problems) + ".")
        return CheckResult(self.id, self.version, status, message, score=float(diff), evidence=evidence)

"""``copy.rules``: the brand's voice rules and the channel's text limits, applied to the copy on an asset.

Sub-rules, each with a default severity (override per rule with ``settings['copy.rules']['severity']``):

=================  =======  ===========================================================================
rule               default  what it finds
=================  =======  ===========================================================================
length             fail     a field longer than ``format.text_limits`` (or ``settings.text_limits``)
banned_claim       fail     ``voice.banned_claims`` (inflections, phrases; ``claim_max_gap`` filler words)
banned_term        fail     ``voice.banned_terms`` (inflections, phrases, whole words only)
disclaimer         fail     a ``voice.required_disclaimers`` entry for this segment/language is missing
profanity          fail     words from data/profanity_en.txt (+ ``profanity_extra`` − ``profanity_allow``);
                            words marked mild there only warn
shouting           warn     an ALL-CAPS word longer than 4 letters (acronyms such as 'NASA', 'UK' pass),
                            or a run of 3+ capitalised words ('BUY IT NOW')
exclamations       warn     '!!'-style stacks, or more '!' than ``voice.max_exclamations`` in one field
                            (``exclamation_scope: asset`` counts all fields together)
readability        warn     Flesch–Kincaid grade above ``voice.reading_grade_max`` (Latin-script copy of
                            at least ``min_words_for_grade`` words; 'na' for other scripts)
=================  =======  ===========================================================================

Term matching rules (word boundaries, inflections, 'cheap' ≠ 'cheapside') are documented in
``assetline.text.term_match``. Which disclaimers apply is ``Voice.disclaimers_for`` (the rule the composer
places them by): ``segments`` hold '*' or the asset's segment id (an asset without a segment only needs
the '*' ones) and ``languages`` hold '*' or the asset's language (primary subtag; when the language is
unknown and cannot be told from the script, the disclaimer applies). A disclaimer counts as present only
where a viewer can read it, compared after normalisation (case, punctuation and whitespace ignored):

- an asset from Assetline's composer (``asset.elements`` is not None): in the text of its ``legal``
  elements — the line the composer rendered. Copy fields do not count: a disclaimer the composer left out
  (no room, see its warnings) is missing;
- any other image (``assetline check FILE --copy COPY.json``): in all copy fields joined, the
  'disclaimer' field included.

``evidence['disclaimers']`` lists each applicable one with ``present`` and ``where`` ('legal line' or
'copy fields'); ``evidence['disclaimer_source']`` says which was searched.

Every finding in ``evidence['findings']`` names the rule, the field and the character span in it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any, ClassVar

from assetline.qc.base import AssetUnderCheck, CheckContext, CheckResult, Status, worst
from assetline.qc.readability import flesch_kincaid
from assetline.qc.wordlists import matcher, profanity
from assetline.spec.brand import Voice
from assetline.text.textutil import dominant_script, guess_language, normalise_text, primary_subtag, tokens

DEFAULT_SEVERITY: dict[str, Status] = {
    "length": "fail", "banned_claim": "fail", "banned_term": "fail", "disclaimer": "fail",
    "profanity": "fail", "shouting": "warn", "exclamations": "warn", "readability": "warn",
}
GRADED_FIELDS = ("headline", "subhead", "body", "cta")
_EXCLAIM_STACK = re.compile(r"[!！¡?？]*[!！¡][!！¡?？]*")


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Status
    field: str | None
    detail: str
    span: tuple[int, int] | None = None
    match: str | None = None
    term: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"rule": self.rule, "severity": self.severity, "field": self.field,
                               "detail": self.detail}
        if self.span is not None:
            out["span"] = list(self.span)
        if self.match is not None:
            out["match"] = self.match
        if self.term is not None:
            out["term"] = self.term
        return out


class CopyRulesCheck:
    """Length, banned terms and claims, required disclaimers, profanity, readability and shouting."""

    id: ClassVar[str] = "copy.rules"
    version: ClassVar[str] = "2"
    description: ClassVar[str] = ("Copy follows the brand voice and channel limits: length, banned terms and "
                                  "claims, disclaimers, profanity, reading grade, shouting.")

    def run(self, asset: AssetUnderCheck, context: CheckContext) -> CheckResult:
        settings = context.for_check(self.id)
        fields = {k: v for k, v in (asset.copy or {}).items() if isinstance(v, str) and v.strip()}
        if not fields:
            return CheckResult(self.id, self.version, "na", "No copy on this asset.")
        voice = asset.brand.voice if asset.brand is not None else Voice()
        severity = {**DEFAULT_SEVERITY, **settings.get("severity", {})}
        findings: list[Finding] = []
        evidence: dict[str, Any] = {}

        # 1. Length per field
        findings += self._length(asset, fields, settings, severity, evidence)
        # 2. Banned claims and terms, profanity (per field, with spans)
        findings += self._terms(voice, fields, settings, severity)
        # 3. Required disclaimers
        findings += self._disclaimers(asset, voice, fields, severity, evidence)
        # 4. Shouting and exclamation stacks
        findings += self._shouting(asset, voice, fields, settings, severity)
        # 5. Reading grade
        findings += self._readability(voice, fields, settings, severity, evidence)

        statuses: list[str] = [f.severity for f in findings]
        status = worst(statuses) if findings else "pass"
        evidence["findings"] = [f.to_dict() for f in findings]
        evidence["rules"] = {rule: worst([str(f.severity) for f in findings if f.rule == rule]) or "pass"
                             for rule in DEFAULT_SEVERITY}
        for rule, st in evidence["rules"].items():
            if st == "na":
                evidence["rules"][rule] = "pass"
        if not findings:
            message = "Copy follows the voice rules and channel limits."
        else:
            ranked = sorted(findings, key=lambda f: 0 if f.severity == "fail" else 1)
            head = "; ".join(f.detail for f in ranked[:3])
            more = f" (+{len(findings) - 3} more)" if len(findings) > 3 else ""
            message = f"{len(findings)} copy problem{'s' if len(findings) > 1 else ''}: {head}{more}."
        return CheckResult(self.id, self.version, status, message, score=float(len(findings)),
                           evidence=evidence)

    # ------------------------------------------------------------------ sub-rules
    def _length(self, asset: AssetUnderCheck, fields: dict[str, str], settings: dict[str, Any],
                severity: dict[str, Status], evidence: dict[str, Any]) -> list[Finding]:
        limits: dict[str, int] = {}
        if asset.format is not None:
            limits.update({k: v for k, v in asset.format.text_limits.model_dump().items() if v})
        limits.update({k: int(v) for k, v in settings.get("text_limits", {}).items() if v})
        out: list[Finding] = []
        lengths: dict[str, Any] = {}
        for name, text in fields.items():
            n = len(unicodedata.normalize("NFC", text.strip()))
            limit = limits.get(name)
            lengths[name] = {"chars": n, "limit": limit}
            if limit is not None and n > limit:
                out.append(Finding("length", severity["length"], name,
                                   f"{name} is {n} characters, over the {limit}-character limit",
                                   span=(limit, len(text))))
        evidence["lengths"] = lengths
        return out

    def _terms(self, voice: Voice, fields: dict[str, str], settings: dict[str, Any],
               severity: dict[str, Status]) -> list[Finding]:
        claims = matcher(tuple([*voice.banned_claims, *settings.get("banned_claims_extra", [])]),
                         max_gap=int(settings.get("claim_max_gap", 1)))
        terms = matcher(tuple([*voice.banned_terms, *settings.get("banned_terms_extra", [])]))
        words = profanity()
        allow = {w.lower() for w in settings.get("profanity_allow", [])}
        extra = [w.lower() for w in settings.get("profanity_extra", [])]
        prof_terms = tuple(w for w in [*words, *extra] if w not in allow)
        prof = matcher(prof_terms, deobfuscate=True)
        out: list[Finding] = []
        for name, text in fields.items():
            toks = tokens(text)
            for rule, m in (*(("banned_claim", m) for m in claims.find(text, toks)),
                            *(("banned_term", m) for m in terms.find(text, toks))):
                label = rule.replace("_", " ")
                out.append(Finding(rule, severity[rule], name, f"{label} '{m.term}' in {name} ('{m.text}')",
                                   span=(m.start, m.end), match=m.text, term=m.term))
            for m in prof.find(text, toks):
                tier = words.get(m.term, "strong")
                sev: Status = severity["profanity"] if tier == "strong" else _soften(severity["profanity"])
                out.append(Finding("profanity", sev, name, f"{'mild ' if tier == 'mild' else ''}profanity "
                                   f"'{m.text}' in {name}", span=(m.start, m.end), match=m.text, term=m.term))
        return out

    def _disclaimers(self, asset: AssetUnderCheck, voice: Voice, fields: dict[str, str],
                     severity: dict[str, Status], evidence: dict[str, Any]) -> list[Finding]:
        all_text = " ".join(fields.values())
        language = primary_subtag(asset.language or (asset.segment.language if asset.segment else None))
        language = language or guess_language(all_text)
        segment_id = asset.segment.id if asset.segment is not None else None
        # Composer output: only the rendered legal line counts. Other images: the copy fields given.
        rendered = asset.elements is not None
        texts = ([e.text for e in asset.elements or () if e.kind == "legal" and e.text] if rendered
                 else list(fields.values()))
        where = "legal line" if rendered else "copy fields"
        haystack = f" {' '.join(normalise_text(t) for t in texts)} "
        out: list[Finding] = []
        checked: list[dict[str, Any]] = []
        for text in voice.disclaimers_for(segment_id, language):
            needle = normalise_text(text)
            present = bool(needle) and f" {needle} " in haystack
            checked.append({"text": text, "present": present, "where": where})
            if present:
                continue
            detail = (f"required disclaimer not rendered: '{text}' (no legal line on the asset carries it; "
                      "the composer's warnings say why)" if rendered else f"required disclaimer missing: '{text}'")
            out.append(Finding("disclaimer", severity["disclaimer"], None, detail, term=text))
        evidence["disclaimers"] = checked
        evidence["disclaimer_source"] = "legal elements" if rendered else "copy fields"
        evidence["language"] = language
        return out

    def _shouting(self, asset: AssetUnderCheck, voice: Voice, fields: dict[str, str],
                  settings: dict[str, Any], severity: dict[str, Status]) -> list[Finding]:
        acronym_max = int(settings.get("acronym_max_letters", 4))
        run_min = int(settings.get("caps_run_min", 3))
        allow = {w.upper() for w in settings.get("caps_allow", [])}
        if asset.brand is not None:
            allow |= {t.text.upper() for t in tokens(asset.brand.name)}
        out: list[Finding] = []
        for name, text in fields.items():
            out += _caps_findings(name, text, allow, acronym_max, run_min, severity["shouting"])
        # exclamation marks: stacks anywhere, and more than the voice allows (per field, or per asset
        # with exclamation_scope 'asset'); the legal text is not counted
        limit = int(settings.get("max_exclamations", voice.max_exclamations))
        per_asset = settings.get("exclamation_scope", "field") == "asset"
        counts: dict[str, int] = {}
        for name, text in fields.items():
            if name == "disclaimer":
                continue
            for m in _EXCLAIM_STACK.finditer(text):
                counts[name] = counts.get(name, 0) + sum(c in "!！¡" for c in m.group())
                if len(m.group()) >= 2:
                    out.append(Finding("exclamations", severity["exclamations"], name,
                                       f"stacked punctuation '{m.group()}' in {name}", span=m.span(),
                                       match=m.group()))
        over = {"all fields": sum(counts.values())} if per_asset else counts
        for where, n in over.items():
            if n > limit:
                out.append(Finding("exclamations", severity["exclamations"], None if per_asset else where,
                                   f"{n} exclamation marks in {where} (the voice allows {limit})"))
        return out

    def _readability(self, voice: Voice, fields: dict[str, str], settings: dict[str, Any],
                     severity: dict[str, Status], evidence: dict[str, Any]) -> list[Finding]:
        grade_max = settings.get("reading_grade_max", voice.reading_grade_max)
        graded = [t for k, t in fields.items() if k in settings.get("graded_fields", GRADED_FIELDS)]
        if grade_max is None or not graded:
            evidence["reading"] = {"status": "na", "reason": "no reading_grade_max set" if grade_max is None
                                   else "no graded fields"}
            return []
        if dominant_script(" ".join(graded)) != "LATIN":
            evidence["reading"] = {"status": "na", "reason": "Flesch–Kincaid applies to Latin-script copy"}
            return []
        r = flesch_kincaid(graded)
        min_words = int(settings.get("min_words_for_grade", 8))
        evidence["reading"] = {"grade": r.grade, "max": grade_max, "words": r.words, "sentences": r.sentences,
                               "syllables": r.syllables, "method": "flesch-kincaid"}
        if r.words < min_words:
            evidence["reading"]["status"] = "na"
            evidence["reading"]["reason"] = f"fewer than {min_words} words"
            return []
        if r.grade > float(grade_max):
            evidence["reading"]["status"] = severity["readability"]
            return [Finding("readability", severity["readability"], None,
                            f"reading grade {r.grade:.1f} is above the brand's maximum {float(grade_max):g}")]
        evidence["reading"]["status"] = "pass"
        return []


def _caps_findings(name: str, text: str, allow: set[str], acronym_max: int, run_min: int,
                   severity: Status) -> list[Finding]:
    """ALL-CAPS words longer than ``acronym_max`` letters, and runs of ``run_min``+ capitalised words."""
    out: list[Finding] = []
    run: list[tuple[int, int]] = []

    def close_run() -> None:
        if len(run) >= run_min:
            s, e = run[0][0], run[-1][1]
            out.append(Finding("shouting", severity, name, f"{len(run)} words in capitals in {name} "
                               f"('{text[s:e]}')", span=(s, e), match=text[s:e]))
        run.clear()

    for tok in tokens(text):
        letters = [c for c in re.sub(r"['’][sS]$", "", tok.text) if c.isalpha()]
        if not letters:
            continue  # numbers neither make nor break a run
        cased = [c for c in letters if c.upper() != c.lower()]
        if len(cased) < 2 or not all(c.isupper() for c in cased) or tok.text.upper() in allow:
            close_run()
            continue
        run.append((tok.start, tok.end))
        if len(letters) > acronym_max:
            out.append(Finding("shouting", severity, name, f"'{tok.text}' in capitals in {name}",
                               span=(tok.start, tok.end), match=tok.text))
    close_run()
    return out


def _soften(status: Status) -> Status:
    return "warn" if status == "fail" else status

"""``originality.copy``: copy that repeats another concept's copy, or echoes protected reference copy.

Per asset (``run``: protected reference only) and per batch (``run_batch``: reference + campaign):

1. Protected copy — ``context.resources['reference_copy']``: a list of strings (or a dict id → text),
   e.g. competitors' taglines. A copy field (``fields``, default headline and body, plus the two
   joined) that is near-identical to a reference text, or contains it word for word (references of
   two words or more), → **fail**.
2. Within the campaign — copy on assets of *different concepts* that is near-identical → **warn** on
   both. The concept of each asset comes from ``context.resources['concepts']`` (asset id → concept
   id); without it every asset counts as its own concept, so every near-identical pair is reported.
   Repeating a concept's own copy across segments, formats and variants is expected and never flagged.

"Near-identical" means lexical similarity ≥ ``lexical_threshold`` (0.75: character 3-gram cosine) or,
when the MiniLM package is installed and both texts are Latin-script, embedding cosine ≥
``embedding_threshold`` (0.88). ``method`` picks 'auto' (default), 'lexical' or 'embedding'; the
evidence names the method used. See ``assetline.qc.text_similarity`` for the calibration.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from assetline.qc.base import AssetUnderCheck, CheckContext, CheckResult, Status
from assetline.qc.text_similarity import similarity
from assetline.text.textutil import normalise_text

DEFAULTS: dict[str, Any] = {"fields": ["headline", "body"], "lexical_threshold": 0.75,
                            "embedding_threshold": 0.88, "method": "auto", "min_chars": 3}


def _items(asset: AssetUnderCheck, fields: list[str], min_chars: int) -> list[tuple[str, str]]:
    """(field, text) pairs compared for one asset: the chosen fields, and them joined."""
    copy = asset.copy or {}
    items = [(f, copy[f].strip()) for f in fields
             if isinstance(copy.get(f), str) and len(normalise_text(copy[f])) >= min_chars]
    if len(items) > 1:
        items.append(("+".join(f for f, _ in items), " ".join(t for _, t in items)))
    return items


def _references(context: CheckContext) -> list[tuple[str, str]]:
    ref = context.resources.get("reference_copy") or []
    if isinstance(ref, dict):
        return [(str(k), str(v)) for k, v in ref.items() if str(v).strip()]
    return [(f"ref-{i}", str(t)) for i, t in enumerate(ref) if str(t).strip()]


class CopyOriginalityCheck:
    """Near-identical copy across concepts of a campaign, or matching protected reference copy."""

    id: ClassVar[str] = "originality.copy"
    version: ClassVar[str] = "1"
    description: ClassVar[str] = ("Copy does not repeat another concept's copy nearly word for word and does "
                                  "not echo protected reference copy (lexical, or MiniLM embeddings).")

    def run(self, asset: AssetUnderCheck, context: CheckContext) -> CheckResult:
        return self._results([asset], context, batch=False)[0]

    def run_batch(self, assets: list[AssetUnderCheck], context: CheckContext) -> list[CheckResult]:
        return self._results(assets, context, batch=True)

    def _results(self, assets: list[AssetUnderCheck], context: CheckContext,
                 batch: bool) -> list[CheckResult]:
        s = {**DEFAULTS, **context.for_check(self.id)}
        lex_t, emb_t = float(s["lexical_threshold"]), float(s["embedding_threshold"])
        # 1. What to compare: (asset index, field, text), each distinct text once
        fields, min_chars = list(s["fields"]), int(s["min_chars"])
        items = [(i, f, t) for i, a in enumerate(assets) for f, t in _items(a, fields, min_chars)]
        texts = list(dict.fromkeys(t for _, _, t in items))
        pos = {t: k for k, t in enumerate(texts)}
        refs = _references(context)
        ref_hits: list[list[dict[str, Any]]] = [[] for _ in assets]
        dup_hits: list[list[dict[str, Any]]] = [[] for _ in assets]
        method = "none (nothing to compare)"
        if texts and refs:
            # 2. Protected reference copy (similarity, or the reference quoted inside a longer text)
            sim = similarity(texts, [t for _, t in refs], method=str(s["method"]))
            method = sim.method
            hit = sim.flagged(lex_t, emb_t)
            score = sim.score()
            norm_texts = [f" {normalise_text(t)} " for t in texts]
            for r, (_, ref_text) in enumerate(refs):
                needle = normalise_text(ref_text)
                if len(needle.split()) >= 2:
                    for k, hay in enumerate(norm_texts):
                        if f" {needle} " in hay:
                            hit[k, r], score[k, r] = True, 1.0
            for i, field, text in items:
                k = pos[text]
                for r in map(int, np.flatnonzero(hit[k])):
                    ref_hits[i].append({"field": field, "text": text, "reference": refs[r][0],
                                        "reference_text": refs[r][1],
                                        "similarity": round(float(score[k, r]), 3)})
        if batch and len(assets) > 1 and texts:
            # 3. Near-identical copy across concepts of the campaign
            sim = similarity(texts, None, method=str(s["method"]))
            method = sim.method
            hit = sim.flagged(lex_t, emb_t)
            score = sim.score()
            concept = _concepts(assets, context)
            holders: dict[int, list[tuple[int, str]]] = {}
            for i, field, text in items:
                holders.setdefault(pos[text], []).append((i, field))
            for u, v in np.argwhere(np.triu(hit)):
                u, v = int(u), int(v)
                info = {"similarity": round(float(score[u, v]), 3)}
                for i, fi in holders.get(u, []):
                    for j, fj in holders.get(v, []):
                        if i == j or concept[i] == concept[j]:
                            continue
                        _add(dup_hits[i], _name(assets[j], j), j, fi, fj, texts[u], texts[v], info)
                        if u != v:
                            _add(dup_hits[j], _name(assets[i], i), i, fj, fi, texts[v], texts[u], info)
        has_copy = [bool(_items(a, list(s["fields"]), 1)) for a in assets]
        return [self._result(ref_hits[i], dup_hits[i], method, s, bool(refs), has_copy[i])
                for i in range(len(assets))]

    def _result(self, refs: list[dict[str, Any]], dups: list[dict[str, Any]], method: str,
                s: dict[str, Any], has_refs: bool, has_copy: bool) -> CheckResult:
        if not has_copy:
            return CheckResult(self.id, self.version, "na", "No copy on this asset.")
        refs = sorted(refs, key=lambda r: -r["similarity"])
        dups = _dedupe(sorted(dups, key=lambda d: -d["similarity"]))
        evidence: dict[str, Any] = {"method": method, "reference_matches": refs[:20],
                                    "duplicates": dups[:50],
                                    "duplicate_count": len(dups), "reference_copy": has_refs,
                                    "thresholds": {"lexical": s["lexical_threshold"],
                                                   "embedding": s["embedding_threshold"]}}
        status: Status
        if refs:
            top = refs[0]
            status, score = "fail", top["similarity"]
            message = (f"{top['field']} '{top['text']}' matches protected copy '{top['reference_text']}' "
                       f"(similarity {top['similarity']:.2f}).")
        elif dups:
            top = dups[0]
            status, score = "warn", top["similarity"]
            message = (f"{top['field']} '{top['text']}' is near-identical to copy of another concept on "
                       f"'{top['asset']}' ('{top['other_text']}', similarity {top['similarity']:.2f}).")
        else:
            status, score = "pass", None
            message = "Copy is distinct from other concepts' copy and from protected reference copy."
        return CheckResult(self.id, self.version, status, message, score=score, evidence=evidence)


def _concepts(assets: list[AssetUnderCheck], context: CheckContext) -> list[str]:
    """Concept of each asset from resources['concepts'] (or 'concept_of'): a dict asset id → concept id,
    or a callable taking the asset; an asset without one is its own concept."""
    source = context.resources.get("concepts") or context.resources.get("concept_of") or {}
    out = []
    for i, a in enumerate(assets):
        value = source(a) if callable(source) else source.get(a.asset_id) if a.asset_id is not None else None
        out.append(str(value) if value is not None else f"#asset{i}")
    return out


MAX_HITS = 500


def _add(hits: list[dict[str, Any]], other: str, index: int, field: str, other_field: str, text: str,
         other_text: str, info: dict[str, Any]) -> None:
    if len(hits) < MAX_HITS:
        hits.append({"asset": other, "index": index, "field": field, "other_field": other_field, "text": text,
                     "other_text": other_text, **info})


def _dedupe(dups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per (other asset, field pair), best similarity first."""
    seen: set[tuple[int, str, str]] = set()
    out = []
    for d in dups:
        key = (d["index"], d["field"], d["other_field"])
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out


def _name(asset: AssetUnderCheck, index: int) -> str:
    return asset.asset_id if asset.asset_id is not None else f"#{index}"

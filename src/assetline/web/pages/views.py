"""What the asset and compare pages show, assembled from ReviewService reads (no queries of its own).

    copy_fields(meta)         headline / body / CTA with language and direction (RTL copy renders dir="rtl")
    qc_checks(meta)           each check: status, message, score, and its evidence as rows and small tables
    lineage(svc, artifact)    engines, versions, seeds and inputs of the render and its copy and visual steps
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from assetline.review.service import ReviewService
from assetline.store.models import Artifact, Asset
from assetline.web.pages.templating import number

COPY_FIELDS = ("headline", "body", "cta")
COPY_LABELS = {"headline": "Headline", "body": "Body", "cta": "Call to action"}
QC_RANK = {"fail": 0, "error": 1, "warn": 2, "pass": 3, "na": 4}
MAX_ROWS = 24
MAX_TABLE_ROWS = 20
MAX_COLUMNS = 7
LANGUAGES = {"en": "English", "ar": "Arabic", "he": "Hebrew", "hi": "Hindi", "fr": "French", "de": "German",
             "es": "Spanish", "it": "Italian", "pt": "Portuguese", "nl": "Dutch", "ja": "Japanese", "zh": "Chinese"}


@dataclass
class Table:
    caption: str
    columns: list[str]
    rows: list[list[str]]
    more: int = 0


@dataclass
class Evidence:
    rows: list[tuple[str, str]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    raw: str = ""

    @property
    def empty(self) -> bool:
        return not self.rows and not self.tables


@dataclass
class Check:
    id: str
    status: str
    message: str
    score: str | None
    version: str
    evidence: Evidence


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if _scalar(value):
        return number(value)
    if isinstance(value, list) and all(_scalar(v) for v in value):
        return ", ".join(_fmt(v) for v in value) if value else "none"
    text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    return text if len(text) <= 120 else text[:117] + "…"


def _table(caption: str, records: list[tuple[str | None, dict[str, Any]]]) -> Table:
    columns: list[str] = []
    for _, rec in records:
        for key in rec:
            if key not in columns and len(columns) < MAX_COLUMNS:
                columns.append(key)
    named = any(name is not None for name, _ in records)
    rows = [([name or ""] if named else []) + [_fmt(rec.get(c)) if c in rec else "" for c in columns]
            for name, rec in records[:MAX_TABLE_ROWS]]
    return Table(caption, ([""] if named else []) + columns, rows, max(0, len(records) - MAX_TABLE_ROWS))


def evidence(data: dict[str, Any]) -> Evidence:
    """Evidence for people: scalars as rows, lists of records and maps of records as tables."""
    out = Evidence(raw=json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True))

    def walk(prefix: str, value: dict[str, Any]) -> None:
        for key, item in value.items():
            name = f"{prefix}{key}"
            if isinstance(item, list) and item and all(isinstance(v, dict) for v in item):
                out.tables.append(_table(name, [(None, v) for v in item]))
            elif isinstance(item, dict) and item and all(isinstance(v, dict) for v in item.values()):
                out.tables.append(_table(name, [(str(k), v) for k, v in item.items()]))
            elif isinstance(item, dict) and item:
                walk(f"{name}.", item)
            elif len(out.rows) < MAX_ROWS:
                out.rows.append((name, _fmt(item) if item != {} else "none"))

    walk("", data)
    return out


def qc_checks(meta: dict[str, Any]) -> list[Check]:
    """The render's check results, problems first."""
    checks = []
    for r in meta.get("qc") or []:
        score = r.get("score")
        checks.append(Check(id=str(r.get("check", "?")), status=str(r.get("status", "na")),
                            message=str(r.get("message", "")), score=None if score is None else _fmt(score),
                            version=str(r.get("version", "")), evidence=evidence(r.get("evidence") or {})))
    return sorted(checks, key=lambda c: (QC_RANK.get(c.status, 5), c.id))


def qc_summary(checks: list[Check]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for c in checks:
        counts[c.status] = counts.get(c.status, 0) + 1
    return counts


def copy_fields(meta: dict[str, Any]) -> dict[str, Any]:
    copy = meta.get("copy") or {}
    language = str(meta.get("language") or "")
    return {"fields": [(COPY_LABELS[f], copy[f]) for f in COPY_FIELDS if copy.get(f)],
            "language": language, "language_name": LANGUAGES.get(language, language or "unknown"),
            "direction": "rtl" if meta.get("direction") == "rtl" else "ltr"}


def _seed(meta: dict[str, Any]) -> Any:
    params = (meta.get("lineage") or {}).get("params") or {}
    return params.get("seed")


def lineage(svc: ReviewService, artifact: Artifact | None, asset: Asset | None = None,
            revision: int | None = None) -> dict[str, Any]:
    """The render's steps (engine, version, seed, key), the named inputs it was made from, and the input files
    used with their licences (the provenance lineage record)."""
    if artifact is None:
        return {"steps": [], "inputs": [], "params": {}, "licensed": []}
    licensed: list[dict[str, Any]] = []
    if asset is not None:
        from assetline.provenance.lineage import build_lineage

        record = build_lineage(svc.session, svc.actor.tenant_id, asset.id, revision)
        licensed = record["inputs"]
    meta = artifact.meta or {}
    lin = meta.get("lineage") or {}
    inputs: dict[str, str] = dict(lin.get("inputs") or {})
    upstream = svc.repo.artifacts_by_keys([inputs[k] for k in ("copy", "visual") if k in inputs])
    steps = [{"step": "compose", "engine": artifact.engine_id, "version": artifact.engine_version,
              "seed": _seed(meta), "key": artifact.content_key, "seconds": meta.get("seconds")}]
    for name in ("copy", "visual"):
        art = upstream.get(inputs.get(name, ""))
        if art is not None:
            steps.append({"step": name, "engine": art.engine_id, "version": art.engine_version,
                          "seed": _seed(art.meta or {}), "key": art.content_key,
                          "seconds": (art.meta or {}).get("seconds")})
    files = [{"name": k, "hash": v} for k, v in sorted(inputs.items()) if k not in ("copy", "visual")]
    params = lin.get("params") or {}
    return {"steps": steps, "inputs": files, "licensed": licensed,
            "params": {"layout": params.get("layout") or meta.get("layout"), "attempt": params.get("attempt"),
                       "size": f"{meta.get('width', '?')}×{meta.get('height', '?')}",
                       "encoding": (meta.get("encoding") or {}).get("type"),
                       "bytes": (meta.get("encoding") or {}).get("bytes")}}

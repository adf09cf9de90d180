"""HOW-THIS-WAS-MADE: the plain-language disclosure that travels with every bundle.

It says what made the pixels and the words (and whether a trained AI model was involved), which human-made
inputs were used under which licences, which automated checks ran, who approved, how to verify a file, and what
the licence gate withheld and why. ``DisclosureInfo`` carries what the items themselves do not know (the
engines and checks of the run); the rest comes from the delivered items and the withheld list. Rendered from
the Jinja2 templates in ``delivery/templates`` as Markdown and as a self-contained HTML page.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from assetline.delivery.channels import channel_label
from assetline.delivery.licence_gate import LicensedInput, licence_record

if TYPE_CHECKING:
    from assetline.delivery.bundle import DeliveryItem

VERIFY_COMMAND = "assetline verify FILE"


@dataclass(frozen=True)
class EngineUse:
    """One engine that took part in making the delivered files."""

    role: str
    """'copy' | 'visual' | 'compose' | 'motion' | 'voice' | …"""
    engine_id: str
    version: str
    description: str
    """What it does, in plain words ('draws gradient backgrounds from the brand palette')."""
    trained_model: str | None = None
    """The trained AI model it ran (name and version), or None when it used none."""
    model_licence: str | None = None


@dataclass(frozen=True)
class CheckRun:
    """One automated check and how the delivered files fared."""

    check_id: str
    description: str
    passed: int = 0
    flagged: int = 0
    failed: int = 0


@dataclass(frozen=True)
class DisclosureInfo:
    """What the run knows about how the files were made (the items carry the rest)."""

    engines: list[EngineUse] = field(default_factory=list)
    checks: list[CheckRun] = field(default_factory=list)
    inputs: list[LicensedInput] = field(default_factory=list)
    c2pa_signed: bool = True
    signer: str | None = None
    notes: list[str] = field(default_factory=list)


_ROLE_LABELS = {
    "copy": "Words (headline, body text, call to action)",
    "visual": "Background imagery",
    "compose": "Layout and typesetting",
    "motion": "Animation",
    "voice": "Voice-over",
    "storyboard": "Storyboard",
}
_SOURCE_TYPES = {
    "trainedalgorithmicmedia": "made by a trained AI model",
    "compositewithtrainedalgorithmicmedia": "a composite that includes elements made by a trained AI model",
    "algorithmicmedia": "made by software following fixed rules (no trained AI model)",
    "compositesynthetic": "a composite of computer-made elements (no trained AI model)",
    "composite": "a composite of several sources",
    "digitalcapture": "a photograph captured with a camera",
    "digitalcreation": "made by a person with digital tools",
    "datadrivenmedia": "generated from data",
    "humanedits": "edited by a person",
    "minorhumanedits": "lightly edited by a person",
}


def source_type_label(term: str) -> str:
    """Plain words for an IPTC digital source type (bare term or full cv.iptc.org URL)."""
    key = term.rstrip("/").rsplit("/", 1)[-1].replace("_", "").replace("-", "").lower()
    return _SOURCE_TYPES.get(key, term or "not recorded")


def _is_trained(term: str) -> bool:
    return "trainedalgorithmic" in term.lower()


def _terms_summary(rec: dict[str, Any]) -> str:
    if rec.get("name") is None:
        return "no licence on record"
    parts = []
    channels = rec.get("channels")
    if channels is not None:
        parts.append("all channels" if "*" in channels else "channels: " + ", ".join(channels))
    territories = rec.get("territories")
    if territories is not None:
        parts.append("worldwide" if "*" in territories else "territories: " + ", ".join(territories))
    if rec.get("commercial_use") is not None:
        parts.append("commercial use allowed" if rec["commercial_use"] else "non-commercial use only")
    if rec.get("valid_from"):
        parts.append(f"from {rec['valid_from']}")
    if rec.get("valid_until"):
        parts.append(f"until {rec['valid_until']}")
    if rec.get("ai_training") is not None:
        parts.append("may be used to train AI" if rec["ai_training"] else "not licensed for AI training")
    return "; ".join(parts)


def _inputs(items: list[DeliveryItem], info: DisclosureInfo | None) -> list[dict[str, Any]]:
    records: dict[tuple[str, str], dict[str, Any]] = {}
    uses: Counter[tuple[str, str]] = Counter()
    for inp in info.inputs if info else []:
        records[(inp.role, inp.ref)] = licence_record(inp)
    for item in items:
        for rec in item.licences:
            key = (str(rec.get("role", "input")), str(rec.get("ref", "?")))
            records.setdefault(key, dict(rec))
            uses[key] += 1
    out = []
    for key in sorted(records):
        rec = records[key]
        out.append({"role": key[0], "ref": key[1], "licence": rec.get("name") or "none on record",
                    "owner": rec.get("owner") or "unknown", "evidence": rec.get("evidence") or "",
                    "terms": _terms_summary(rec), "files": uses[key]})
    return out


def _withheld(blocked: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for entry in blocked:
        parts = [str(entry[k]) for k in ("format_id", "segment", "concept") if entry.get(k)]
        label = " · ".join(parts) or f"asset {entry.get('asset_id', '?')}"
        if entry.get("variant") is not None:
            label += f" · variant {entry['variant']}"
        reasons = entry.get("reasons") or ([entry] if entry.get("message") else [])
        messages = [r["message"] if isinstance(r, dict) else str(r) for r in reasons]
        out.append({"label": label, "asset_id": entry.get("asset_id"), "reasons": messages or ["no reason recorded"]})
    return out


def disclosure_context(items: list[DeliveryItem], *, blocked: list[dict[str, Any]], info: DisclosureInfo | None,
                       channel: str, campaign_name: str, brand_name: str, created: datetime) -> dict[str, Any]:
    """Everything the templates show, as plain values."""
    engines = [{"step": _ROLE_LABELS.get(e.role, e.role.capitalize()), "role": e.role, "engine": e.engine_id,
                "version": e.version, "description": e.description, "model": e.trained_model or "",
                "model_licence": e.model_licence or ""} for e in (info.engines if info else [])]
    source_counts = Counter(item.source_type for item in items)
    sources = [{"label": source_type_label(t), "term": t, "files": n} for t, n in sorted(source_counts.items())]
    ai_from_items = any(_is_trained(t) for t in source_counts)
    ai_from_engines = any(e["model"] for e in engines)
    known_sources = all(t and t.rsplit("/", 1)[-1].replace("_", "").replace("-", "").lower() in _SOURCE_TYPES
                        for t in source_counts)
    ai_used: bool | None = ai_from_items or ai_from_engines
    if not ai_used and not engines and not known_sources:
        ai_used = None
    approvals = Counter(name for item in items for name in dict.fromkeys(item.approved_by))
    return {
        "brand": brand_name,
        "campaign": campaign_name,
        "channel": channel_label(channel),
        "date": created.date().isoformat(),
        "file_count": len(items),
        "formats": sorted({i.format_id for i in items}),
        "languages": sorted({i.language for i in items if i.language}),
        "territories": sorted({i.territory for i in items if i.territory}),
        "engines": engines,
        "pixel_engines": [e for e in engines if e["role"] != "copy"],
        "copy_engines": [e for e in engines if e["role"] == "copy"],
        "models": sorted({e["model"] for e in engines if e["model"]}),
        "ai_used": ai_used,
        "sources": sources,
        "inputs": _inputs(items, info),
        "checks": [vars(c) for c in (info.checks if info else [])],
        "has_info": info is not None,
        "approvers": [{"name": n, "files": c} for n, c in sorted(approvals.items())],
        "unapproved": sum(1 for i in items if not i.approved_by),
        "c2pa": info.c2pa_signed if info else True,
        "signer": info.signer if info else None,
        "watermarked": sum(1 for i in items if i.watermark_id is not None),
        "verify_command": VERIFY_COMMAND,
        "withheld": _withheld(blocked),
        "notes": list(info.notes) if info else [],
    }


def render_disclosure(context: dict[str, Any]) -> tuple[str, str]:
    """(Markdown, HTML) renderings of the disclosure."""
    md_env = Environment(loader=PackageLoader("assetline.delivery", "templates"), autoescape=False,
                         undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    html_env = Environment(loader=PackageLoader("assetline.delivery", "templates"),
                           autoescape=select_autoescape(default=True), undefined=StrictUndefined,
                           trim_blocks=True, lstrip_blocks=True)
    md_env.filters["cell"] = _md_cell
    for env in (md_env, html_env):
        env.filters["count"] = _count
    markdown = md_env.get_template("how-this-was-made.md.j2").render(**context)
    html = html_env.get_template("how-this-was-made.html.j2").render(**context)
    return markdown, html


def _count(n: int, word: str, plural: str | None = None) -> str:
    """'1 file', '2 files' (``plural`` for irregular words)."""
    return f"{n} {word if n == 1 else plural or word + 's'}"


def _md_cell(value: object) -> str:
    """A value made safe for a Markdown table cell."""
    return str(value).replace("|", "\\|").replace("\n", " ")

"""Verify a delivered file: its C2PA manifest (and whether we trust the signer) and the watermark in its pixels.

    report = verify_file(Path("spring-meta.jpg"), trust_anchors(workspace))
    report.state            # 'trusted' | 'valid' | 'invalid' | 'none'
    print("\\n".join(report.summary_lines()))
    json.dumps(report.to_dict())

States:
    trusted   the manifest validates and its signer chains to one of the given trust anchors
    valid     the manifest validates, but the signer is not anchored (no anchors given, or another tenant's)
    invalid   the file or manifest was altered after signing: ``failures`` lists the codes, e.g.
              'assertion.dataHash.mismatch' for edited pixels
    none      no manifest (never signed, or stripped by a re-save); the watermark may still name the asset
"""

from __future__ import annotations

import io
import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from assetline.errors import ProvenanceError
from assetline.provenance._deps import require
from assetline.provenance.manifest import (
    IPTC,
    LABEL_LICENCES,
    LABEL_LINEAGE,
    LABEL_QC,
    LABEL_REVIEW,
    LABEL_TRAINING,
)
from assetline.provenance.media import normalise_mime, sniff_mime

State = Literal["trusted", "valid", "invalid", "none"]
UNTRUSTED = "signingCredential.untrusted"
WATERMARKED = ("image/png", "image/jpeg", "image/webp", "image/gif", "image/tiff")


@dataclass(frozen=True)
class ActionInfo:
    action: str
    digital_source_type: str | None = None
    software_agent: str | None = None
    when: str | None = None
    ingredients: list[str] = field(default_factory=list)
    """Titles of the ingredients the action refers to."""
    parameters: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class IngredientInfo:
    title: str | None
    format: str | None
    relationship: str | None
    kind: str | None
    instance_id: str | None
    has_provenance: bool
    """The ingredient carried its own Content Credentials."""


@dataclass
class VerifyReport:
    """Everything a person (or the delivery report) needs to judge one file."""

    state: State
    mime: str
    failures: list[str] = field(default_factory=list)
    """Validation failure codes (``signingCredential.untrusted`` included for a 'valid' file)."""
    title: str | None = None
    claim_generator: str | None = None
    signer: str | None = None
    issuer: str | None = None
    signed_at: str | None = None
    """The trusted signing time when the signature has a timestamp, else the time claimed by c2pa.created."""
    signed_at_source: Literal["timestamp", "claimed"] | None = None
    source_type: str | None = None
    actions: list[ActionInfo] = field(default_factory=list)
    ingredients: list[IngredientInfo] = field(default_factory=list)
    qc: list[dict[str, Any]] = field(default_factory=list)
    review: list[dict[str, Any]] = field(default_factory=list)
    approved_by: list[str] = field(default_factory=list)
    licences: dict[str, Any] = field(default_factory=dict)
    lineage: dict[str, Any] = field(default_factory=dict)
    training_mining: dict[str, str] = field(default_factory=dict)
    watermark_id: int | None = None
    watermark_checked: bool = False
    watermark_confidence: float | None = None

    @property
    def asset_id(self) -> int | None:
        """From the signed lineage when there is a manifest, else from the watermark."""
        value = self.lineage.get("asset_id")
        return value if isinstance(value, int) else self.watermark_id

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (``json.dumps`` works on it as it is)."""
        out = asdict(self)
        out["asset_id"] = self.asset_id
        return out

    def summary_lines(self) -> list[str]:
        """A short human report, one fact per line."""
        lines = [_STATE_LINE[self.state] + (f" — signed by {self.signer}" if self.signer else "")
                 + (f" ({self.issuer})" if self.issuer and self.issuer != self.signer else "")]
        if self.state == "invalid":
            lines.append("  failures: " + ", ".join(f for f in self.failures if f != UNTRUSTED))
        if self.title:
            lines.append(f"  title: {self.title}")
        if self.claim_generator:
            lines.append(f"  made with: {self.claim_generator}")
        if self.source_type:
            lines.append(f"  source: {self.source_type.removeprefix(IPTC)}")
        if self.signed_at:
            lines.append(f"  signed: {self.signed_at}" + (" (claimed)" if self.signed_at_source == "claimed" else ""))
        for ing in self.ingredients:
            lines.append(f"  ingredient: {ing.title} ({ing.kind or ing.format})"
                         + (" with its own credentials" if ing.has_provenance else ""))
        if self.qc:
            passed = sum(1 for r in self.qc if r.get("passed") is True)
            words = {"warn": "flagged", "fail": "failed", "na": "not applicable"}
            others = Counter(words.get(str(r.get("status")), str(r.get("status") or "not passed"))
                             for r in self.qc if r.get("passed") is not True)
            rest = "".join(f", {n} {label}" for label, n in sorted(others.items()))
            lines.append(f"  QC: {passed}/{len(self.qc)} checks passed{rest}")
        if self.review:
            approvals = [r for r in self.review if str(r.get("decision", "")).lower() in ("approved", "approve")]
            who = ", ".join(f"{r.get('who')} ({r.get('role')}, {r.get('at')})" for r in approvals)
            lines.append(f"  approved by: {who}" if who else f"  review: {len(self.review)} decision(s), none approved")
        items = self.licences.get("ingredients") or []
        if items:
            lines.append("  licences: " + "; ".join(
                f"{i.get('title')}: {(i.get('licence') or {}).get('id') or (i.get('licence') or {}).get('name') or '-'}"
                for i in items))
        if self.lineage:
            lines.append(f"  lineage: asset {self.lineage.get('asset_id')} revision {self.lineage.get('revision')}"
                         + (f", content key {self.lineage['content_key']}" if self.lineage.get("content_key") else ""))
        if self.training_mining:
            uses = sorted(set(self.training_mining.values()))
            lines.append("  AI training/mining: " + (uses[0] if len(uses) == 1 else
                                                     ", ".join(f"{k}={v}" for k, v in self.training_mining.items())))
        if self.watermark_checked:
            lines.append(f"  watermark: asset {self.watermark_id}" if self.watermark_id is not None
                         else "  watermark: none found")
        return lines


_STATE_LINE: dict[str, str] = {
    "trusted": "Content Credentials: TRUSTED",
    "valid": "Content Credentials: valid, signer NOT trusted",
    "invalid": "Content Credentials: INVALID (changed after signing)",
    "none": "Content Credentials: none",
}


def _agent(value: Any) -> str | None:
    if isinstance(value, Mapping):
        return " ".join(str(value[k]) for k in ("name", "version") if value.get(k)) or None
    return str(value) if value else None


def _failures(results: Mapping[str, Any] | None, status: list[Any]) -> list[str]:
    codes: list[str] = []
    if results:
        codes += [f["code"] for f in results.get("activeManifest", {}).get("failure", [])]
        for delta in results.get("ingredientDeltas", []):
            codes += [f["code"] for f in delta.get("validationDeltas", {}).get("failure", [])]
    codes += [s["code"] for s in status if isinstance(s, Mapping) and "code" in s]
    return list(dict.fromkeys(codes))


def _state(c2pa_state: str | None, failures: list[str]) -> State:
    state = (c2pa_state or "").lower()
    if state in ("trusted", "valid", "invalid"):
        return state  # type: ignore[return-value]
    real = [f for f in failures if f != UNTRUSTED]
    return "invalid" if real else ("valid" if failures else "trusted")


def _fill(report: VerifyReport, manifest: Mapping[str, Any]) -> None:
    report.title = manifest.get("title")
    gen = manifest.get("claim_generator_info") or []
    report.claim_generator = _agent(gen[0]) if gen else manifest.get("claim_generator")
    sig = manifest.get("signature_info") or {}
    report.signer, report.issuer = sig.get("common_name"), sig.get("issuer")
    if sig.get("time"):
        report.signed_at, report.signed_at_source = str(sig["time"]), "timestamp"
    ingredients = manifest.get("ingredients") or []
    by_label = {i.get("label"): i for i in ingredients}
    report.ingredients = [IngredientInfo(i.get("title"), i.get("format"), i.get("relationship"),
                                         i.get("description"), i.get("instance_id"),
                                         bool(i.get("active_manifest") or i.get("manifest_data")))
                          for i in ingredients]
    for assertion in manifest.get("assertions") or []:
        label, data = str(assertion.get("label", "")), assertion.get("data") or {}
        base = label.split("__")[0]
        if base in ("c2pa.actions", "c2pa.actions.v2"):
            for action in data.get("actions", []):
                params = dict(action.get("parameters") or {})
                refs = params.pop("ingredients", []) + params.pop("ingredientIds", [])
                titles = []
                for ref in refs:
                    url = ref.get("url", "") if isinstance(ref, Mapping) else str(ref)
                    hit = by_label.get(url.rsplit("/", 1)[-1])
                    titles.append(str(hit.get("title")) if hit else url)
                info = ActionInfo(str(action.get("action")), action.get("digitalSourceType"),
                                  _agent(action.get("softwareAgent")), action.get("when"), titles, params)
                report.actions.append(info)
                if info.action == "c2pa.created":
                    report.source_type = report.source_type or info.digital_source_type
                    if report.signed_at is None and info.when:
                        report.signed_at, report.signed_at_source = info.when, "claimed"
        elif base in (LABEL_TRAINING, "cawg.training-mining"):
            for key, entry in (data.get("entries") or {}).items():
                report.training_mining[key] = str((entry or {}).get("use"))
        elif base == LABEL_QC:
            report.qc = list(data.get("results", []))
        elif base == LABEL_REVIEW:
            report.review = list(data.get("decisions", []))
            report.approved_by = [str(d.get("who")) for d in report.review
                                  if str(d.get("decision", "")).lower() in ("approved", "approve")]
        elif base == LABEL_LICENCES:
            report.licences = dict(data)
        elif base == LABEL_LINEAGE:
            report.lineage = dict(data)


def _read_manifest(data: bytes, mime: str, anchors_pem: str | None, report: VerifyReport) -> None:
    c2pa = require("c2pa")
    settings: dict[str, Any] = {"trust": {"trust_anchors": anchors_pem}} if anchors_pem else {}
    try:
        with c2pa.Context.from_dict(settings) as context:
            reader = c2pa.Reader.try_create(mime, io.BytesIO(data), None, context)
            if reader is None:
                return
            with reader:
                manifest = reader.get_active_manifest() or {}
                results = reader.get_validation_results()
                status = json.loads(reader.json()).get("validation_status") or []
                c2pa_state = reader.get_validation_state()
    except c2pa.C2paError as exc:
        # A manifest store that cannot even be parsed was damaged after signing.
        report.state, report.failures = "invalid", [f"manifest.unreadable: {exc}"]
        return
    report.failures = _failures(results, status)
    report.state = _state(c2pa_state, report.failures)
    _fill(report, manifest)


def verify_bytes(data: bytes, mime: str | None = None, anchors_pem: str | None = None, *,
                 read_watermark: bool = True) -> VerifyReport:
    """Verify a file's bytes. ``mime`` is checked against the magic bytes (None: detect). ``anchors_pem``: the
    trust anchors (``keys.trust_anchors(workspace)``); without them a good file reads 'valid', not 'trusted'."""
    # 1. What is it?
    found = sniff_mime(data)
    if found is None:
        raise ProvenanceError(f"cannot verify: not a file type C2PA can carry ({len(data)} bytes, starts "
                              f"{data[:8]!r})", hint="verify the delivered PNG, JPEG, WebP, MP4, WAV … file itself")
    if mime is not None and normalise_mime(mime) != found:
        raise ProvenanceError(f"the file is {found}, not {normalise_mime(mime)}",
                              hint="the name or content type is wrong; verify without a type to detect it")
    report = VerifyReport(state="none", mime=found)
    # 2. The manifest
    _read_manifest(data, found, anchors_pem, report)
    # 3. The watermark, from the pixels (works when the manifest was stripped)
    if read_watermark and found in WATERMARKED:
        from assetline.provenance.watermark import read

        try:
            reading = read(data)
        except ProvenanceError:
            reading = None
        report.watermark_checked = True
        if reading is not None:
            report.watermark_id, report.watermark_confidence = reading.asset_id, round(reading.confidence, 3)
    return report


def verify_file(path: Path, anchors_pem: str | None = None, *, read_watermark: bool = True) -> VerifyReport:
    """``verify_bytes`` on a file; the type comes from its content, never its name."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ProvenanceError(f"cannot read {path}: {exc.strerror}", hint="check the path") from exc
    return verify_bytes(data, None, anchors_pem, read_watermark=read_watermark)

"""`assetline deliver`: approved assets of one channel → licence gate → watermark → C2PA signature → bundle.

    1. the campaign's approved (or already delivered) assets whose format belongs to the channel
    2. per asset: lineage; the licence gate on every input used (channel, the segment's territory, today)
    3. per cleared asset: invisible watermark with the asset id, then the C2PA manifest signed with the tenant's
       key — the last write; the signed bytes go into the blob store (verify matches files by their hash)
    4. the bundle (files, manifest.json, bulk-upload CSV, contact sheet PDF, HOW-THIS-WAS-MADE) written atomically
    5. one transaction: a deliveries row, the assets marked delivered, events

A failure before step 5 leaves the store as it was and no bundle folder behind.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from assetline.config import Settings
from assetline.delivery.bundle import DeliveryItem, write_bundle
from assetline.delivery.disclosure import CheckRun, DisclosureInfo, EngineUse
from assetline.delivery.licence_gate import (
    LicenceBlock,
    LicensedInput,
    Usage,
    check_usage,
    licence_record,
    withheld_entry,
)
from assetline.delivery.naming import file_name
from assetline.errors import InvalidRequestError, NotFoundError
from assetline.provenance.lineage import build_lineage, load_spec
from assetline.provenance.manifest import EngineInfo, Ingredient, ProvenanceRecord, build_manifest, choose_source_type
from assetline.provenance.media import sniff_mime
from assetline.spec.formats import catalogue
from assetline.spec.loader import LoadedCampaign
from assetline.store.blobs import BlobStore
from assetline.store.db import Database
from assetline.store.models import Asset, Delivery, Event, utcnow
from assetline.store.repositories import Repository

DELIVERABLE = ("approved", "delivered")
ENGINE_WORDS = {
    "builtin.copy": "picks each text from the brief's copy templates by seeded, weighted choice (no AI model)",
    "builtin.visual": "draws backgrounds and treats licensed photos with procedural algorithms (no AI model)",
    "builtin.compose": "lays out copy, logo and button on a type grid with contrast rules (no AI model)",
    "diffusion": "generates backgrounds (or extends a licensed product photo) with a diffusion model (trained AI "
                 "model), keeping the areas for copy and logo calm",
    "comfyui": "generates backgrounds with a ComfyUI workflow running trained AI models",
    "llm.openai": "writes or translates the copy with a large language model (trained AI model), checked against "
                  "the brand's voice rules",
    "builtin.motion": "animates the approved layout into a video: camera moves, type entrances, logo sting and "
                      "end card (no AI model)",
    "builtin.voice": "speaks the copy with the espeak-ng formant synthesiser (rule-based, no AI model) over the "
                     "licensed music bed, loudness-normalised",
}
CHECK_WORDS = {
    "brand.palette": "colours stay within the brand palette (CIEDE2000)",
    "text.contrast": "text meets WCAG contrast, measured on the pixels",
    "brand.logo": "logo size and clear space",
    "channel.spec": "size, file type and weight meet the channel's specification",
    "safety.nudity": "no nudity (NudeNet detector)",
    "copy.rules": "banned terms and claims, required disclaimers, reading level",
    "copy.bias": "gender-coded and non-inclusive wording",
    "originality.phash": "not a near-copy of protected reference images",
    "originality.copy": "copy not a near-copy of protected texts",
    "motion.spec": "video length, frame rate, size, codec and bitrate meet the placement's limits",
    "motion.audio": "loudness and true peak of the sound (ITU-R BS.1770)",
    "motion.captions": "captions cover the speech, are readable and stay clear of platform UI and copy",
    "motion.readability": "text stays on screen long enough to read and inside the safe zone",
    "motion.flashing": "no more than three flashes a second (WCAG 2.3.1)",
}


@dataclass
class DeliveryResult:
    campaign: str
    channel: str
    root: Path
    delivered: list[dict[str, Any]] = field(default_factory=list)
    withheld: list[dict[str, Any]] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)
    """Bundle parts: manifest, csv, contact_sheet, disclosure_md, disclosure_html."""
    watermark_skipped: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"campaign": self.campaign, "channel": self.channel, "root": str(self.root),
                "delivered": self.delivered, "withheld": self.withheld, "files": self.files,
                "watermark_skipped": self.watermark_skipped}


def deliver_campaign(settings: Settings, campaign_slug: str, channel: str, out_dir: Path, actor: str = "cli",
                     overwrite: bool = False, on: date | None = None) -> DeliveryResult:
    from assetline.provenance import keys as keyring
    from assetline.provenance import signing, watermark

    channel = channel.strip().lower()
    on = on or date.today()
    db = Database(settings.db_url)
    blobs = BlobStore(settings.blob_dir)
    try:
        # 1. Check inputs before any work: campaign, spec, channel, keys, assets.
        with db.session() as s:
            repo = Repository(s, settings.tenant)
            campaign = repo.get_campaign(campaign_slug)
            loaded = load_spec(campaign)
            if loaded is None:
                raise NotFoundError(f"cannot read the spec of campaign '{campaign_slug}' at {campaign.spec_path}",
                                    hint="delivery needs the brief and brand kit (for licences and territories)")
            formats = {f.id: f for f in catalogue().values() if f.id in loaded.campaign.formats}
            channels = sorted({f.channel for f in formats.values()})
            if channel not in channels:
                raise InvalidRequestError(f"campaign '{campaign_slug}' has no format for channel '{channel}'",
                                          hint=f"its channels: {', '.join(channels)}")
            keys = keyring.load_keys(settings.workspace, settings.tenant)
            assets = s.scalars(select(Asset).where(
                Asset.tenant_id == settings.tenant, Asset.campaign_id == campaign.id,
                Asset.status.in_(DELIVERABLE),
                Asset.format.in_([f for f, spec in formats.items() if spec.channel == channel]))
                .order_by(Asset.id)).all()
            if not assets:
                counts = repo.status_counts(campaign)
                raise InvalidRequestError(
                    f"no approved assets for channel '{channel}' in campaign '{campaign_slug}'",
                    hint=f"statuses now: {', '.join(f'{k} {v}' for k, v in sorted(counts.items()))}; "
                         "approve in `assetline serve` or `assetline review approve`")
            segments = {seg.id: seg for seg in loaded.campaign.segments}

            # 2–3. Gate, mark, sign.
            items: list[DeliveryItem] = []
            withheld: list[dict[str, Any]] = []
            result = DeliveryResult(campaign_slug, channel, out_dir / channel)
            engines: dict[str, EngineUse] = {}
            checks: dict[str, Counter[str]] = {}
            all_inputs: dict[tuple[str, str], LicensedInput] = {}
            for asset in assets:
                lineage = build_lineage(s, settings.tenant, asset.id, loaded=loaded)
                segment = segments.get(asset.segment)
                territory = segment.country if segment else ""
                inputs = [LicensedInput(i["role"], i["ref"], i["sha256"], _licence(loaded, i)) for i in
                          lineage["inputs"]]
                blocks = check_usage(inputs, Usage(channel, territory, on),
                                     allow_unlicensed=False)
                if blocks:
                    withheld.append(withheld_entry(asset.id, asset.concept, asset.segment, asset.format, blocks,
                                                   variant=asset.variant + 1, revision=asset.revision))
                    continue
                for inp in inputs:
                    all_inputs[(inp.role, inp.ref)] = inp
                item, skipped = _sign_item(asset, lineage, inputs, loaded, blobs, keys, territory,
                                           formats[asset.format].channel, signing, watermark, campaign_slug)
                limit_kb = formats[asset.format].max_file_kb
                if len(item.data) > limit_kb * 1024:  # the watermark re-encodes: re-check the channel's weight limit
                    too_big = LicenceBlock(asset.format, "file", "channel spec", channel, "file_size",
                                           f"signed file is {len(item.data) / 1024:.0f} KB, over the {limit_kb} KB "
                                           f"limit of {asset.format}")
                    withheld.append(withheld_entry(asset.id, asset.concept, asset.segment, asset.format, [too_big],
                                                   variant=asset.variant + 1, revision=asset.revision))
                    continue
                if skipped:
                    result.watermark_skipped.append({"asset_id": asset.id, "reason": skipped})
                items.append(item)
                for st in lineage["steps"] + [{"step": e["engine"].split(".")[-1], **e}
                                              for e in (lineage["render"].get("motion") or {}).get("engines", [])]:
                    engines.setdefault(st["engine"], _engine_use(st, inputs))
                for r in lineage["qc"]:
                    checks.setdefault(r["check"], Counter())[r["status"]] += 1
        if not items:
            raise InvalidRequestError(
                f"the licence gate withheld all {len(withheld)} approved asset(s) for channel '{channel}'",
                hint="; ".join(sorted({r["message"] for w in withheld for r in w["reasons"]}))[:800])

        # 4. The bundle (atomic).
        disclosure = DisclosureInfo(
            engines=list(engines.values()),
            checks=[CheckRun(cid, CHECK_WORDS.get(cid, cid), passed=c["pass"], flagged=c["warn"], failed=c["fail"])
                    for cid, c in sorted(checks.items())],
            inputs=list(all_inputs.values()), signer=keys.subject)
        report = write_bundle(items, out_dir, channel, loaded.campaign.name, loaded.brand.kit.name, withheld,
                              disclosure, overwrite=overwrite)
        result.root = report.root
        result.files = {"manifest": str(report.manifest), "csv": str(report.csv),
                        "contact_sheet": str(report.contact_sheet), "disclosure_md": str(report.disclosure_md),
                        "disclosure_html": str(report.disclosure_html)}
        result.withheld = withheld

        # 5. Record it.
        for item in items:
            blobs.put(item.data)
        with db.session() as s:
            repo = Repository(s, settings.tenant)
            campaign = repo.get_campaign(campaign_slug)
            written = json.loads(report.manifest.read_text(encoding="utf-8"))["files"]
            paths = {f["asset_id"]: report.root / f["path"] for f in written}
            for item in items:
                result.delivered.append({"asset_id": item.asset_id, "revision": item.revision,
                                         "file": str(paths[item.asset_id]),
                                         "sha256": hashlib.sha256(item.data).hexdigest(),
                                         "watermark_id": item.watermark_id})
            s.add(Delivery(tenant_id=settings.tenant, campaign_id=campaign.id, channel=channel,
                           out_dir=str(report.root), actor=actor,
                           summary={"delivered": result.delivered, "withheld": withheld}))
            by_id = {a.id: a for a in s.scalars(select(Asset).where(
                Asset.tenant_id == settings.tenant, Asset.id.in_([i.asset_id for i in items])))}
            for entry in result.delivered:
                asset = by_id[entry["asset_id"]]
                repo.set_status(asset, "delivered", f"signed and delivered to {channel}", actor=actor,
                                data={"sha256": entry["sha256"], "bundle": str(report.root)})
            for w in withheld:
                s.add(Event(tenant_id=settings.tenant, campaign_id=campaign.id, asset_id=w["asset_id"],
                            kind="delivery.withheld", actor=actor,
                            reason="; ".join(r["message"] for r in w["reasons"])[:2000],
                            data={"channel": channel, "reasons": w["reasons"], "at": utcnow().isoformat()}))
        return result
    finally:
        db.dispose()


def _engine_use(step: dict[str, Any], inputs: list[LicensedInput]) -> EngineUse:
    """How one engine took part, for the disclosure page: the trained models it ran and their licences."""
    models = step.get("models") or []
    model = ", ".join(f"{m['title']} ({m['role']}, sha256 {str(m['sha256'])[:12]})" for m in models) or None
    licences = {i.ref: i.licence for i in inputs if i.role == "model"}
    names = sorted({lic.name for m in models if (lic := licences.get(f"{m['role']}:{m['title']}")) is not None})
    return EngineUse(step["step"], step["engine"], step["engine_version"],
                     ENGINE_WORDS.get(step["engine"], step["engine"]), trained_model=model,
                     model_licence=", ".join(names) or None)


def _licence(loaded: LoadedCampaign, record: dict[str, Any]) -> Any:
    from assetline.spec.common import Licence

    return Licence.model_validate(record["licence"]) if record.get("licence") else None


def _ingredient(loaded: LoadedCampaign, inp: LicensedInput) -> Ingredient:
    kit = loaded.brand.kit
    ref_file: str | None = None
    if inp.role == "logo":
        logo = next((lg for lg in kit.logos if lg.id == inp.ref), None)
        ref_file = logo.file if logo else None
    elif inp.role != "font":
        photo = kit.asset(inp.ref)
        ref_file = photo.file if photo else None
    licence = licence_record(inp)
    if inp.role == "model":  # a trained model the engine ran: an input to the asset, recorded by reference
        return Ingredient(f"model {inp.ref}", inp.sha256, "application/octet-stream", "model",
                          relationship="inputTo", licence=licence)
    if ref_file is not None:
        path = loaded.brand.file(ref_file)
        data = path.read_bytes()
        mime = sniff_mime(data) or "application/octet-stream"
        if hashlib.sha256(data).hexdigest() == inp.sha256:
            kind = {"logo": "logo", "music": "audio"}.get(inp.role, "photo")
            return Ingredient(f"{inp.role} {inp.ref}", inp.sha256, mime, kind, licence=licence, data=data)
    return Ingredient(f"{inp.role} {inp.ref}", inp.sha256, "application/octet-stream", inp.role, licence=licence)


def _video_parts(render: dict[str, Any], blobs: BlobStore) -> dict[str, Any]:
    """A video's poster frame, caption sidecars and length (empty for images)."""
    motion = render.get("motion")
    if not motion:
        return {}
    poster = motion.get("poster_sha")
    return {"poster": blobs.get(poster) if poster else None, "duration": motion.get("duration"),
            "sidecars": {ext: blobs.get(sha) for ext, sha in sorted((motion.get("captions") or {}).items())}}


def _decisions(lineage: dict[str, Any], asset: Asset, s: Any) -> list[dict[str, Any]]:
    out = [{"who": d["by"], "role": d["role"], "decision": d["decision"], "note": d["note"], "at": d["at"]}
           for d in lineage["review"]["decisions"]]
    if not out:  # approved by the review policy (no human decision on this revision)
        out.append({"who": "review-policy", "role": "policy", "decision": "approve",
                    "note": "passed every QC gate and was not drawn for the review sample",
                    "at": asset.updated_at.isoformat()})
    return out


def _sign_item(asset: Asset, lineage: dict[str, Any], inputs: list[LicensedInput], loaded: LoadedCampaign,
               blobs: BlobStore, keys: Any, territory: str, channel: str, signing: Any, watermark: Any,
               campaign_slug: str) -> tuple[DeliveryItem, str | None]:
    render = lineage["render"]
    data = blobs.get(render["sha256"])
    mime = render["media_type"]
    marked = watermark.embed(data, mime, asset.id)
    ingredients = [_ingredient(loaded, i) for i in inputs]
    source_type = choose_source_type(lineage["uses_trained_model"],
                                     any(i.kind in ("logo", "photo") for i in ingredients))
    decisions = _decisions(lineage, asset, None)
    digest = hashlib.sha256(json.dumps(lineage, sort_keys=True, default=str).encode()).hexdigest()
    name = file_name(loaded.brand.kit.id, campaign_slug, asset.concept, asset.segment, asset.format,
                     asset.variant + 1, asset.revision, mime)
    record = ProvenanceRecord(
        asset_id=asset.id, title=name, format_id=asset.format, source_type=source_type,
        engines=[EngineInfo(st["engine"], st["engine_version"]) for st in lineage["steps"]]
        + [EngineInfo(e["engine"], e["engine_version"]) for e in (render.get("motion") or {}).get("engines", [])],
        ingredients=ingredients,
        qc_results=[{**{k: r.get(k) for k in ("check", "version", "status", "score", "message")},
                     "passed": r.get("status") == "pass"} for r in lineage["qc"]],
        review_decisions=decisions,
        licences={"status": "cleared", "channel": channel, "territory": territory or "unspecified",
                  "inputs": [licence_record(i) for i in inputs]},
        ai_training_allowed=loaded.brand.kit.licensing.ai_training_allowed,
        revision=max(1, asset.revision), content_key=lineage["content_key"],
        watermark_id=asset.id if marked.embedded else None, lineage_digest=digest)
    signed = signing.sign(marked.data, mime, build_manifest(record), keys, record.ingredients)
    fields = lineage["copy"]["fields"]
    item = DeliveryItem(
        asset_id=asset.id, revision=asset.revision, campaign=campaign_slug, concept=asset.concept,
        segment=asset.segment, format_id=asset.format, channel=channel, width=render["width"],
        height=render["height"], mime=mime, data=signed, copy=dict(fields),
        language=lineage["copy"]["language"] or "", territory=territory,
        approved_by=[d["who"] for d in decisions if d["decision"] == "approve"],
        content_sha256=render["sha256"], watermark_id=asset.id if marked.embedded else None,
        source_type=source_type, licences=[licence_record(i) for i in inputs],
        lineage={"content_key": lineage["content_key"], "digest": digest, "steps": lineage["steps"]},
        variant=asset.variant + 1, **_video_parts(render, blobs))
    return item, None if marked.embedded else (marked.reason or "not embedded")

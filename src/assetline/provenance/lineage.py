"""Lineage of one asset revision: what went in, what made it, what checked it, who decided.

    inputs     every input file used (photos, logos placed, fonts used) with its sha256 and current licence
    steps      copy, visual and compose: engine id + version, seed, parameters, content key; for steps made by a
               trained model (``trained``), the models used (base, LoRA, ControlNet …) with fingerprints and licences
    copy       the texts chosen, the templates they came from, what reviewers excluded
    qc         every gate result stored with the render
    review     decisions and comments on this revision (who, role, when, note)
    direction  reviewers' accumulated change requests that shaped this revision

Built from the store (artifacts' stored lineage) and the campaign's current brand kit (for licences: a licence
may be renewed without re-rendering, so the current record is the one that counts at delivery).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assetline.errors import AssetlineError, NotFoundError
from assetline.spec.common import Licence
from assetline.spec.loader import LoadedCampaign, licensed_inputs, load_campaign
from assetline.store.models import Artifact, Asset, AssetRevision, Campaign, Comment, Decision
from assetline.store.repositories import Repository


@dataclass(frozen=True)
class InputRecord:
    role: str
    """photo, logo, font, reference, …"""
    ref: str
    sha256: str
    licence: Licence | None


def _licences(loaded: LoadedCampaign | None) -> dict[tuple[str, str], Licence | None]:
    """(role, ref) → licence. Fonts are keyed by file reference, logos and photos by id."""
    if loaded is None:
        return {}
    return {("font" if role == "font" else "logo" if role == "logo" else "asset", ref): lic
            for _, role, ref, lic in licensed_inputs(loaded.brand.kit)}


def load_spec(campaign: Campaign) -> LoadedCampaign | None:
    """The campaign's current spec, or None when its files are gone or broken (lineage still works)."""
    try:
        return load_campaign(Path(campaign.spec_path))
    except (AssetlineError, OSError):
        return None


def used_inputs(render: Artifact, visual: Artifact | None, loaded: LoadedCampaign | None) -> list[InputRecord]:
    """The input files that shaped the pixels (and a video's sound): photo(s), the logo placed, the fonts used,
    the music bed."""
    lic = _licences(loaded)
    inputs = (render.meta.get("lineage") or {}).get("inputs") or {}
    elements = render.meta.get("elements") or []
    placed_logos = {(e.get("extra") or {}).get("logo_id") for e in elements if e.get("kind") == "logo"}
    used_font_files = {(e.get("extra") or {}).get("font_file") for e in elements if e.get("text")}
    font_paths = {} if loaded is None else {str(p): ref for ref, p in loaded.brand.files.items()}
    used_font_refs = {font_paths.get(f, "") for f in used_font_files if f}
    out: list[InputRecord] = []
    if visual is not None:
        for key, sha in ((visual.meta.get("lineage") or {}).get("inputs") or {}).items():
            if key.startswith("photo:"):
                ref = key.split(":", 1)[1]
                out.append(InputRecord("photo", ref, sha, lic.get(("asset", ref))))
    for key, sha in inputs.items():
        if key.startswith("logo:") and key[5:] in placed_logos:
            out.append(InputRecord("logo", key[5:], sha, lic.get(("logo", key[5:]))))
        elif key.startswith("font:") and (key[5:] in used_font_refs or not font_paths):
            out.append(InputRecord("font", key[5:], sha, lic.get(("font", key[5:]))))
        elif key.startswith("music:"):  # a video's music bed
            out.append(InputRecord("music", key[6:], sha, lic.get(("asset", key[6:]))))
    return out


def used_models(steps: list[Artifact]) -> list[InputRecord]:
    """The trained models (base, LoRA, ControlNet, workflow, server model) the steps recorded, as inputs with
    their licence records (None when the settings gave none: the licence gate then withholds the asset)."""
    out: list[InputRecord] = []
    for art in steps:
        for model in (art.meta.get("lineage") or {}).get("models") or []:
            if model["role"] == "workflow":  # the studio's own node graph, not a licensed third-party input
                continue
            licence = model.get("licence")
            out.append(InputRecord("model", f"{model['role']}:{model['title']}", model["sha256"],
                                   Licence.model_validate(licence) if licence else None))
    return out


def uses_trained_model(steps: list[dict[str, Any]]) -> bool:
    """Whether any step was made by an engine that declares ``trained`` (built-in engines are procedural)."""
    return any(s.get("trained") for s in steps)


def build_lineage(session: Session, tenant_id: str, asset_id: int, revision: int | None = None,
                  loaded: LoadedCampaign | None = None) -> dict[str, Any]:
    """The lineage record of ``asset_id`` at ``revision`` (default: its current revision)."""
    repo = Repository(session, tenant_id)
    asset = session.scalar(select(Asset).where(Asset.tenant_id == tenant_id, Asset.id == asset_id))
    if asset is None:
        raise NotFoundError(f"no asset {asset_id}", hint="list assets with `assetline review list CAMPAIGN --as …`")
    rev = asset.revision if revision is None else revision
    row = session.scalar(select(AssetRevision).where(AssetRevision.tenant_id == tenant_id,
                                                     AssetRevision.asset_id == asset.id,
                                                     AssetRevision.revision == rev))
    if row is None:
        raise NotFoundError(f"asset {asset_id} has no revision {rev}" if rev else f"asset {asset_id} has no render yet")
    campaign = session.get(Campaign, asset.campaign_id)
    assert campaign is not None
    loaded = loaded or load_spec(campaign)
    render = repo.get_artifact(row.artifact_id)
    step_inputs = (render.meta.get("lineage") or {}).get("inputs") or {}
    upstream = repo.artifacts_by_keys([k for k in (step_inputs.get("copy"), step_inputs.get("visual")) if k])
    copy_art, visual_art = upstream.get(step_inputs.get("copy", "")), upstream.get(step_inputs.get("visual", ""))
    made_by = [a for a in (copy_art, visual_art, render) if a is not None]
    steps = [_step(a) for a in made_by]
    inputs = used_inputs(render, visual_art, loaded) + used_models(made_by)
    decisions = session.scalars(select(Decision).where(Decision.tenant_id == tenant_id, Decision.asset_id == asset.id,
                                                       Decision.revision == rev).order_by(Decision.id)).all()
    comments = session.scalars(select(Comment).where(Comment.tenant_id == tenant_id, Comment.asset_id == asset.id,
                                                     Comment.revision == rev).order_by(Comment.id)).all()
    params = (render.meta.get("lineage") or {}).get("params") or {}
    copy_params = ((copy_art.meta.get("lineage") or {}).get("params") or {}) if copy_art else {}
    return {
        "asset": {"id": asset.id, "campaign": campaign.slug, "cell": asset.cell_key, "concept": asset.concept,
                  "segment": asset.segment, "format": asset.format, "variant": asset.variant, "status": asset.status},
        "revision": rev,
        "revisions": asset.revision,
        "content_key": render.content_key,
        "render": {"sha256": render.blob_sha, "media_type": render.media_type, "size": render.size,
                   "width": render.meta.get("width"), "height": render.meta.get("height"),
                   "layout": render.meta.get("layout"), "created_at": render.created_at.isoformat(),
                   **({"motion": _motion_summary(render.meta["motion"])} if render.meta.get("motion") else {})},
        "inputs": [{"role": i.role, "ref": i.ref, "sha256": i.sha256,
                    "licence": i.licence.model_dump(mode="json") if i.licence else None} for i in inputs],
        "steps": steps,
        "uses_trained_model": uses_trained_model(steps),
        "copy": {"fields": render.meta.get("copy") or {}, "language": render.meta.get("language"),
                 "excluded": copy_params.get("exclude", []),
                 "choices": (copy_art.meta.get("choices") if copy_art else None)},
        "seeds": {s["step"]: s["seed"] for s in steps if s.get("seed") is not None},
        "direction": params.get("direction") or {},
        "qc": render.meta.get("qc") or [],
        "review": {"decisions": [{"decision": d.decision, "by": d.actor, "role": d.role, "note": d.note,
                                  "at": d.created_at.isoformat()} for d in decisions],
                   "comments": [{"by": c.author, "body": c.body, "at": c.created_at.isoformat()} for c in comments]},
        "spec": {"campaign": campaign.spec_path, "spec_hash": campaign.spec_hash,
                 "loaded": loaded is not None},
    }


def _step(art: Artifact) -> dict[str, Any]:
    lineage = art.meta.get("lineage") or {}
    params = lineage.get("params") or {}
    out = {"step": art.step, "engine": art.engine_id, "engine_version": art.engine_version,
           "content_key": art.content_key, "seed": params.get("seed"), "sha256": art.blob_sha,
           "seconds": art.meta.get("seconds")}
    if lineage.get("trained"):
        out["trained"] = True
        out["models"] = [{k: m.get(k) for k in ("role", "title", "sha256", "weight")}
                         for m in lineage.get("models") or []]
    return out


def _motion_summary(motion: dict[str, Any]) -> dict[str, Any]:
    """What delivery and provenance need of a video render: length, poster and caption blobs, loudness."""
    voice = motion.get("voiceover") or {}
    encoding = motion.get("encoding") or {}
    engines = [{"engine": encoding["engine"], "engine_version": encoding.get("engine_version", "")}
               ] if encoding.get("engine") else []
    if voice.get("engine"):
        engines.append({"engine": voice["engine"], "engine_version": str(voice.get("version", ""))})
    return {"engines": engines, "duration": motion.get("duration"), "fps": motion.get("fps"),
            "poster_sha": motion.get("poster_sha"),
            "captions": dict(motion.get("captions") or {}), "language": voice.get("voice"),
            "loudness": (voice.get("measurements") or {}).get("integrated_lufs")}

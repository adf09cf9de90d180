"""Batch QC after a run: checks that compare assets with each other (near-duplicates within the campaign,
copy near-duplicates across concepts, homogenisation of the whole batch).

Batch results never regenerate a cell (no single seed is to blame); an asset with a batch warning or
failure is flagged for review, and the per-check counts go into the run summary under ``batch_qc``.
"""

from __future__ import annotations

import hashlib
import io
from collections import Counter
from typing import Any

from PIL import Image

from assetline.config import Settings
from assetline.qc.base import AssetUnderCheck, CheckContext
from assetline.qc.registry import CheckRegistry
from assetline.spec.loader import LoadedCampaign
from assetline.store.blobs import BlobStore
from assetline.store.db import Database
from assetline.store.repositories import Repository

FLAGGABLE = ("passed",)


def renders_digest(db: Database, settings: Settings, campaign_slug: str) -> str:
    """A digest of which render every live cell points at: equal digests mean the same batch."""
    with db.session() as s:
        repo = Repository(s, settings.tenant)
        pairs = sorted(f"{a.cell_key}={a.artifact_id}" for a in repo.list_assets(repo.get_campaign(campaign_slug))
                       if a.artifact_id is not None and a.status != "retired")
    return hashlib.sha256("\n".join(pairs).encode()).hexdigest()


def run_batch_checks(db: Database, blobs: BlobStore, settings: Settings, loaded: LoadedCampaign,
                     checks: CheckRegistry, run_id: int) -> dict[str, Any]:
    if not checks.batch():
        return {}
    c = loaded.campaign
    formats = {f.id: f for f in loaded.formats}
    segments = {s.id: s for s in c.segments}
    with db.session() as s:
        repo = Repository(s, settings.tenant)
        campaign = repo.get_campaign(c.id)
        current = [a for a in repo.list_assets(campaign) if a.artifact_id is not None and a.status != "retired"]
        if len(current) < 2:
            return {}
        subjects: list[AssetUnderCheck] = []
        for asset in current:
            art = repo.get_artifact(asset.artifact_id)  # type: ignore[arg-type]
            meta = art.meta or {}
            # a video is compared by its poster frame (the end card: the composed layout)
            poster = (meta.get("motion") or {}).get("poster_sha")
            image = Image.open(io.BytesIO(blobs.get(poster or art.blob_sha)))
            image.load()
            subjects.append(AssetUnderCheck(
                image=image.convert("RGB"), brand=loaded.brand.kit, format=formats.get(asset.format),
                copy=meta.get("copy"), language=meta.get("language"), segment=segments.get(asset.segment),
                asset_id=asset.cell_key))
        context = CheckContext(settings=dict(c.qc.settings),
                               resources={"concepts": {a.cell_key: a.concept for a in current}, "fingerprints": {}})
        results = checks.run_batch(subjects, context)
        counts: dict[str, Counter[str]] = {}
        flagged = 0
        for asset, asset_results in zip(current, results, strict=True):
            bad = [r for r in asset_results if r.status in ("warn", "fail")]
            for r in asset_results:
                counts.setdefault(r.check_id, Counter())[r.status] += 1
            if bad:
                asset.qc_flags = " ".join(sorted(set(asset.qc_flags.split()) | {r.check_id for r in bad}))
            if bad and asset.status in FLAGGABLE:
                reason = "batch QC: " + "; ".join(f"{r.check_id}: {r.message}" for r in bad)
                repo.set_status(asset, "flagged", reason[:2000], run_id,
                                data={"batch_qc": [r.to_dict() for r in bad]})
                flagged += 1
    return {"checks": {k: dict(v) for k, v in sorted(counts.items())}, "flagged": flagged,
            "renders": renders_digest(db, settings, c.id)}

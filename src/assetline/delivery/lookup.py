"""`assetline verify` with the store: the file's Content Credentials and watermark, matched to its asset.

Trust anchors: the tenant's own (``assetline keys init`` / ``import``) plus any ``--anchors`` file. The asset
is looked up by the id in the signed lineage, or — when the manifest was stripped — by the watermark; the file's
sha256 is compared with the signed bytes recorded at delivery.
"""

from __future__ import annotations

import contextlib
import hashlib
from pathlib import Path
from typing import Any

from sqlalchemy import select

from assetline.config import Settings
from assetline.errors import AssetlineError, ProvenanceError
from assetline.store.db import Database
from assetline.store.models import Asset, Delivery


def _anchors(settings: Settings, extra: Path | None) -> str:
    from assetline.provenance.keys import load_keys

    pem = ""
    with contextlib.suppress(AssetlineError):  # no keys here: a good file then reads 'valid', not 'trusted'
        pem = load_keys(settings.workspace, settings.tenant).anchors_pem
    if extra is not None:
        try:
            pem += "\n" + extra.read_text(encoding="utf-8")
        except OSError as exc:
            raise ProvenanceError(f"cannot read trust anchors {extra}: {exc.strerror}") from exc
    return pem.strip()


def verify_with_store(settings: Settings, file: Path, anchors: Path | None = None) -> dict[str, Any]:
    from assetline.provenance.verify import verify_file

    report = verify_file(file, _anchors(settings, anchors) or None)
    out: dict[str, Any] = {"file": str(file), **report.to_dict(), "summary": report.summary_lines(),
                           "asset": None, "delivered_file": False, "watermark_matches_manifest": None}
    if report.watermark_id is not None and isinstance(report.lineage.get("asset_id"), int):
        out["watermark_matches_manifest"] = report.watermark_id == report.lineage["asset_id"]
    db_file = settings.workspace / "assetline.db"
    if report.asset_id is None or not (settings.database_url or db_file.exists()):
        return out
    sha = hashlib.sha256(file.read_bytes()).hexdigest()
    db = Database(settings.db_url)
    try:
        with db.session() as s:
            asset = s.scalar(select(Asset).where(Asset.tenant_id == settings.tenant, Asset.id == report.asset_id))
            if asset is None:
                return out
            out["asset"] = {"id": asset.id, "cell": asset.cell_key, "status": asset.status,
                            "revision": asset.revision, "concept": asset.concept, "segment": asset.segment,
                            "format": asset.format}
            for delivery in s.scalars(select(Delivery).where(Delivery.tenant_id == settings.tenant)):
                for entry in delivery.summary.get("delivered", []):
                    if entry.get("asset_id") == asset.id and entry.get("sha256") == sha:
                        out["delivered_file"] = True
                        out["delivery"] = {"id": delivery.id, "channel": delivery.channel,
                                           "at": delivery.created_at.isoformat(), "bundle": delivery.out_dir}
    finally:
        db.dispose()
    return out

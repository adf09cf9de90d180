"""Export a campaign's current renders as a plain folder tree plus an HTML contact sheet.

    <workspace>/output/<campaign>/<concept>/<format>/<segment>-v<N>.<jpg|png|mp4>   (+ .vtt captions for videos)
    <workspace>/output/<campaign>/contact-sheet.html   (thumbnails grouped by concept and format)

Files are copied from the blob store (never hard-linked: editing an output must not corrupt a blob) and
written atomically; an unchanged file is not rewritten. Files of cells no longer in the brief are removed.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from PIL import Image

from assetline.config import Settings
from assetline.spec.loader import LoadedCampaign
from assetline.store.blobs import BlobStore
from assetline.store.db import Database
from assetline.store.models import Artifact
from assetline.store.repositories import Repository

EXT = {"image/jpeg": "jpg", "image/png": "png", "video/mp4": "mp4", "video/webm": "webm"}
THUMB_BOX = (360, 360)
INDEX = ".export-index.json"


def atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _thumbnail(data: bytes) -> bytes:
    img = Image.open(io.BytesIO(data)).convert("RGB")
    img.thumbnail(THUMB_BOX, Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=85)
    return buf.getvalue()


def export_outputs(db: Database, blobs: BlobStore, settings: Settings, loaded: LoadedCampaign) -> tuple[Path, Path]:
    """Write the output tree and contact sheet; returns (folder, contact sheet path)."""
    c = loaded.campaign
    root = settings.output_dir / c.id
    root.mkdir(parents=True, exist_ok=True)
    index_path = root / INDEX
    try:
        previous: dict[str, str] = json.loads(index_path.read_text())
    except (OSError, ValueError):
        previous = {}
    current: dict[str, str] = {}
    items: list[dict[str, Any]] = []
    with db.session() as s:
        repo = Repository(s, settings.tenant)
        campaign = repo.get_campaign(c.id)
        for asset in repo.list_assets(campaign):
            if asset.status == "retired" or asset.artifact_id is None:
                if asset.status == "failed":
                    items.append({"asset": _asset_info(asset), "failed": True, "file": None})
                continue
            art: Artifact = repo.get_artifact(asset.artifact_id)
            rel = f"{asset.concept}/{asset.format}/{asset.segment}-v{asset.variant}.{EXT.get(art.media_type, 'bin')}"
            thumb_rel = f"thumbs/{asset.concept}/{asset.format}/{asset.segment}-v{asset.variant}.jpg"
            current[rel] = art.blob_sha
            motion = (art.meta or {}).get("motion") or {}
            vtt_sha = (motion.get("captions") or {}).get("vtt")
            vtt_rel = str(Path(rel).with_suffix(".vtt")) if vtt_sha else None
            if previous.get(rel) != art.blob_sha or not (root / rel).is_file() or not (root / thumb_rel).is_file():
                data = blobs.get(art.blob_sha)
                atomic_write(root / rel, data)
                # a video's thumbnail is made from its poster frame (the end card)
                atomic_write(root / thumb_rel, _thumbnail(blobs.get(motion["poster_sha"]) if motion else data))
                if vtt_rel and vtt_sha:
                    atomic_write(root / vtt_rel, blobs.get(vtt_sha))
            items.append({"asset": _asset_info(asset), "file": rel, "thumb": thumb_rel, "meta": art.meta,
                          "size_kb": round(art.size / 1024, 1), "failed": False, "video": bool(motion),
                          "captions": vtt_rel})
    for rel in set(previous) - set(current):
        for stale in (root / rel, root / "thumbs" / Path(rel).with_suffix(".jpg"),
                      root / Path(rel).with_suffix(".vtt")):
            stale.unlink(missing_ok=True)
    atomic_write(index_path, json.dumps(current, indent=1, sort_keys=True).encode())
    sheet = root / "contact-sheet.html"
    atomic_write(sheet, render_contact_sheet(loaded, items).encode("utf-8"))
    return root, sheet


def _asset_info(asset: Any) -> dict[str, Any]:
    return {"id": asset.id, "cell": asset.cell_key, "concept": asset.concept, "segment": asset.segment,
            "format": asset.format, "variant": asset.variant, "status": asset.status, "revision": asset.revision}


def render_contact_sheet(loaded: LoadedCampaign, items: list[dict[str, Any]]) -> str:
    env = Environment(loader=PackageLoader("assetline.run", "templates"), autoescape=select_autoescape())
    c = loaded.campaign
    concepts = []
    formats = {f.id: f for f in loaded.formats}
    segments = {s.id: s for s in c.segments}
    for concept in c.concepts:
        groups = []
        for fid in c.formats:
            cells = [i for i in items if i["asset"]["concept"] == concept.id and i["asset"]["format"] == fid]
            if cells:
                groups.append({"format": formats[fid], "cells": cells})
        concepts.append({"concept": concept, "groups": groups})
    palette = [p.hex for p in loaded.brand.kit.palette]
    return env.get_template("contact_sheet.html.j2").render(
        campaign=c, brand=loaded.brand.kit, concepts=concepts, segments=segments, palette=palette,
        total=sum(1 for i in items if not i["failed"]), failed=sum(1 for i in items if i["failed"]))

"""The lineage of a render, read from its artifact row (``meta["lineage"]``: params and input keys).

``render_lineage`` is the one function the API calls; ``record`` carries the provenance package's full lineage
(inputs with licences, seeds, copy, QC, review) — the same record as ``assetline lineage --json``.
"""

from __future__ import annotations

from assetline.errors import NotFoundError
from assetline.provenance.lineage import build_lineage
from assetline.review.service import ReviewService
from assetline.store.models import Asset
from assetline.web.api.schemas import ArtifactRef, Lineage

BUILT_FROM = ("copy", "visual")
"""Inputs that are artifacts of earlier steps (the others are file hashes: fonts, logos, photos)."""


def render_lineage(service: ReviewService, asset: Asset, revision: int | None = None) -> Lineage:
    """How ``revision`` (default: current) of ``asset`` was made. NotFoundError before the first render."""
    render = service.render(asset, revision)
    if render is None:
        raise NotFoundError(f"asset {asset.id} has no render yet")
    lineage = (render.meta or {}).get("lineage") or {}
    inputs = {str(k): str(v) for k, v in (lineage.get("inputs") or {}).items()}
    keys = {role: inputs[role] for role in BUILT_FROM if role in inputs}
    found = service.repo.artifacts_by_keys(keys.values())
    built_from = []
    for role, key in keys.items():
        art = found.get(key)
        if art is None:
            continue
        built_from.append(ArtifactRef(role=role, content_key=art.content_key, step=art.step, engine_id=art.engine_id,
                                      engine_version=art.engine_version, sha256=art.blob_sha,
                                      media_type=art.media_type, size=art.size, created_at=art.created_at,
                                      params=dict(((art.meta or {}).get("lineage") or {}).get("params") or {})))
    number = asset.revision if revision is None else revision
    record = build_lineage(service.session, service.actor.tenant_id, asset.id, number)
    return Lineage(record=record, asset_id=asset.id, revision=number, content_key=render.content_key, step=render.step,
                   engine_id=render.engine_id, engine_version=render.engine_version, sha256=render.blob_sha,
                   media_type=render.media_type, created_at=render.created_at,
                   params=dict(lineage.get("params") or {}), inputs=inputs, built_from=built_from)

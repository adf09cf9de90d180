"""The creative attributes of a campaign's assets, read from the lineage Assetline already stores.

    rows = campaign_attributes(session, tenant_id, campaign_id)   # {asset_id: AssetAttributes}
    rows[17].value("layout")                                      # 'hero'

Where each attribute comes from (the current revision of each asset):

    concept, segment   the asset row (its cell)
    layout             the render artifact's ``meta["layout"]`` (what the composer used)
    headline, cta      the render artifact's ``meta["copy"]``: the text shown on the image, in the segment's language
    style              the visual artifact's ``meta["visual"]["style"]`` (else its params' ``visual.style``)
    palette            the first brand colour the visual was built from (``meta["visual"]["palette_used"][0]``), by
                       its name in the palette the step was given (its hex when the kit does not name it); engines
                       that do not record it (diffusion, ComfyUI) leave it unknown
    engine             the visual artifact's engine id

Bulk: one query for the assets with their renders, one (chunked) for the copy and visual artifacts they were
built from, whatever the campaign's size (``build_lineage`` per asset would be 5 queries an asset).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assetline.store.models import Artifact, Asset
from assetline.store.repositories import Repository

ATTRIBUTES: tuple[str, ...] = ("concept", "layout", "headline", "cta", "style", "palette", "engine")
"""The attributes insights compare, in the order pages show them."""

LABELS: dict[str, str] = {"concept": "Concept", "layout": "Layout", "headline": "Headline", "cta": "Call to action",
                          "style": "Visual style", "palette": "Palette colour", "engine": "Visual engine"}


@dataclass(frozen=True)
class AssetAttributes:
    """What one asset is made of (None where the lineage does not record it)."""

    asset_id: int
    segment: str
    concept: str
    format: str
    variant: int
    status: str
    layout: str | None = None
    headline: str | None = None
    cta: str | None = None
    style: str | None = None
    palette: str | None = None
    engine: str | None = None
    language: str | None = None

    def value(self, attribute: str) -> str | None:
        if attribute not in ATTRIBUTES:
            raise KeyError(attribute)
        found = getattr(self, attribute)
        return None if found in (None, "") else str(found)


def _palette_name(visual: Artifact) -> str | None:
    meta = visual.meta or {}
    used = (meta.get("visual") or {}).get("palette_used") or []
    if not used or not isinstance(used[0], str):
        return None
    first = used[0].upper()
    palette = ((meta.get("lineage") or {}).get("params") or {}).get("palette") or []
    for colour in palette:
        if isinstance(colour, Mapping) and str(colour.get("hex", "")).upper() == first and colour.get("name"):
            return str(colour["name"])
    return first


def _style(visual: Artifact) -> str | None:
    meta = visual.meta or {}
    style = (meta.get("visual") or {}).get("style")
    if not style:
        style = (((meta.get("lineage") or {}).get("params") or {}).get("visual") or {}).get("style")
    return str(style) if style else None


def _text(fields: Mapping[str, Any], name: str) -> str | None:
    value = fields.get(name)
    return value.strip() if isinstance(value, str) and value.strip() else None


def campaign_attributes(session: Session, tenant_id: str, campaign_id: int,
                        asset_ids: Iterable[int] | None = None) -> dict[int, AssetAttributes]:
    """asset id → its attributes, for every rendered asset of the campaign (or just ``asset_ids``)."""
    query = (select(Asset, Artifact).join(Artifact, Artifact.id == Asset.artifact_id)
             .where(Asset.tenant_id == tenant_id, Asset.campaign_id == campaign_id, Artifact.tenant_id == tenant_id))
    rows = session.execute(query.order_by(Asset.id)).all()
    if asset_ids is not None:
        wanted = set(asset_ids)
        rows = [r for r in rows if r[0].id in wanted]
    upstream_keys: set[str] = set()
    for _, render in rows:
        inputs = ((render.meta or {}).get("lineage") or {}).get("inputs") or {}
        upstream_keys.update(str(inputs[k]) for k in ("visual",) if inputs.get(k))
    upstream = Repository(session, tenant_id).artifacts_by_keys(sorted(upstream_keys))
    out: dict[int, AssetAttributes] = {}
    for asset, render in rows:
        meta = render.meta or {}
        fields = meta.get("copy") or {}
        inputs = (meta.get("lineage") or {}).get("inputs") or {}
        visual = upstream.get(str(inputs.get("visual", "")))
        out[asset.id] = AssetAttributes(
            asset_id=asset.id, segment=asset.segment, concept=asset.concept, format=asset.format,
            variant=asset.variant, status=asset.status,
            layout=str(meta["layout"]) if meta.get("layout") else None,
            headline=_text(fields, "headline"), cta=_text(fields, "cta"),
            style=_style(visual) if visual is not None else None,
            palette=_palette_name(visual) if visual is not None else None,
            engine=visual.engine_id if visual is not None else None,
            language=str(meta["language"]) if meta.get("language") else None)
    return out

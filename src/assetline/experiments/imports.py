"""Import a platform's CSV export (Meta Ads Manager, Google Ads, generic) as performance events, atomically.

    with db.session() as s:
        result = import_csv(s, "acme", "acme-launch", Path("meta-export.csv"))   # fmt="auto"
    result.accepted, result.duplicates, result.assets                            # ImportResult

Steps, all inside the caller's transaction (one file is stored whole or not at all):

1. The campaign (404 when it is not the tenant's), then the file (import_formats.py: decode, header, rows).
2. Each row's ad name → asset id: the delivered file's name without its extension (every delivery of the
   campaign is read; see delivery/naming.py), or ``a<id>`` / ``<id>`` of an asset of the campaign. Unknown names
   are all listed with their lines and nothing is stored, unless ``skip_unknown`` (then they are counted).
3. Rows are summed per asset and reporting day; each sum becomes up to four events (impression, click,
   conversion, value; zero counts make none). Fractional conversions (Google's data-driven attribution) are
   rounded half to even *after* summing; the value is kept whole. A value without a whole conversion becomes
   a value event of count 1.
4. Event ids are deterministic: ``csv:`` + sha256(format, campaign, asset, day, metric). Importing the same file
   again stores nothing (every event is a duplicate); a re-export of a day with different numbers is refused
   as a conflict naming the rows: imports are append-only (no replace), so import only new days.
5. ``ingest`` (at most 10,000 events a call) in the one transaction; running counts update with it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path, PurePath
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assetline.errors import ConflictError, NotFoundError
from assetline.experiments.import_formats import (
    FORMATS,
    MAX_BYTES,
    ExportRow,
    ImportInputError,
    detect_format,
    parse_rows,
    read_table,
)
from assetline.experiments.ingest import MAX_BATCH, PerfEvent, ingest, payload_hash
from assetline.store.models import Asset, Delivery
from assetline.store.performance import PerformanceRepository
from assetline.store.repositories import Repository

__all__ = ["ImportInputError", "ImportResult", "ad_name_index", "campaign_counts", "event_id", "import_csv"]

_ASSET_REF = re.compile(r"^a?(\d{1,12})$")
_SHOWN = 20


@dataclass
class AssetTotals:
    """What the file held for one asset (as stored: conversions rounded)."""

    asset_id: int
    ad_name: str
    impressions: int = 0
    clicks: int = 0
    conversions: int = 0
    value: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"asset_id": self.asset_id, "ad_name": self.ad_name, "impressions": self.impressions,
                "clicks": self.clicks, "conversions": self.conversions, "value": round(self.value, 6)}


@dataclass
class ImportResult:
    file: str
    format: str
    campaign: str
    rows: int
    """Data rows read (summary rows not included)."""
    summary_rows: int
    """Totals rows skipped (Meta's summary row, Google's "Total: …")."""
    skipped: int
    """Rows skipped because their ad matched no asset (only with skip_unknown)."""
    unknown: list[str]
    events: int
    accepted: int
    duplicates: int
    assets: list[AssetTotals] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "format": self.format, "campaign": self.campaign, "rows": self.rows,
                "summary_rows": self.summary_rows, "skipped": self.skipped, "unknown": self.unknown,
                "events": self.events, "accepted": self.accepted, "duplicates": self.duplicates,
                "assets": [a.to_dict() for a in self.assets]}


# ---------------------------------------------------------------------------------------------- ad names
def _name_keys(file: str) -> set[str]:
    name = PurePath(file.replace("\\", "/")).name.lower()
    return {name, name.rsplit(".", 1)[0]}


def ad_name_index(session: Session, tenant_id: str, campaign_id: int) -> tuple[dict[str, int], set[str]]:
    """Delivered name (stem and file name, lower case) → asset id, over every delivery of the campaign; and the
    names that point at two different assets (refused when used)."""
    index: dict[str, int] = {}
    ambiguous: set[str] = set()
    deliveries = session.scalars(select(Delivery).where(Delivery.tenant_id == tenant_id,
                                                        Delivery.campaign_id == campaign_id).order_by(Delivery.id))
    for delivery in deliveries:
        for entry in (delivery.summary or {}).get("delivered", []):
            asset_id, file = entry.get("asset_id"), entry.get("file")
            if not isinstance(asset_id, int) or not isinstance(file, str):
                continue
            for key in _name_keys(file):
                if index.setdefault(key, asset_id) != asset_id:
                    ambiguous.add(key)
    return index, ambiguous


def _campaign_asset_ids(session: Session, tenant_id: str, campaign_id: int) -> set[int]:
    return set(session.scalars(select(Asset.id).where(Asset.tenant_id == tenant_id,
                                                      Asset.campaign_id == campaign_id)))


def _lines(lines: list[int]) -> str:
    shown = ", ".join(str(n) for n in lines[:5]) + (" …" if len(lines) > 5 else "")
    return f"line {shown}" if len(lines) == 1 else f"lines {shown}"


def _resolve(rows: list[ExportRow], index: dict[str, int], ambiguous: set[str], asset_ids: set[int],
             label: str, slug: str, skip_unknown: bool) -> tuple[list[tuple[int, ExportRow]], dict[str, list[int]]]:
    """(asset id, row) for the rows whose ad is known; unknown names → their lines (raises unless skip_unknown)."""
    known: list[tuple[int, ExportRow]] = []
    unknown: dict[str, list[int]] = {}
    twice: dict[str, list[int]] = {}
    for row in rows:
        key = row.ad.strip().lower()
        ref = _ASSET_REF.match(key)
        if key in ambiguous:
            twice.setdefault(row.ad, []).append(row.line)
        elif key in index:
            known.append((index[key], row))
        elif key.rsplit(".", 1)[0] in index:
            known.append((index[key.rsplit(".", 1)[0]], row))
        elif ref and int(ref.group(1)) in asset_ids:
            known.append((int(ref.group(1)), row))
        else:
            unknown.setdefault(row.ad, []).append(row.line)
    if twice:
        name, lines = next(iter(twice.items()))
        raise ImportInputError(f"{label}: ad name {name!r} ({_lines(lines)}) was delivered for two different assets",
                               hint="name those rows by asset id instead (a<asset id>); nothing was stored")
    if unknown and not skip_unknown:
        listed = "; ".join(f"{name!r} ({_lines(lines)})" for name, lines in list(unknown.items())[:_SHOWN])
        more = f" and {len(unknown) - _SHOWN} more" if len(unknown) > _SHOWN else ""
        raise ImportInputError(
            f"{label}: {len(unknown)} ad name(s) match no delivered asset of campaign '{slug}': {listed}{more}",
            hint="ads are named by the delivered file name without its extension (see the bundle's manifest), "
                 "or a<asset id>; pass --skip-unknown (API: skip_unknown=true) to import the other rows. "
                 "Nothing was stored")
    return known, unknown


# ---------------------------------------------------------------------------------------------- events
def event_id(fmt: str, campaign: str, asset_id: int, day: str, metric: str) -> str:
    """The deterministic id of one imported count (the same file imported twice gives the same ids)."""
    digest = hashlib.sha256("\x1f".join([fmt, campaign, str(asset_id), day, metric]).encode("utf-8")).hexdigest()
    return f"csv:{digest}"


@dataclass
class _Sum:
    lines: list[int] = field(default_factory=list)
    metrics: dict[str, Decimal] = field(default_factory=dict)


def _events(fmt: str, slug: str, known: Iterable[tuple[int, ExportRow]]
            ) -> tuple[list[PerfEvent], dict[str, list[int]], dict[int, AssetTotals]]:
    """Events of the rows summed per asset and day, the lines behind each event id, and the per-asset totals."""
    sums: dict[tuple[int, str], _Sum] = {}
    names: dict[int, str] = {}
    for asset_id, row in known:
        acc = sums.setdefault((asset_id, row.day), _Sum())
        acc.lines.append(row.line)
        for metric, v in row.metrics.items():
            acc.metrics[metric] = acc.metrics.get(metric, Decimal(0)) + v
        names.setdefault(asset_id, row.ad)
    events: list[PerfEvent] = []
    lines: dict[str, list[int]] = {}
    totals: dict[int, AssetTotals] = {}
    for (asset_id, day), acc in sorted(sums.items()):
        occurred = datetime.fromisoformat(day[:10]).replace(tzinfo=UTC) if day else None
        m = {k: acc.metrics.get(k, Decimal(0)) for k in ("impressions", "clicks", "conversions", "value")}
        counts = {"impression": int(m["impressions"]), "click": int(m["clicks"]),
                  "conversion": int(m["conversions"].to_integral_value(ROUND_HALF_EVEN))}
        value = float(m["value"])
        tot = totals.setdefault(asset_id, AssetTotals(asset_id, names[asset_id]))
        tot.impressions += counts["impression"]
        tot.clicks += counts["click"]
        tot.conversions += counts["conversion"]
        tot.value += value
        made = [PerfEvent(event_id(fmt, slug, asset_id, day, kind), asset_id, kind, count, occurred_at=occurred)
                for kind, count in counts.items() if count > 0]
        if value > 0:  # the row's whole value, spread over its conversions (at least one)
            made.append(PerfEvent(event_id(fmt, slug, asset_id, day, "value"), asset_id, "value",
                                  max(counts["conversion"], 1), value=value, occurred_at=occurred))
        events += made
        lines.update({e.event_id: acc.lines for e in made})
    return events, lines, totals


def _refuse_changed(session: Session, tenant_id: str, label: str, events: list[PerfEvent],
                    lines: dict[str, list[int]]) -> None:
    stored = PerformanceRepository(session, tenant_id).existing_event_hashes(e.event_id for e in events)
    changed = [e for e in events if e.event_id in stored and stored[e.event_id] != payload_hash(e)]
    if changed:
        first = changed[0]
        day = first.occurred_at.date().isoformat() if first.occurred_at else "the undated rows"
        raise ConflictError(
            f"{label}: {len(changed)} count(s) differ from an earlier import of the same ads and days, first the "
            f"{first.kind} count of asset {first.asset_id} on {day} ({_lines(lines[first.event_id])})",
            hint="imports are append-only: a day once imported cannot be changed by a corrected export. Import only "
                 "days not imported before; nothing of this file was stored")


# ---------------------------------------------------------------------------------------------- entry point
def _read(source: Path | str | bytes, filename: str | None) -> tuple[bytes, str]:
    if isinstance(source, bytes):
        return source, filename or "upload.csv"
    path = Path(source)
    label = filename or str(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise ImportInputError(f"{label}: {path.stat().st_size / 1024 / 1024:.0f} MB is over the "
                                   f"{MAX_BYTES // 1024 // 1024} MB limit", hint="split the export by date range")
        return path.read_bytes(), label
    except FileNotFoundError:
        raise NotFoundError(f"no file {label}", hint="check the path of the export") from None
    except IsADirectoryError:
        raise ImportInputError(f"{label} is a folder, not a CSV file", hint="name the exported file") from None
    except OSError as exc:
        raise ImportInputError(f"cannot read {label}: {exc.strerror or exc}", hint="check the file's permissions") \
            from None


def import_csv(session: Session, tenant_id: str, campaign_slug: str, source: Path | str | bytes,
               fmt: str = "auto", skip_unknown: bool = False, filename: str | None = None) -> ImportResult:
    """Import one export into ``campaign_slug`` of ``tenant_id`` in the caller's transaction (module docstring)."""
    # 1. The campaign, then the file.
    if fmt != "auto" and fmt not in FORMATS:
        raise ImportInputError(f"unknown format {fmt!r}", hint=f"one of: auto, {', '.join(FORMATS)}")
    campaign = Repository(session, tenant_id).get_campaign(campaign_slug)
    data, label = _read(source, filename)
    table = read_table(data, label)
    chosen = detect_format(table.header) if fmt == "auto" else fmt
    rows, summaries = parse_rows(table, chosen)

    # 2. Ad names → assets.
    index, ambiguous = ad_name_index(session, tenant_id, campaign.id)
    asset_ids = _campaign_asset_ids(session, tenant_id, campaign.id)
    known, unknown = _resolve(rows, index, ambiguous, asset_ids, label, campaign.slug, skip_unknown)

    # 3.-4. Events with deterministic ids; a changed count is a conflict, explained by its lines.
    events, lines, totals = _events(chosen, campaign.slug, known)
    _refuse_changed(session, tenant_id, label, events, lines)

    # 5. Store, in batches, in the one transaction.
    accepted = duplicates = 0
    for start in range(0, len(events), MAX_BATCH):
        stored = ingest(session, tenant_id, events[start:start + MAX_BATCH], source=f"csv:{chosen}")
        accepted += stored.accepted
        duplicates += stored.duplicates
    return ImportResult(file=label, format=chosen, campaign=campaign.slug, rows=len(rows), summary_rows=summaries,
                        skipped=sum(len(v) for v in unknown.values()), unknown=sorted(unknown), events=len(events),
                        accepted=accepted, duplicates=duplicates,
                        assets=[totals[a] for a in sorted(totals)])


# ---------------------------------------------------------------------------------------------- reading counts
def campaign_counts(session: Session, tenant_id: str, campaign_slug: str) -> list[dict[str, Any]]:
    """The running counts of every asset of the campaign that has any, with the asset's cell (no raw events read)."""
    campaign = Repository(session, tenant_id).get_campaign(campaign_slug)
    counts = PerformanceRepository(session, tenant_id).counts_for_campaign(campaign.id)
    assets = {a.id: a for a in session.scalars(select(Asset).where(
        Asset.tenant_id == tenant_id, Asset.id.in_(list(counts))))} if counts else {}
    out = []
    for asset_id in sorted(counts, key=lambda i: (assets[i].concept, assets[i].segment, assets[i].format,
                                                  assets[i].variant, i)):
        c, a = counts[asset_id], assets[asset_id]
        out.append({"asset_id": asset_id, "concept": a.concept, "segment": a.segment, "format": a.format,
                    "variant": a.variant + 1, "impressions": c.impressions, "clicks": c.clicks,
                    "conversions": c.conversions, "value": round(c.value_sum, 6),
                    "ctr": round(c.clicks / c.impressions, 6) if c.impressions else None,
                    "conversion_rate": round(c.conversions / c.impressions, 6) if c.impressions else None})
    return out

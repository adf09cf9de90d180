"""Ingest performance events: validate a whole batch, then store it and its count deltas in one transaction.

    events = [PerfEvent(event_id="imp-1", asset_id=17, kind="impression", user_key="u-42"),
              PerfEvent(event_id="clk-1", asset_id=17, kind="click", user_key="u-42"),
              PerfEvent(event_id="buy-1", asset_id=17, kind="conversion", value=24.5)]
    result = ingest(session, tenant_id, events, source="api")   # IngestResult(accepted=3, duplicates=0)

Rules (all checked before anything is written; one bad event refuses the batch):

- ``kind`` is impression, click, conversion or value; ``count`` an integer 1 … 10⁹ (platform exports send
  aggregated rows: ``count`` impressions at once); ``value`` a finite number ≥ 0 (the *total* value of the row);
  ``event_id`` 1 … 128 printable characters, unique within the batch;
- every ``asset_id`` must be an asset of the tenant: a missing id and another tenant's id give the same
  :class:`NotFoundError`, listing them;
- an id already stored with the same payload is a duplicate and skipped (a retried batch is harmless); with a
  different payload it is a :class:`ConflictError` and nothing of the batch is stored.

How events become counts (impressions are the unit of every metric): impression → impressions += count,
click → clicks += count, conversion → conversions += count, and the row's ``value`` (on a conversion or a
value event) → value_sum += value, value_sum_squares += value²/count (a row's value is taken as ``count``
equal per-unit values; for single events that is exact).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assetline.errors import ConflictError, InvalidRequestError, NotFoundError
from assetline.store.performance import AssetCounts, PerformanceRepository

KINDS = ("impression", "click", "conversion", "value")
MAX_COUNT = 1_000_000_000
MAX_BATCH = 10_000
_EVENT_ID = re.compile(r"^[\x21-\x7e]{1,128}$")


class EventInputError(InvalidRequestError, ValueError):
    """A malformed event (HTTP 422, CLI exit 2). Also a ``ValueError``."""


@dataclass(frozen=True)
class PerfEvent:
    event_id: str
    asset_id: int
    kind: str
    count: int = 1
    value: float = 0.0
    user_key: str = ""
    occurred_at: datetime | None = None


@dataclass(frozen=True)
class IngestResult:
    accepted: int
    duplicates: int
    assets: list[int] = field(default_factory=list)
    """The assets whose counts changed."""

    def to_dict(self) -> dict[str, object]:
        return {"accepted": self.accepted, "duplicates": self.duplicates, "assets": self.assets}


def payload_hash(event: PerfEvent) -> str:
    occurred = event.occurred_at.astimezone(UTC).isoformat() if event.occurred_at else None
    body = [event.asset_id, event.kind, event.count, repr(float(event.value)), event.user_key, occurred]
    return hashlib.sha256(json.dumps(body, separators=(",", ":")).encode("utf-8")).hexdigest()


def validate(events: Sequence[PerfEvent]) -> None:
    """Refuse a malformed batch with one message naming every bad event (first 20)."""
    if not events:
        raise EventInputError("no events", hint="send at least one event")
    if len(events) > MAX_BATCH:
        raise EventInputError(f"{len(events)} events in one batch; at most {MAX_BATCH:,}",
                              hint="split the batch")
    problems: list[str] = []
    seen: set[str] = set()
    for i, e in enumerate(events):
        where = f"event {i} ({e.event_id!r})" if isinstance(e.event_id, str) else f"event {i}"
        if not isinstance(e.event_id, str) or not _EVENT_ID.match(e.event_id):
            problems.append(f"{where}: event_id must be 1-128 printable ASCII characters without spaces")
        elif e.event_id in seen:
            problems.append(f"{where}: event_id appears twice in this batch")
        else:
            seen.add(e.event_id)
        if e.kind not in KINDS:
            problems.append(f"{where}: kind must be one of {', '.join(KINDS)}, not {e.kind!r}")
        if isinstance(e.count, bool) or not isinstance(e.count, int) or not 1 <= e.count <= MAX_COUNT:
            problems.append(f"{where}: count must be an integer from 1 to {MAX_COUNT:,}, not {e.count!r}")
        if isinstance(e.value, bool) or not isinstance(e.value, int | float) or not math.isfinite(e.value) \
                or e.value < 0:
            problems.append(f"{where}: value must be a finite number >= 0, not {e.value!r}")
        elif e.value and e.kind in ("impression", "click"):
            problems.append(f"{where}: only conversion and value events carry a value")
        if isinstance(e.asset_id, bool) or not isinstance(e.asset_id, int) or e.asset_id < 1:
            problems.append(f"{where}: asset_id must be a positive integer")
        if not isinstance(e.user_key, str) or len(e.user_key) > 200:
            problems.append(f"{where}: user_key must be a string of at most 200 characters")
    if problems:
        more = f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""
        raise EventInputError("; ".join(problems[:20]) + more, hint="nothing of this batch was stored")


def deltas_of(events: Sequence[PerfEvent]) -> dict[int, AssetCounts]:
    out: dict[int, AssetCounts] = {}
    for e in events:
        value = float(e.value)
        d = AssetCounts(
            impressions=e.count if e.kind == "impression" else 0,
            clicks=e.count if e.kind == "click" else 0,
            conversions=e.count if e.kind == "conversion" else 0,
            value_sum=value, value_sum_squares=value * value / e.count)
        out[e.asset_id] = out.get(e.asset_id, AssetCounts()) + d
    return out


def ingest(session: Session, tenant_id: str, events: Sequence[PerfEvent], source: str = "api") -> IngestResult:
    """Validate and store ``events`` for ``tenant_id`` in the caller's transaction (see the module docstring)."""
    validate(events)
    repo = PerformanceRepository(session, tenant_id)
    found = repo.tenant_assets({e.asset_id for e in events})
    missing = sorted({e.asset_id for e in events} - set(found))
    if missing:
        shown = ", ".join(str(m) for m in missing[:20]) + (" …" if len(missing) > 20 else "")
        raise NotFoundError(f"no asset {shown}" if len(missing) == 1 else f"no assets {shown}",
                            hint="events name assets by their Assetline id; nothing of this batch was stored")
    hashes = {e.event_id: payload_hash(e) for e in events}
    stored = repo.existing_event_hashes(hashes)
    changed = sorted(i for i, h in stored.items() if hashes[i] != h)
    if changed:
        raise ConflictError(f"event id {changed[0]!r} was already stored with a different payload"
                            + (f" (and {len(changed) - 1} more)" if len(changed) > 1 else ""),
                            hint="event ids must be unique per event; nothing of this batch was stored")
    fresh = [e for e in events if e.event_id not in stored]
    now = datetime.now(UTC)
    rows = [{"event_id": e.event_id, "asset_id": e.asset_id, "kind": e.kind, "count": e.count,
             "value": float(e.value), "user_key": e.user_key, "occurred_at": e.occurred_at or now,
             "source": source, "payload_hash": hashes[e.event_id], "created_at": now} for e in fresh]
    deltas = deltas_of(fresh)
    try:
        with session.begin_nested():
            repo.add_events(rows, deltas)
    except IntegrityError as exc:
        raise ConflictError("another writer stored some of these event ids at the same moment",
                            hint="send the batch again: events already stored are skipped") from exc
    return IngestResult(accepted=len(fresh), duplicates=len(events) - len(fresh), assets=sorted(deltas))

"""Several writers ingesting overlapping batches at once (SQLite and Postgres): every event is counted exactly once.

Each writer sends the same events in its own order; a writer that loses a race on an event id gets the 409 the
API answers and sends its batch again, as the hint says. Afterwards the raw events are the distinct ids, and the
running counts (what every read uses) equal a recount of the raw events.
"""

from __future__ import annotations

import random
import threading

from sqlalchemy import func, select

from assetline.errors import ConflictError
from assetline.experiments.ingest import PerfEvent, ingest
from assetline.store.db import Database
from assetline.store.models import Asset, Campaign, PerformanceCounts, PerformanceEvent, Tenant

WRITERS = 4
BATCHES = 12
BATCH = 40


def _assets(db: Database) -> list[int]:
    with db.session() as s:
        s.add(Tenant(id="acme", name="Acme"))
        s.flush()
        campaign = Campaign(tenant_id="acme", slug="c", name="C", spec_path="/nowhere/campaign.yaml", spec_hash="0")
        s.add(campaign)
        s.flush()
        assets = [Asset(tenant_id="acme", campaign_id=campaign.id, cell_key=f"cell-{i}", concept="k", segment="s",
                        format="meta-feed-1x1", variant=i, status="delivered") for i in range(3)]
        s.add_all(assets)
        s.flush()
        return [a.id for a in assets]


def _batches(assets: list[int]) -> list[list[PerfEvent]]:
    kinds = ("impression", "impression", "impression", "click")
    return [[PerfEvent(f"b{b}-e{i}", assets[(b + i) % len(assets)], kinds[i % len(kinds)], count=1 + i % 3)
             for i in range(BATCH)] for b in range(BATCHES)]


def test_overlapping_writers_count_every_event_once(db_url: str) -> None:
    db = Database(db_url)
    db.migrate()
    try:
        assets = _assets(db)
        batches = _batches(assets)
        conflicts: list[int] = []
        failures: list[BaseException] = []
        start = threading.Barrier(WRITERS)

        def writer(seed: int) -> None:
            order = list(range(BATCHES))
            random.Random(seed).shuffle(order)
            start.wait()
            try:
                for b in order:
                    for _attempt in range(20):
                        try:
                            with db.session() as s:
                                ingest(s, "acme", batches[b])
                            break
                        except ConflictError:
                            conflicts.append(b)
                    else:
                        raise AssertionError(f"batch {b} conflicted 20 times")
            except BaseException as exc:  # reported below, with the thread's own traceback
                failures.append(exc)

        threads = [threading.Thread(target=writer, args=(seed,)) for seed in range(WRITERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert not failures, failures
        every = [e for batch in batches for e in batch]
        with db.session() as s:
            assert s.scalar(select(func.count()).select_from(PerformanceEvent)) == len(every)
            counts = {c.asset_id: c for c in s.scalars(select(PerformanceCounts))}
            raw = dict(s.execute(select(PerformanceEvent.asset_id, func.sum(PerformanceEvent.count)).where(
                PerformanceEvent.kind == "impression").group_by(PerformanceEvent.asset_id)).all())
        for asset_id in assets:
            want_impressions = sum(e.count for e in every if e.asset_id == asset_id and e.kind == "impression")
            want_clicks = sum(e.count for e in every if e.asset_id == asset_id and e.kind == "click")
            assert counts[asset_id].impressions == want_impressions == raw[asset_id]
            assert counts[asset_id].clicks == want_clicks
    finally:
        db.dispose()

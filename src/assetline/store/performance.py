"""Tenant-scoped access to the learning loop's tables: performance events, running counts, experiments, DCO log.

Counts are kept incrementally: :meth:`PerformanceRepository.add_events` inserts the raw events and adds their
deltas to ``performance_counts`` with ``UPDATE … SET n = n + :delta`` in the same transaction, so concurrent
writers never lose an increment and no read ever scans raw events.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assetline.store.models import (
    Asset,
    DcoDecision,
    Experiment,
    ExperimentArm,
    PerformanceCounts,
    PerformanceEvent,
    utcnow,
)

CHUNK = 500


@dataclass(frozen=True)
class AssetCounts:
    """Running totals of one asset: impressions are the units of every metric."""

    impressions: int = 0
    clicks: int = 0
    conversions: int = 0
    value_sum: float = 0.0
    value_sum_squares: float = 0.0

    def __add__(self, other: AssetCounts) -> AssetCounts:
        return AssetCounts(self.impressions + other.impressions, self.clicks + other.clicks,
                           self.conversions + other.conversions, self.value_sum + other.value_sum,
                           self.value_sum_squares + other.value_sum_squares)


ZERO = AssetCounts()


class PerformanceRepository:
    def __init__(self, session: Session, tenant_id: str) -> None:
        self.session = session
        self.tenant_id = tenant_id

    # ------------------------------------------------------------------ events and counts
    def existing_event_hashes(self, event_ids: Iterable[str]) -> dict[str, str]:
        """event id → payload hash, for the ids already stored."""
        ids = list(event_ids)
        found: dict[str, str] = {}
        for start in range(0, len(ids), CHUNK):
            rows = self.session.execute(select(PerformanceEvent.event_id, PerformanceEvent.payload_hash).where(
                PerformanceEvent.tenant_id == self.tenant_id, PerformanceEvent.event_id.in_(ids[start:start + CHUNK])))
            found.update({r[0]: r[1] for r in rows})
        return found

    def add_events(self, rows: Sequence[Mapping[str, Any]], deltas: Mapping[int, AssetCounts]) -> None:
        """Insert raw event rows and add ``deltas`` to the assets' running counts (one transaction).

        Raises IntegrityError when a concurrent writer stored one of the event ids first (the caller's
        transaction then rolls back as a whole). Rows are locked in one global order — event ids sorted, then
        count rows by asset id — so concurrent writers wait for each other instead of deadlocking."""
        if rows:
            self.session.execute(insert(PerformanceEvent), sorted(
                ({"tenant_id": self.tenant_id, **r} for r in rows), key=lambda r: str(r["event_id"])))
        have = self._count_rows(deltas)
        for asset_id in sorted(deltas):
            if asset_id not in have:
                try:
                    with self.session.begin_nested():
                        self.session.add(PerformanceCounts(tenant_id=self.tenant_id, asset_id=asset_id,
                                                           impressions=0, clicks=0, conversions=0, value_sum=0.0,
                                                           value_sum_squares=0.0))
                        self.session.flush()
                except IntegrityError:  # another writer created it first: add to theirs
                    pass
        now = utcnow()
        for asset_id, d in sorted(deltas.items()):
            self.session.execute(update(PerformanceCounts).where(
                PerformanceCounts.tenant_id == self.tenant_id, PerformanceCounts.asset_id == asset_id).values(
                impressions=PerformanceCounts.impressions + d.impressions,
                clicks=PerformanceCounts.clicks + d.clicks,
                conversions=PerformanceCounts.conversions + d.conversions,
                value_sum=PerformanceCounts.value_sum + d.value_sum,
                value_sum_squares=PerformanceCounts.value_sum_squares + d.value_sum_squares,
                updated_at=now))

    def _count_rows(self, asset_ids: Iterable[int]) -> set[int]:
        ids = list(asset_ids)
        found: set[int] = set()
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start:start + CHUNK]
            found.update(self.session.scalars(select(PerformanceCounts.asset_id).where(
                PerformanceCounts.tenant_id == self.tenant_id, PerformanceCounts.asset_id.in_(chunk))))
        return found

    def counts(self, asset_ids: Iterable[int] | None = None) -> dict[int, AssetCounts]:
        """Running counts per asset (all the tenant's assets with counts, or just ``asset_ids``)."""
        query = select(PerformanceCounts).where(PerformanceCounts.tenant_id == self.tenant_id)
        if asset_ids is not None:
            ids = list(asset_ids)
            if not ids:
                return {}
            query = query.where(PerformanceCounts.asset_id.in_(ids))
        return {c.asset_id: AssetCounts(c.impressions, c.clicks, c.conversions, c.value_sum, c.value_sum_squares)
                for c in self.session.scalars(query)}

    def counts_for_campaign(self, campaign_id: int) -> dict[int, AssetCounts]:
        """Running counts of every asset of the campaign that has any."""
        rows = self.session.scalars(select(PerformanceCounts).join(Asset, Asset.id == PerformanceCounts.asset_id).where(
            PerformanceCounts.tenant_id == self.tenant_id, Asset.tenant_id == self.tenant_id,
            Asset.campaign_id == campaign_id))
        return {c.asset_id: AssetCounts(c.impressions, c.clicks, c.conversions, c.value_sum, c.value_sum_squares)
                for c in rows}

    def tenant_assets(self, asset_ids: Iterable[int]) -> dict[int, Asset]:
        """The tenant's assets among ``asset_ids`` (others' and missing ids are simply absent)."""
        ids = list(asset_ids)
        found: dict[int, Asset] = {}
        for start in range(0, len(ids), CHUNK):
            found.update({a.id: a for a in self.session.scalars(select(Asset).where(
                Asset.tenant_id == self.tenant_id, Asset.id.in_(ids[start:start + CHUNK])))})
        return found

    # ------------------------------------------------------------------ experiments
    def experiments(self, campaign_id: int | None = None) -> Sequence[Experiment]:
        query = select(Experiment).where(Experiment.tenant_id == self.tenant_id)
        if campaign_id is not None:
            query = query.where(Experiment.campaign_id == campaign_id)
        return self.session.scalars(query.order_by(Experiment.campaign_id, Experiment.slug)).all()

    def find_experiment(self, campaign_id: int, slug: str) -> Experiment | None:
        return self.session.scalar(select(Experiment).where(
            Experiment.tenant_id == self.tenant_id, Experiment.campaign_id == campaign_id, Experiment.slug == slug))

    def experiment_by_id(self, experiment_id: int) -> Experiment | None:
        return self.session.scalar(select(Experiment).where(
            Experiment.tenant_id == self.tenant_id, Experiment.id == experiment_id))

    def arm_asset_ids(self, experiment_id: int) -> list[int]:
        return list(self.session.scalars(select(ExperimentArm.asset_id).where(
            ExperimentArm.tenant_id == self.tenant_id, ExperimentArm.experiment_id == experiment_id)
            .order_by(ExperimentArm.asset_id)))

    def add_experiment(self, experiment: Experiment, asset_ids: Sequence[int]) -> Experiment:
        self.session.add(experiment)
        self.session.flush()
        self.session.add_all([ExperimentArm(tenant_id=self.tenant_id, experiment_id=experiment.id, asset_id=a)
                              for a in asset_ids])
        self.session.flush()
        return experiment

    def delete_experiment(self, experiment: Experiment) -> None:
        """Remove an experiment, its arms and its decision log (events and counts stay: they belong to assets)."""
        for model in (ExperimentArm, DcoDecision):
            for row in self.session.scalars(select(model).where(model.tenant_id == self.tenant_id,
                                                                model.experiment_id == experiment.id)):
                self.session.delete(row)
        self.session.flush()
        self.session.delete(experiment)
        self.session.flush()

    # ------------------------------------------------------------------ DCO decision log
    def add_decisions(self, rows: Sequence[Mapping[str, Any]]) -> None:
        if rows:
            self.session.execute(insert(DcoDecision), [{"tenant_id": self.tenant_id, **r} for r in rows])

    def decisions_served(self, experiment_id: int) -> dict[int, int]:
        """asset id → how many non-fallback decisions chose it."""
        rows = self.session.execute(select(DcoDecision.asset_id, func.count()).where(
            DcoDecision.tenant_id == self.tenant_id, DcoDecision.experiment_id == experiment_id,
            DcoDecision.fallback.is_(False)).group_by(DcoDecision.asset_id))
        return {int(a): int(n) for a, n in rows if a is not None}

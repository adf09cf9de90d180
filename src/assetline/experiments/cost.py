"""The cost and yield report of one campaign: compute seconds, engine and review cost, first-pass QC yield,
regenerations and turnaround, per asset, per engine and for the whole campaign (see docs/cost.md).

It only reads what the earlier stages wrote:

    artifacts        one per step (copy, visual, compose); ``meta["seconds"]`` is the time the step ran, and
                     ``meta["lineage"]`` names the step's inputs (a render → its copy and visual) and, for a
                     render, the QC ``attempt`` (> 0: a regeneration after a blocking QC failure)
    asset_revisions  every render an asset has pointed at
    events           ``asset.state`` rows: entering ``in_review``, the QC verdict, ``delivered``
    decisions        review decisions (approve, reject, request_changes) with their time
    deliveries       bundles written, with their time

Rules (each one documented in docs/cost.md):

1. A step's cost is ``seconds × compute_per_second + engine.per_call + seconds × engine.per_second``. A step
   shared by several assets (one background for two segments) is split equally between them, so the assets'
   costs add up to the campaign's. Each artifact is counted once: a re-run that reuses it costs nothing.
2. Review minutes of a decision: from the asset entering ``in_review`` to the decision, capped at
   ``max_review_minutes``. A decision with no unanswered ``in_review`` entry before it (a change of mind, a
   decision straight from QC) counts, but for 0 minutes ("untimed").
3. First-pass yield: of the assets with a QC verdict, the share whose first verdict was passed or flagged,
   with no regeneration and no change request.
4. Turnaround: campaign first seen (its ``created_at``) → its first delivery.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assetline.experiments.cost_rates import CostRates
from assetline.store.models import Artifact, Asset, AssetRevision, Decision, Delivery, Event
from assetline.store.repositories import Repository

QC_VERDICTS = frozenset({"passed", "flagged", "failed"})
FIRST_PASS_VERDICTS = frozenset({"passed", "flagged"})
CHUNK = 500
MAX_LINEAGE_DEPTH = 6
"""Inputs of inputs are followed this deep (render → visual → copy is 2)."""


def _utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; the store always writes UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


# ---------------------------------------------------------------------------------------------------- results
@dataclass(frozen=True)
class Distribution:
    """Mean, median and 90th percentile (linear interpolation) over assets; None without values."""

    mean: float | None
    p50: float | None
    p90: float | None

    @classmethod
    def of(cls, values: Sequence[float]) -> Distribution:
        if not values:
            return cls(None, None, None)
        arr = np.asarray(values, dtype=float)
        return cls(float(arr.mean()), float(np.percentile(arr, 50)), float(np.percentile(arr, 90)))

    def to_dict(self, digits: int) -> dict[str, float | None]:
        return {k: None if v is None else round(v, digits) for k, v in dataclasses.asdict(self).items()}


@dataclass
class EngineCost:
    """One engine's share of the campaign: the steps (artifacts) it made, their time and cost."""

    engine_id: str
    steps: list[str] = field(default_factory=list)
    """Step kinds it ran (copy, visual, compose)."""
    calls: int = 0
    seconds: float = 0.0
    engine_cost: float = 0.0
    compute_cost: float = 0.0

    @property
    def total_cost(self) -> float:
        return self.engine_cost + self.compute_cost

    def to_dict(self) -> dict[str, Any]:
        return {"engine_id": self.engine_id, "steps": sorted(self.steps), "calls": self.calls,
                "seconds": round(self.seconds, 4), "engine_cost": round(self.engine_cost, 6),
                "compute_cost": round(self.compute_cost, 6), "total_cost": round(self.total_cost, 6)}


@dataclass
class AssetCost:
    """One asset (cell): its share of the steps, its review time and how it went through QC and review."""

    asset_id: int
    cell_key: str
    concept: str
    segment: str
    format: str
    variant: int
    status: str
    revisions: int = 0
    regenerations: int = 0
    """Renders made after a blocking QC failure (QC attempt > 0)."""
    change_requests: int = 0
    decisions: int = 0
    steps: float = 0.0
    """Steps counted for this asset (shared steps count as a fraction)."""
    compute_seconds: float = 0.0
    compute_cost: float = 0.0
    engine_cost: float = 0.0
    review_minutes: float = 0.0
    first_qc: str | None = None
    """The first QC verdict (passed, flagged, failed); None when QC never judged it."""
    delivered_at: datetime | None = None
    turnaround_seconds: float | None = None
    """Campaign first seen → this asset's first delivery."""
    review_cost: float = 0.0

    @property
    def first_pass(self) -> bool | None:
        if self.first_qc is None:
            return None
        return self.first_qc in FIRST_PASS_VERDICTS and not self.regenerations and not self.change_requests

    @property
    def total_cost(self) -> float:
        return self.compute_cost + self.engine_cost + self.review_cost

    def to_dict(self) -> dict[str, Any]:
        return {"asset_id": self.asset_id, "cell_key": self.cell_key, "concept": self.concept,
                "segment": self.segment, "format": self.format, "variant": self.variant, "status": self.status,
                "revisions": self.revisions, "regenerations": self.regenerations,
                "change_requests": self.change_requests, "decisions": self.decisions,
                "steps": round(self.steps, 4), "compute_seconds": round(self.compute_seconds, 4),
                "compute_cost": round(self.compute_cost, 6), "engine_cost": round(self.engine_cost, 6),
                "review_minutes": round(self.review_minutes, 4), "review_cost": round(self.review_cost, 6),
                "total_cost": round(self.total_cost, 6), "first_qc": self.first_qc, "first_pass": self.first_pass,
                "delivered_at": _iso(self.delivered_at),
                "turnaround_seconds": None if self.turnaround_seconds is None else round(self.turnaround_seconds, 3)}


@dataclass
class CostTotals:
    """The campaign's figures (sums, and distributions over its assets)."""

    assets: int
    steps: int
    untimed_steps: int
    """Steps whose artifact records no time (counted as 0 s)."""
    compute_seconds: float
    compute_cost: float
    engine_cost: float
    review_minutes: float
    review_cost: float
    decisions: int
    timed_decisions: int
    capped_decisions: int
    change_requests: int
    regenerations: int
    regenerated_assets: int
    judged_assets: int
    """Assets with a QC verdict (the yield's denominator)."""
    first_pass_assets: int
    campaign_created_at: datetime
    first_delivery_at: datetime | None
    distributions: dict[str, Distribution]

    @property
    def total_cost(self) -> float:
        return self.compute_cost + self.engine_cost + self.review_cost

    @property
    def cost_per_asset(self) -> float | None:
        return self.total_cost / self.assets if self.assets else None

    @property
    def first_pass_yield(self) -> float | None:
        return self.first_pass_assets / self.judged_assets if self.judged_assets else None

    @property
    def turnaround_seconds(self) -> float | None:
        if self.first_delivery_at is None:
            return None
        return (self.first_delivery_at - self.campaign_created_at).total_seconds()

    def to_dict(self) -> dict[str, Any]:
        per_asset = self.cost_per_asset
        fpy = self.first_pass_yield
        turnaround = self.turnaround_seconds
        digits = {"total_cost": 6, "compute_seconds": 4, "review_minutes": 4, "turnaround_seconds": 3}
        return {"assets": self.assets, "steps": self.steps, "untimed_steps": self.untimed_steps,
                "compute_seconds": round(self.compute_seconds, 4), "compute_cost": round(self.compute_cost, 6),
                "engine_cost": round(self.engine_cost, 6), "review_minutes": round(self.review_minutes, 4),
                "review_cost": round(self.review_cost, 6), "total_cost": round(self.total_cost, 6),
                "cost_per_asset": None if per_asset is None else round(per_asset, 6),
                "decisions": self.decisions, "timed_decisions": self.timed_decisions,
                "capped_decisions": self.capped_decisions, "change_requests": self.change_requests,
                "regenerations": self.regenerations, "regenerated_assets": self.regenerated_assets,
                "judged_assets": self.judged_assets, "first_pass_assets": self.first_pass_assets,
                "first_pass_yield": None if fpy is None else round(fpy, 6),
                "campaign_created_at": _iso(self.campaign_created_at),
                "first_delivery_at": _iso(self.first_delivery_at),
                "turnaround_seconds": None if turnaround is None else round(turnaround, 3),
                "per_asset": {k: d.to_dict(digits[k]) for k, d in self.distributions.items()}}


@dataclass
class CostReport:
    campaign: str
    name: str
    rates: CostRates
    totals: CostTotals
    engines: list[EngineCost]
    assets: list[AssetCost]

    @property
    def currency(self) -> str:
        return self.rates.currency

    def to_dict(self) -> dict[str, Any]:
        return {"campaign": self.campaign, "name": self.name, "currency": self.currency,
                "rates": self.rates.model_dump(mode="json"), "totals": self.totals.to_dict(),
                "engines": [e.to_dict() for e in self.engines], "assets": [a.to_dict() for a in self.assets]}


# ---------------------------------------------------------------------------------------------------- reading
@dataclass(frozen=True)
class _Step:
    """One artifact's cost, before it is split between the assets that used it."""

    artifact: Artifact
    seconds: float
    timed: bool
    compute_cost: float
    engine_cost: float


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start:start + CHUNK]


def _input_keys(artifact: Artifact) -> list[str]:
    inputs = ((artifact.meta or {}).get("lineage") or {}).get("inputs") or {}
    return [v for v in inputs.values() if isinstance(v, str)] if isinstance(inputs, dict) else []


def _attempt(artifact: Artifact) -> int:
    params = ((artifact.meta or {}).get("lineage") or {}).get("params") or {}
    attempt = params.get("attempt", 0) if isinstance(params, dict) else 0
    return attempt if isinstance(attempt, int) else 0


class _Reader:
    """The rows of one campaign, read with a handful of tenant-scoped queries."""

    def __init__(self, session: Session, tenant_id: str, campaign_id: int) -> None:
        self.session, self.tenant_id, self.campaign_id = session, tenant_id, campaign_id
        self.asset_ids = select(Asset.id).where(Asset.tenant_id == tenant_id, Asset.campaign_id == campaign_id)

    def assets(self) -> Sequence[Asset]:
        return self.session.scalars(select(Asset).where(
            Asset.tenant_id == self.tenant_id, Asset.campaign_id == self.campaign_id).order_by(Asset.id)).all()

    def revisions(self) -> Sequence[AssetRevision]:
        return self.session.scalars(select(AssetRevision).where(
            AssetRevision.tenant_id == self.tenant_id, AssetRevision.asset_id.in_(self.asset_ids))
            .order_by(AssetRevision.asset_id, AssetRevision.revision)).all()

    def artifacts_by_id(self, ids: Iterable[int]) -> dict[int, Artifact]:
        out: dict[int, Artifact] = {}
        for chunk in _chunks(sorted(set(ids))):
            out.update({a.id: a for a in self.session.scalars(select(Artifact).where(
                Artifact.tenant_id == self.tenant_id, Artifact.id.in_(chunk)))})
        return out

    def state_events(self) -> Sequence[Event]:
        return self.session.scalars(select(Event).where(
            Event.tenant_id == self.tenant_id, Event.campaign_id == self.campaign_id, Event.kind == "asset.state")
            .order_by(Event.id)).all()

    def decisions(self) -> Sequence[Decision]:
        return self.session.scalars(select(Decision).where(
            Decision.tenant_id == self.tenant_id, Decision.asset_id.in_(self.asset_ids))
            .order_by(Decision.created_at, Decision.id)).all()

    def first_delivery(self) -> datetime | None:
        moment = self.session.scalar(select(func.min(Delivery.created_at)).where(
            Delivery.tenant_id == self.tenant_id, Delivery.campaign_id == self.campaign_id))
        return None if moment is None else _utc(moment)


def _closures(repo: Repository, renders: dict[int, Artifact]) -> dict[int, set[int]]:
    """Render artifact id → ids of every artifact it was made from (itself, its copy, its visual, …)."""
    by_key = {a.content_key: a for a in renders.values()}
    frontier = list(renders.values())
    for _ in range(MAX_LINEAGE_DEPTH):
        wanted = {k for a in frontier for k in _input_keys(a)} - set(by_key)
        if not wanted:
            break
        found = repo.artifacts_by_keys(sorted(wanted))
        by_key.update(found)
        frontier = list(found.values())
    memo: dict[str, set[int]] = {}

    def closure(artifact: Artifact, depth: int) -> set[int]:
        if artifact.content_key not in memo:
            ids = {artifact.id}
            if depth < MAX_LINEAGE_DEPTH:
                for key in _input_keys(artifact):
                    if key in by_key:
                        ids |= closure(by_key[key], depth + 1)
            memo[artifact.content_key] = ids
        return memo[artifact.content_key]

    return {art_id: closure(art, 0) for art_id, art in renders.items()}


def _step_cost(artifact: Artifact, rates: CostRates) -> _Step:
    raw = (artifact.meta or {}).get("seconds")
    timed = isinstance(raw, int | float) and not isinstance(raw, bool) and 0 <= raw < float("inf")
    seconds = float(raw) if isinstance(raw, int | float) and timed else 0.0
    engine = rates.engine(artifact.engine_id)
    return _Step(artifact, seconds, timed, seconds * rates.compute_per_second,
                 engine.per_call + seconds * engine.per_second)


def _review(asset_events: list[Event], asset_decisions: list[Decision], cap_minutes: float,
            ) -> tuple[float, int, int]:
    """(review minutes, timed decisions, capped decisions) of one asset (rule 2)."""
    timeline: list[tuple[datetime, int, str]] = [(_utc(e.created_at), 0, "entry") for e in asset_events
                                                 if e.to_status == "in_review"]
    timeline += [(_utc(d.created_at), 1, "decision") for d in asset_decisions]
    minutes, timed, capped = 0.0, 0, 0
    pending: datetime | None = None
    for moment, _, kind in sorted(timeline):
        if kind == "entry":
            pending = moment
            continue
        if pending is None:
            continue
        gap = max(0.0, (moment - pending).total_seconds() / 60)
        capped += gap > cap_minutes
        minutes += min(gap, cap_minutes)
        timed += 1
        pending = None
    return minutes, timed, capped


def cost_report(session: Session, tenant_id: str, campaign_slug: str, rates: CostRates) -> CostReport:
    """The cost and yield report of ``campaign_slug`` (NotFoundError when the tenant has no such campaign)."""
    # 1. The campaign and its assets.
    repo = Repository(session, tenant_id)
    campaign = repo.get_campaign(campaign_slug)
    reader = _Reader(session, tenant_id, campaign.id)
    assets = reader.assets()
    rows = {a.id: AssetCost(a.id, a.cell_key, a.concept, a.segment, a.format, a.variant, a.status)
            for a in assets}

    # 2. Every render each asset pointed at, and what each render was made from.
    revisions = reader.revisions()
    renders = reader.artifacts_by_id(r.artifact_id for r in revisions)
    closures = _closures(repo, renders)
    used_by: dict[int, set[int]] = defaultdict(set)
    for rev in revisions:
        row = rows[rev.asset_id]
        row.revisions += 1
        render = renders.get(rev.artifact_id)
        if render is not None and _attempt(render) > 0:
            row.regenerations += 1
        for art_id in closures.get(rev.artifact_id, set()):
            used_by[art_id].add(rev.asset_id)

    # 3. Step costs: each artifact once, split equally between the assets that used it (rule 1).
    artifacts = {**renders, **reader.artifacts_by_id(set(used_by) - set(renders))}
    engines: dict[str, EngineCost] = {}
    untimed = 0
    for art_id, users in used_by.items():
        step = _step_cost(artifacts[art_id], rates)
        untimed += not step.timed
        engine = engines.setdefault(step.artifact.engine_id, EngineCost(step.artifact.engine_id))
        if step.artifact.step not in engine.steps:
            engine.steps.append(step.artifact.step)
        engine.calls += 1
        engine.seconds += step.seconds
        engine.engine_cost += step.engine_cost
        engine.compute_cost += step.compute_cost
        share = 1 / len(users)
        for asset_id in users:
            row = rows[asset_id]
            row.steps += share
            row.compute_seconds += step.seconds * share
            row.compute_cost += step.compute_cost * share
            row.engine_cost += step.engine_cost * share

    # 4. Review time, QC verdicts and deliveries from the event log and the decisions (rules 2 and 3).
    events_of: dict[int, list[Event]] = defaultdict(list)
    for event in reader.state_events():
        if event.asset_id in rows:
            events_of[event.asset_id].append(event)
    decisions_of: dict[int, list[Decision]] = defaultdict(list)
    for decision in reader.decisions():
        decisions_of[decision.asset_id].append(decision)
    created = _utc(campaign.created_at)
    timed_total = capped_total = 0
    for asset_id, row in rows.items():
        events, decisions = events_of.get(asset_id, []), decisions_of.get(asset_id, [])
        row.decisions = len(decisions)
        row.change_requests = sum(d.decision == "request_changes" for d in decisions)
        row.review_minutes, timed, capped = _review(events, decisions, rates.max_review_minutes)
        row.review_cost = row.review_minutes / 60 * rates.reviewer_per_hour
        timed_total, capped_total = timed_total + timed, capped_total + capped
        row.first_qc = next((e.to_status for e in events if e.to_status in QC_VERDICTS), None)
        delivered = next((e for e in events if e.to_status == "delivered"), None)
        if delivered is not None:
            row.delivered_at = _utc(delivered.created_at)
            row.turnaround_seconds = (row.delivered_at - created).total_seconds()

    # 5. Campaign totals (rule 4 for the turnaround).
    items = list(rows.values())
    judged = [r for r in items if r.first_pass is not None]
    totals = CostTotals(
        assets=len(items), steps=len(used_by), untimed_steps=untimed,
        compute_seconds=sum(e.seconds for e in engines.values()),
        compute_cost=sum(e.compute_cost for e in engines.values()),
        engine_cost=sum(e.engine_cost for e in engines.values()),
        review_minutes=sum(r.review_minutes for r in items), review_cost=sum(r.review_cost for r in items),
        decisions=sum(r.decisions for r in items), timed_decisions=timed_total, capped_decisions=capped_total,
        change_requests=sum(r.change_requests for r in items), regenerations=sum(r.regenerations for r in items),
        regenerated_assets=sum(1 for r in items if r.regenerations), judged_assets=len(judged),
        first_pass_assets=sum(1 for r in judged if r.first_pass), campaign_created_at=created,
        first_delivery_at=reader.first_delivery(),
        distributions={
            "total_cost": Distribution.of([r.total_cost for r in items]),
            "compute_seconds": Distribution.of([r.compute_seconds for r in items]),
            "review_minutes": Distribution.of([r.review_minutes for r in items]),
            "turnaround_seconds": Distribution.of([r.turnaround_seconds for r in items
                                                   if r.turnaround_seconds is not None]),
        })
    ranked = sorted(engines.values(), key=lambda e: (-e.total_cost, -e.seconds, e.engine_id))
    return CostReport(campaign.slug, campaign.name, rates, totals, ranked, items)

"""The in-memory decision server behind ``POST /api/v1/decide``.

A request never touches the database on the hot path: each experiment's arms (eligibility facts: status, formats,
segment, licences of the inputs, flight, cap) and its arms' running counts live in a :class:`Snapshot`; a
background thread ("assetline-dco", started by the first request) refreshes the counts every
``refresh_seconds``, checks the arms every ``arms_seconds`` (a cheap fingerprint of the experiment, the arms'
assets and the campaign spec; the arms are rebuilt only when it changed, or every ``arms_max_seconds`` to pick
up licence edits on disk: rebuilding reads every arm's lineage and would stall the hot path), and writes the
decision log (every served decision with its propensity) in batches every ``flush_seconds``. Bearer tokens are
cached for ``token_seconds`` (a revoked token keeps working for at most that long on this endpoint; every other
endpoint checks the store each time).

    server = DecisionServer(db)
    outcome = server.decide(token, DecideInput(campaign="spring", experiment="feed-test", channel="meta",
                                               format="meta-feed-1x1", user_key="u-42", country="GB"))
    outcome.asset_id, outcome.propensity, outcome.phase

Decisions are seeded by ``(experiment id, request id)`` (see bandit.request_rng): the same snapshot and request id
give the same choice. A stopped experiment, or a request nothing is eligible for, gets the experiment's fallback
asset with propensity 1.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select

from assetline.access.roles import Actor, require
from assetline.access.users import authenticate_token
from assetline.delivery.licence_gate import LicensedInput
from assetline.errors import NotFoundError
from assetline.experiments.bandit import ArmStats, Decision, ThompsonSampler
from assetline.experiments.eligibility import (
    Arm,
    DecisionRequest,
    Exclusion,
    FrequencyCap,
    ImpressionLog,
    check_eligibility,
)
from assetline.experiments.results import arm_stats, is_mean
from assetline.provenance.lineage import build_lineage, load_spec
from assetline.spec.common import Licence
from assetline.store.db import Database
from assetline.store.models import Asset, Campaign, Experiment
from assetline.store.performance import ZERO, PerformanceRepository

log = logging.getLogger("assetline.dco")


@dataclass(frozen=True)
class DecideInput:
    campaign: str
    experiment: str
    channel: str
    format: str
    user_key: str
    country: str = ""
    language: str = ""
    attributes: dict[str, str] = field(default_factory=dict)
    request_id: str | None = None


@dataclass(frozen=True)
class DecideOutcome:
    request_id: str
    asset_id: int | None
    propensity: float
    phase: str
    fallback: bool
    weights: dict[str, float]
    excluded: list[dict[str, Any]]


@dataclass
class Snapshot:
    experiment_id: int
    tenant_id: str
    status: str
    metric: str
    fallback_asset_id: int | None
    sampler: ThompsonSampler
    arms: list[Arm]
    stats: dict[str, ArmStats]
    arms_loaded: float
    stats_loaded: float
    arms_key: tuple[Any, ...] = ()
    arms_built: float = 0.0


def _user_hash(tenant_id: str, user_key: str) -> str:
    return hashlib.sha256(f"{tenant_id}\x1f{user_key}".encode()).hexdigest()


class DecisionServer:
    """Per-process decision state for every experiment asked about (see the module docstring)."""

    def __init__(self, db: Database, *, refresh_seconds: float = 1.0, arms_seconds: float = 30.0,
                 arms_max_seconds: float = 300.0, flush_seconds: float = 0.5, token_seconds: float = 10.0,
                 draws: int = 1000,
                 clock: Callable[[], float] = time.monotonic, today: Callable[[], date] | None = None) -> None:
        self.db = db
        self.refresh_seconds, self.arms_seconds = refresh_seconds, arms_seconds
        self.arms_max_seconds = arms_max_seconds
        self.flush_seconds, self.token_seconds, self.draws = flush_seconds, token_seconds, draws
        self.clock = clock
        self.today = today or (lambda: datetime.now(UTC).date())
        self.impressions = ImpressionLog(max_users=200_000, max_per_user=64, clock=clock)
        self._index: dict[tuple[str, str, str], int] = {}
        self._snapshots: dict[int, Snapshot] = {}
        self._tokens: dict[str, tuple[Actor, float]] = {}
        self._pending: list[tuple[str, dict[str, Any]]] = []
        self._lock = threading.Lock()
        self._load_lock = threading.Lock()
        self._refresh_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ the hot path
    def actor(self, token: str) -> Actor:
        now = self.clock()
        cached = self._tokens.get(token)
        if cached is not None and cached[1] > now:
            return cached[0]
        with self.db.session() as s:
            actor = authenticate_token(s, token)
        if len(self._tokens) > 10_000:
            self._tokens.clear()
        self._tokens[token] = (actor, now + self.token_seconds)
        return actor

    def decide(self, actor: Actor, request: DecideInput) -> DecideOutcome:
        require(actor, "serve_decisions")
        ask = DecisionRequest(channel=request.channel, format=request.format, user_key=request.user_key,
                              country=request.country, language=request.language, attributes=request.attributes)
        snap = self._snapshot(actor.tenant_id, request.campaign, request.experiment)
        request_id = request.request_id or uuid.uuid4().hex
        cap_key = f"{actor.tenant_id}\x1f{ask.user_key}"
        if snap.status != "running":
            decision = snap.sampler.choose([], {}, ask.user_key, request_id)
            excluded: tuple[Exclusion, ...] = ()
        else:
            eligible = check_eligibility(snap.arms, DecisionRequest(
                channel=ask.channel, format=ask.format, user_key=cap_key, country=ask.country,
                language=ask.language, attributes=ask.attributes), self.today(), self.impressions)
            excluded = eligible.excluded
            decision = snap.sampler.choose(eligible.arms, snap.stats, ask.user_key, request_id, excluded=excluded)
            if not decision.fallback and decision.asset_id is not None:
                self.impressions.record(cap_key, decision.asset_id)
        self._log(actor.tenant_id, snap.experiment_id, decision)
        return DecideOutcome(
            request_id=request_id, asset_id=int(decision.asset_id) if decision.asset_id is not None else None,
            propensity=decision.propensity, phase="stopped" if snap.status != "running" else decision.phase,
            fallback=decision.fallback, weights=dict(decision.weights),
            excluded=[{"asset_id": int(e.asset_id), "reasons": list(dict.fromkeys(r.code.value for r in e.reasons))}
                      for e in excluded])

    def _log(self, tenant_id: str, experiment_id: int, decision: Decision) -> None:
        row = {"experiment_id": experiment_id, "request_id": decision.request_id[:128],
               "asset_id": int(decision.asset_id) if decision.asset_id is not None else None,
               "propensity": decision.propensity, "phase": decision.phase, "fallback": decision.fallback,
               "user_key_hash": _user_hash(tenant_id, decision.user_key),
               "weights": {k: round(v, 6) for k, v in decision.weights.items()},
               "created_at": datetime.now(UTC)}
        with self._lock:
            self._pending.append((tenant_id, row))
        self._ensure_thread()

    # ------------------------------------------------------------------ snapshots
    def _snapshot(self, tenant_id: str, campaign: str, experiment: str) -> Snapshot:
        key = (tenant_id, campaign, experiment)
        experiment_id = self._index.get(key)
        snap = self._snapshots.get(experiment_id) if experiment_id is not None else None
        if snap is not None:
            return snap
        with self._load_lock:
            experiment_id = self._index.get(key)
            if experiment_id is not None and experiment_id in self._snapshots:
                return self._snapshots[experiment_id]
            snap = self._load(tenant_id, campaign, experiment)
            self._snapshots[snap.experiment_id] = snap
            self._index[key] = snap.experiment_id
            return snap

    def _load(self, tenant_id: str, campaign_slug: str, slug: str) -> Snapshot:
        with self.db.session() as s:
            campaign = s.scalar(select(Campaign).where(Campaign.tenant_id == tenant_id,
                                                       Campaign.slug == campaign_slug))
            perf = PerformanceRepository(s, tenant_id)
            experiment = perf.find_experiment(campaign.id, slug) if campaign is not None else None
            if campaign is None or experiment is None:
                raise NotFoundError(f"no experiment '{slug}' in campaign '{campaign_slug}'",
                                    hint="create it with POST /api/v1/campaigns/{slug}/experiments")
            now = self.clock()
            sampler = ThompsonSampler(seed=experiment.id, metric="mean" if is_mean(experiment.metric)
                                      else "proportion", burn_in_units=experiment.burn_in_units, draws=self.draws,
                                      explore=experiment.explore,
                                      fallback_asset_id=str(experiment.fallback_asset_id)
                                      if experiment.fallback_asset_id else None)
            return Snapshot(experiment_id=experiment.id, tenant_id=tenant_id, status=experiment.status,
                            metric=experiment.metric, fallback_asset_id=experiment.fallback_asset_id,
                            sampler=sampler, arms=self._arms(s, experiment, campaign),
                            stats=self._stats(perf, experiment), arms_loaded=now, stats_loaded=now,
                            arms_key=_arms_key(s, experiment, campaign), arms_built=now)

    @staticmethod
    def _stats(perf: PerformanceRepository, experiment: Experiment) -> dict[str, ArmStats]:
        ids = perf.arm_asset_ids(experiment.id)
        counts = perf.counts(ids)
        return {str(a): arm_stats(counts.get(a, ZERO), experiment.metric) for a in ids}

    @staticmethod
    def _arms(s: Any, experiment: Experiment, campaign: Campaign) -> list[Arm]:
        perf = PerformanceRepository(s, experiment.tenant_id)
        loaded = load_spec(campaign)
        segments = {seg.id: seg for seg in loaded.campaign.segments} if loaded else {}
        cap = (FrequencyCap(max_impressions=experiment.cap_impressions, per_seconds=experiment.cap_seconds)
               if experiment.cap_impressions and experiment.cap_seconds else None)
        arms = []
        for asset in perf.tenant_assets(perf.arm_asset_ids(experiment.id)).values():
            arms.append(_arm(s, asset, experiment, segments.get(asset.segment), loaded, cap))
        return sorted(arms, key=lambda a: int(a.asset_id))

    def refresh(self) -> None:
        """Reload what is stale (counts, arms, status); called by the background thread, or by tests."""
        with self._refresh_lock:  # one refresher at a time: two would both see a changed fingerprint
            self._refresh()

    def _refresh(self) -> None:
        now = self.clock()
        for experiment_id, snap in list(self._snapshots.items()):
            if now - snap.stats_loaded < self.refresh_seconds:
                continue
            with self.db.session() as s:
                perf = PerformanceRepository(s, snap.tenant_id)
                experiment = perf.experiment_by_id(experiment_id)
                if experiment is None:  # deleted: forget it
                    self._snapshots.pop(experiment_id, None)
                    self._index = {k: v for k, v in self._index.items() if v != experiment_id}
                    continue
                snap.status, snap.stats, snap.stats_loaded = experiment.status, self._stats(perf, experiment), now
                if now - snap.arms_loaded >= self.arms_seconds:
                    campaign = s.get(Campaign, experiment.campaign_id)
                    if campaign is not None:
                        key = _arms_key(s, experiment, campaign)
                        if key != snap.arms_key or now - snap.arms_built >= self.arms_max_seconds:
                            snap.arms, snap.arms_key, snap.arms_built = self._arms(s, experiment, campaign), key, now
                        snap.arms_loaded = now

    def flush(self) -> int:
        """Write the pending decision log rows; returns how many."""
        with self._lock:
            pending, self._pending = self._pending, []
        by_tenant: dict[str, list[dict[str, Any]]] = {}
        for tenant_id, row in pending:
            by_tenant.setdefault(tenant_id, []).append(row)
        for tenant_id, rows in by_tenant.items():
            with self.db.session() as s:
                PerformanceRepository(s, tenant_id).add_decisions(rows)
        return len(pending)

    # ------------------------------------------------------------------ background thread
    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            with self._lock:
                if self._thread is None or not self._thread.is_alive():
                    self._stop.clear()
                    self._thread = threading.Thread(target=self._loop, name="assetline-dco", daemon=True)
                    self._thread.start()

    def _loop(self) -> None:
        tick = min(self.flush_seconds, self.refresh_seconds)
        while not self._stop.wait(tick):
            try:
                self.flush()
                self.refresh()
            except Exception:  # keep serving from the last snapshot; the next tick tries again
                log.exception("decision server refresh failed")

    def close(self) -> None:
        """Stop the thread and write what is pending."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.flush()


def _arms_key(s: Any, experiment: Experiment, campaign: Campaign) -> tuple[Any, ...]:
    """What the arms are built from, cheaply: the experiment's eligibility fields, its arms' assets (status,
    artifact, format, segment), the campaign's spec hash and the spec file's mtime."""
    ids = PerformanceRepository(s, experiment.tenant_id).arm_asset_ids(experiment.id)
    assets = tuple(tuple(row) for row in s.execute(
        select(Asset.id, Asset.status, Asset.artifact_id, Asset.format, Asset.segment).where(
            Asset.tenant_id == experiment.tenant_id, Asset.id.in_(ids)).order_by(Asset.id))) if ids else ()
    try:
        mtime: int | None = os.stat(campaign.spec_path).st_mtime_ns
    except OSError:
        mtime = None
    return (experiment.channel, experiment.flight_start, experiment.flight_end, experiment.cap_impressions,
            experiment.cap_seconds, campaign.spec_hash, mtime, assets)


def _arm(s: Any, asset: Asset, experiment: Experiment, segment: Any, loaded: Any,
         cap: FrequencyCap | None) -> Arm:
    licences: tuple[LicensedInput, ...] = ()
    if asset.artifact_id is not None:
        lineage = build_lineage(s, asset.tenant_id, asset.id, loaded=loaded)
        licences = tuple(LicensedInput(i["role"], i["ref"], i["sha256"],
                                       Licence.model_validate(i["licence"]) if i.get("licence") else None)
                         for i in lineage["inputs"])
    attributes: dict[str, frozenset[str]] = {}
    if segment is not None and segment.age_band:
        attributes["age_band"] = frozenset({segment.age_band})
    return Arm(asset_id=str(asset.id), arm_id=str(asset.id), channel=experiment.channel,
               formats=frozenset({asset.format}),
               countries=frozenset({segment.country}) if segment is not None and segment.country else frozenset(),
               languages=frozenset({segment.language}) if segment is not None and segment.language else frozenset(),
               attributes=attributes, licences=licences, flight_start=experiment.flight_start,
               flight_end=experiment.flight_end, approved=asset.status in ("approved", "delivered"),
               delivered=asset.status == "delivered", cap=cap)

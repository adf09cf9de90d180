"""Which creative attributes win, per segment and over all segments, with credible intervals.

    insights = campaign_insights(session, tenant_id, "launch-season", metric="ctr")
    insights.winners()               # [Winner(segment=None, attribute='layout', value='hero', p_best=0.991), …]
    insights.attribute("layout")     # AttributeInsight for all segments (segment=None), or a segment id
    insights.to_dict()               # what `assetline insights --json` and GET /api/v1/…/insights answer

For each segment (and for all segments together, ``segment=None``), each attribute of attributes.py with at least
two values that have data is compared: the counts of every asset with that value are pooled (impressions are the
units of every metric), and each value gets

- its rate and a 95 % credible interval: Beta(1 + s, 1 + n − s) for proportions (``ctr`` = clicks/impressions,
  ``conversion_rate`` = conversions/impressions), Normal(mean, s²/n) for ``revenue_per_impression`` (value per
  impression, from value_sum and value_sum_squares);
- P(best): the share of 10,000 joint posterior draws in which it is the highest, from a Generator seeded by the
  campaign, segment, attribute and metric (the same counts give the same numbers, every time);
- its lift over the other values pooled (``stats.compare``: relative lift, chance to beat, interval).

An attribute has a ``winner`` when its leader (highest P(best)) has P(best) ≥ 0.95 **and** it and the runner-up
both have enough data (``stats.enough_data`` with ``DataThresholds``: 100 impressions, 10 successes and 10
non-successes each); otherwise only a ``leader``, with the reasons. Values that are confounded (a concept always
shown with one layout) are compared as they were shown: these are marginal, pooled comparisons, not a model.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

import numpy as np
from scipy import stats as scipy_stats
from sqlalchemy.orm import Session

from assetline.errors import InvalidRequestError
from assetline.experiments.attributes import ATTRIBUTES, LABELS, AssetAttributes, campaign_attributes
from assetline.experiments.stats import DataThresholds, compare, enough_data
from assetline.experiments.stats_counts import Counts, MeanCounts, ProportionCounts, StatsInputError
from assetline.store.performance import AssetCounts, PerformanceRepository
from assetline.store.repositories import Repository

WIN_PROBABILITY = 0.95
DRAWS = 10_000
CI = 0.95


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    kind: Literal["proportion", "mean"]
    successes: str = ""
    """The AssetCounts field counted as a success (proportions)."""
    unit: str = "impressions"


METRICS: dict[str, Metric] = {
    "ctr": Metric("ctr", "Click-through rate", "proportion", "clicks"),
    "conversion_rate": Metric("conversion_rate", "Conversion rate", "proportion", "conversions"),
    "revenue_per_impression": Metric("revenue_per_impression", "Revenue per impression", "mean"),
}


class Winner(NamedTuple):
    segment: str | None
    """None: all segments together."""
    attribute: str
    value: str
    p_best: float


@dataclass(frozen=True)
class ValueStats:
    value: str
    assets: int
    units: int
    successes: int | None
    """Clicks or conversions (proportions); None for means."""
    total: float
    """Successes (proportions) or the value sum (means)."""
    rate: float
    ci: tuple[float, float]
    p_best: float
    enough_data: bool
    lift: float | None = None
    """Relative lift over the other values pooled (None when it cannot be computed)."""
    lift_ci: tuple[float, float] | None = None
    chance_to_beat_rest: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "assets": self.assets, "units": self.units, "successes": self.successes,
                "total": self.total, "rate": self.rate, "ci": list(self.ci), "p_best": self.p_best,
                "enough_data": self.enough_data, "lift": self.lift,
                "lift_ci": list(self.lift_ci) if self.lift_ci else None,
                "chance_to_beat_rest": self.chance_to_beat_rest}


@dataclass(frozen=True)
class AttributeInsight:
    attribute: str
    segment: str | None
    metric: str
    values: tuple[ValueStats, ...]
    """Highest rate first."""
    leader: str
    p_best: float
    winner: str | None
    reasons: tuple[str, ...] = ()
    """Why there is no winner (empty when there is one)."""

    @property
    def label(self) -> str:
        return LABELS.get(self.attribute, self.attribute)

    def get(self, value: str) -> ValueStats | None:
        return next((v for v in self.values if v.value == value), None)

    def to_dict(self) -> dict[str, Any]:
        return {"attribute": self.attribute, "label": self.label, "segment": self.segment, "metric": self.metric,
                "leader": self.leader, "p_best": self.p_best, "winner": self.winner, "reasons": list(self.reasons),
                "values": [v.to_dict() for v in self.values]}

    def digest(self) -> str:
        """A short hash of the numbers (for cache-busting plot URLs)."""
        body = json.dumps(self.to_dict(), sort_keys=True, default=str).encode("utf-8")
        return hashlib.sha256(body).hexdigest()[:16]


@dataclass(frozen=True)
class SegmentInsights:
    segment: str | None
    """None: all segments together."""
    assets: int
    units: int
    total: float
    attributes: tuple[AttributeInsight, ...]
    constant: dict[str, str] = field(default_factory=dict)
    """Attributes with one value only among the assets with data (nothing to compare)."""

    @property
    def label(self) -> str:
        return "All segments" if self.segment is None else self.segment

    def to_dict(self) -> dict[str, Any]:
        return {"segment": self.segment, "label": self.label, "assets": self.assets, "units": self.units,
                "total": self.total, "constant": dict(self.constant),
                "attributes": [a.to_dict() for a in self.attributes]}


@dataclass(frozen=True)
class Insights:
    campaign: str
    campaign_name: str
    metric: str
    segments: tuple[SegmentInsights, ...]
    """All segments first (when asked for), then each segment with data."""
    available_segments: tuple[str, ...]
    assets_with_data: int
    """Assets with impressions among those looked at (the segment asked for, or the whole campaign)."""
    explanation: str | None = None
    """Set when there is nothing to compare (no data, one value per attribute)."""

    @property
    def metric_label(self) -> str:
        return METRICS[self.metric].label

    def winners(self) -> list[Winner]:
        """(segment, attribute, value, p_best) of every attribute that has a winner; segment None = all."""
        return [Winner(s.segment, a.attribute, a.winner, a.p_best)
                for s in self.segments for a in s.attributes if a.winner is not None]

    def for_segment(self, segment: str | None) -> SegmentInsights | None:
        return next((s for s in self.segments if s.segment == segment), None)

    def attribute(self, attribute: str, segment: str | None = None) -> AttributeInsight | None:
        found = self.for_segment(segment)
        return None if found is None else next((a for a in found.attributes if a.attribute == attribute), None)

    def to_dict(self) -> dict[str, Any]:
        return {"campaign": self.campaign, "campaign_name": self.campaign_name, "metric": self.metric,
                "metric_label": self.metric_label, "assets_with_data": self.assets_with_data,
                "available_segments": list(self.available_segments), "explanation": self.explanation,
                "winners": [w._asdict() for w in self.winners()],
                "segments": [s.to_dict() for s in self.segments]}


# ---------------------------------------------------------------------------------------------------- maths
def check_metric(metric: str) -> Metric:
    if metric not in METRICS:
        raise InvalidRequestError(f"unknown metric '{metric}'", hint=f"choose one of: {', '.join(METRICS)}")
    return METRICS[metric]


def counts_for(metric: Metric, c: AssetCounts) -> Counts:
    """The stats package's counts of one value (successes are capped at the impressions)."""
    if metric.kind == "proportion":
        successes = int(getattr(c, metric.successes))
        return ProportionCounts(units=c.impressions, conversions=min(successes, c.impressions))
    if c.impressions == 0:
        return MeanCounts(units=0, sum=0.0, sum_squares=0.0)
    floor = c.value_sum * c.value_sum / c.impressions
    return MeanCounts(units=c.impressions, sum=c.value_sum, sum_squares=max(c.value_sum_squares, floor))


def seed_for(*parts: object) -> int:
    digest = hashlib.blake2b(json.dumps([str(p) for p in parts]).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def _posteriors(counts: Sequence[Counts]) -> list[tuple[str, float, float]]:
    """Per value: ('beta', a, b) or ('normal', mean, sd)."""
    out: list[tuple[str, float, float]] = []
    if all(isinstance(c, ProportionCounts) for c in counts):
        for c in counts:
            assert isinstance(c, ProportionCounts)
            out.append(("beta", 1.0 + c.conversions, 1.0 + c.units - c.conversions))
        return out
    pooled_n = sum(c.units for c in counts)
    pooled = MeanCounts(pooled_n, sum(c.sum for c in counts if isinstance(c, MeanCounts)),
                        sum(c.sum_squares for c in counts if isinstance(c, MeanCounts))) if pooled_n else None
    fallback = pooled.variance if pooled is not None else 0.0
    for c in counts:
        variance = c.variance if c.variance > 0 else fallback
        out.append(("normal", c.mean, math.sqrt(variance / c.units) if c.units and variance > 0 else 0.0))
    return out


def credible_interval(kind: str, p1: float, p2: float, ci: float = CI) -> tuple[float, float]:
    tail = (1.0 - ci) / 2.0
    if kind == "beta":
        return float(scipy_stats.beta.ppf(tail, p1, p2)), float(scipy_stats.beta.ppf(1.0 - tail, p1, p2))
    z = float(scipy_stats.norm.ppf(1.0 - tail))
    return p1 - z * p2, p1 + z * p2


def probability_best(posteriors: Sequence[tuple[str, float, float]], seed: int, draws: int = DRAWS) -> list[float]:
    """The share of joint posterior draws in which each value is the highest. A tie is split equally between the
    tied values: values with no spread (no revenue at all yet: Normal(0, 0)) tie in every draw, and giving the
    draw to the first of them would make it the "winner" of nothing."""
    rng = np.random.default_rng(seed)
    columns = []
    for kind, p1, p2 in posteriors:
        columns.append(rng.beta(p1, p2, size=draws) if kind == "beta" else rng.normal(p1, p2, size=draws))
    samples = np.column_stack(columns)
    top = samples == samples.max(axis=1, keepdims=True)
    shares = top / top.sum(axis=1, keepdims=True)
    return [float(w) for w in shares.mean(axis=0)]


def pooled(counts: Sequence[AssetCounts]) -> AssetCounts:
    total = AssetCounts()
    for c in counts:
        total = total + c
    return total


def analyse(attribute: str, by_value: Mapping[str, Sequence[AssetCounts]], metric: Metric, seed: int,
            segment: str | None = None, thresholds: DataThresholds | None = None,
            win_probability: float = WIN_PROBABILITY, draws: int = DRAWS) -> AttributeInsight | None:
    """Compare the values of one attribute (value → the counts of its assets); None below two values with data."""
    sums = {v: pooled(cs) for v, cs in by_value.items()}
    names = sorted(v for v, c in sums.items() if c.impressions > 0)
    if len(names) < 2:
        return None
    counts = [counts_for(metric, sums[v]) for v in names]
    posts = _posteriors(counts)
    p_best = probability_best(posts, seed, draws)
    stats: list[ValueStats] = []
    for i, name in enumerate(names):
        c, (kind, p1, p2) = counts[i], posts[i]
        rest = pooled([sums[v] for v in names if v != name])
        lift = lift_ci = beat = None
        try:
            result = compare(counts_for(metric, rest), c, thresholds=thresholds)
            if result.error is None:
                lift, lift_ci, beat = result.expected, result.ci, result.chance_to_beat_control
        except StatsInputError:
            pass
        assets = sum(1 for a in by_value[name] if a.impressions > 0)
        successes = c.conversions if isinstance(c, ProportionCounts) else None
        total = float(successes) if successes is not None else float(sums[name].value_sum)
        stats.append(ValueStats(value=name, assets=assets, units=c.units, successes=successes, total=total,
                                rate=c.mean, ci=credible_interval(kind, p1, p2), p_best=p_best[i],
                                enough_data=enough_data(c, c, thresholds=thresholds).enough,
                                lift=lift, lift_ci=lift_ci, chance_to_beat_rest=beat))
    ranked = sorted(range(len(names)), key=lambda i: (-p_best[i], -counts[i].mean, names[i]))
    lead, runner = ranked[0], ranked[1]
    reasons: list[str] = []
    if p_best[lead] < win_probability:
        reasons.append(f"P(best) of '{names[lead]}' is {p_best[lead]:.2f}, below {win_probability:.2f}")
    check = enough_data(counts[runner], counts[lead], thresholds=thresholds)
    reasons += [r.replace("the control", f"'{names[runner]}'").replace("the variant", f"'{names[lead]}'")
                for r in check.reasons]
    ordered = tuple(sorted(stats, key=lambda s: (-s.rate, s.value)))
    return AttributeInsight(attribute=attribute, segment=segment, metric=metric.name, values=ordered,
                            leader=names[lead], p_best=p_best[lead], winner=None if reasons else names[lead],
                            reasons=tuple(reasons))


def segment_insights(campaign: str, segment: str | None, rows: Sequence[AssetAttributes],
                     counts: Mapping[int, AssetCounts], metric: Metric, thresholds: DataThresholds | None = None,
                     win_probability: float = WIN_PROBABILITY, draws: int = DRAWS) -> SegmentInsights:
    with_data = [r for r in rows if counts.get(r.asset_id, AssetCounts()).impressions > 0]
    found: list[AttributeInsight] = []
    constant: dict[str, str] = {}
    for attribute in ATTRIBUTES:
        by_value: dict[str, list[AssetCounts]] = {}
        for r in with_data:
            value = r.value(attribute)
            if value is not None:
                by_value.setdefault(value, []).append(counts[r.asset_id])
        insight = analyse(attribute, by_value, metric, seed_for(campaign, segment, attribute, metric.name),
                          segment=segment, thresholds=thresholds, win_probability=win_probability, draws=draws)
        if insight is not None:
            found.append(insight)
        elif len(by_value) == 1:
            constant[attribute] = next(iter(by_value))
    total = pooled([counts[r.asset_id] for r in with_data])
    amount = float(getattr(total, metric.successes)) if metric.kind == "proportion" else total.value_sum
    return SegmentInsights(segment=segment, assets=len(with_data), units=total.impressions, total=amount,
                           attributes=tuple(found), constant=constant)


# ---------------------------------------------------------------------------------------------------- entry point
def campaign_insights(session: Session, tenant_id: str, campaign_slug: str, metric: str = "ctr",
                      segment: str | None = None, *, statuses: Collection[str] | None = None,
                      thresholds: DataThresholds | None = None, win_probability: float = WIN_PROBABILITY,
                      draws: int = DRAWS) -> Insights:
    """Insights of one campaign of ``tenant_id`` (see the module docstring).

    ``segment`` None gives all segments together and then each segment; a segment id gives just that segment.
    ``statuses`` limits the assets looked at (the web layer passes what a client may see). Raises NotFoundError
    for an unknown campaign (another tenant's looks the same), InvalidRequestError for an unknown metric or a
    segment the campaign does not have. No data is not an error: the answer says so in ``explanation``."""
    # 1. Check inputs
    chosen = check_metric(metric)
    if not 0.5 < win_probability < 1:
        raise InvalidRequestError("win_probability must be between 0.5 and 1")
    if not 100 <= draws <= 1_000_000:
        raise InvalidRequestError("draws must be between 100 and 1,000,000")
    campaign = Repository(session, tenant_id).get_campaign(campaign_slug)

    # 2. Attributes and counts of the campaign's assets
    rows = list(campaign_attributes(session, tenant_id, campaign.id).values())
    if statuses is not None:
        rows = [r for r in rows if r.status in statuses]
    segments = tuple(sorted({r.segment for r in rows}))
    if segment is not None and segment not in segments:
        raise InvalidRequestError(f"campaign '{campaign.slug}' has no segment '{segment}'",
                                  hint=f"its segments: {', '.join(segments) or '(none rendered yet)'}")
    counts = PerformanceRepository(session, tenant_id).counts_for_campaign(campaign.id)
    with_data = [r for r in rows if counts.get(r.asset_id, AssetCounts()).impressions > 0]

    # 3. No data: an answer that says so
    if not with_data:
        return Insights(campaign=campaign.slug, campaign_name=campaign.name, metric=chosen.name, segments=(),
                        available_segments=segments, assets_with_data=0,
                        explanation=f"no performance data yet for campaign '{campaign.slug}': send impressions, "
                                    "clicks and conversions (POST /api/v1/events) and look again")

    # 4. All segments, then each segment with data (or the one asked for, with data or not)
    wanted: list[str | None] = [segment] if segment is not None else [None, *segments]
    found = tuple(segment_insights(campaign.slug, s, [r for r in rows if s is None or r.segment == s], counts,
                                   chosen, thresholds=thresholds, win_probability=win_probability, draws=draws)
                  for s in wanted)
    if segment is None:
        found = tuple(s for s in found if s.assets > 0)
    shown = sum(s.assets for s in found) if segment is not None else len(with_data)
    explanation = None
    if shown == 0:
        explanation = (f"no performance data yet for segment '{segment}' of campaign '{campaign.slug}' (other "
                       "segments have some: leave the segment out to see them)")
    elif not any(s.attributes for s in found):
        explanation = ("every attribute has a single value among the assets with data: there is nothing to "
                       "compare yet")
    return Insights(campaign=campaign.slug, campaign_name=campaign.name, metric=chosen.name, segments=found,
                    available_segments=segments, assets_with_data=shown, explanation=explanation)

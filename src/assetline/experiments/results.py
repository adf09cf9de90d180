"""Experiment results from the running counts: each arm against the control (Bayesian, as gbstats), the SRM
check, and the traffic the decision endpoint gave each arm.

    report = experiment_report(session, tenant_id, experiment)   # a JSON-ready dict
    reports = campaign_reports(session, tenant_id, campaign_id)  # every experiment of a campaign

Metrics map counts to the statistics' inputs (impressions are the unit of every metric):

    ctr                      ProportionCounts(impressions, clicks)
    conversion_rate          ProportionCounts(impressions, conversions)
    revenue_per_impression   MeanCounts(impressions, value_sum, value_sum_squares)

Counts arrive out of order (a click can be ingested before its impression), so an arm momentarily showing more
successes than units is clamped to its units and flagged ``counts_inconsistent`` rather than refused.

SRM: when the decision endpoint served the experiment, the impressions each arm received are compared with the
decisions that chose it (an ad server that drops or double-counts one creative shows up as a mismatch). Without
served decisions the arms are expected to split evenly, as in a plain A/B test.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from assetline.experiments.bandit import ArmStats
from assetline.experiments.stats import ArmResult, results_for
from assetline.experiments.stats_counts import Counts, MeanCounts, ProportionCounts
from assetline.experiments.stats_srm import srm_check
from assetline.store.models import Asset, Campaign, Experiment
from assetline.store.performance import ZERO, AssetCounts, PerformanceRepository

METRIC_LABELS = {"ctr": "click-through rate", "conversion_rate": "conversion rate",
                 "revenue_per_impression": "revenue per impression"}


def is_mean(metric: str) -> bool:
    return metric == "revenue_per_impression"


def successes(counts: AssetCounts, metric: str) -> int:
    return counts.conversions if metric == "conversion_rate" else counts.clicks


def stats_counts(counts: AssetCounts, metric: str) -> tuple[Counts, bool]:
    """The statistics' input for one arm, and whether the raw counts had to be clamped."""
    units = counts.impressions
    if is_mean(metric):
        if units == 0:
            return MeanCounts(units=0, sum=0.0, sum_squares=0.0), bool(counts.value_sum)
        floor = counts.value_sum * counts.value_sum / units
        return MeanCounts(units=units, sum=counts.value_sum,
                          sum_squares=max(counts.value_sum_squares, floor)), False
    wins = successes(counts, metric)
    return ProportionCounts(units=units, conversions=min(wins, units)), wins > units


def arm_stats(counts: AssetCounts, metric: str) -> ArmStats:
    """The bandit's view of one arm (clamped like stats_counts)."""
    if is_mean(metric):
        if counts.impressions == 0:
            return ArmStats()
        floor = counts.value_sum * counts.value_sum / counts.impressions
        return ArmStats(units=counts.impressions, total=counts.value_sum,
                        total_squares=max(counts.value_sum_squares, floor))
    return ArmStats(units=counts.impressions, successes=min(successes(counts, metric), counts.impressions))


def _rate(counts: AssetCounts, metric: str) -> float | None:
    if counts.impressions == 0:
        return None
    return (counts.value_sum if is_mean(metric) else successes(counts, metric)) / counts.impressions


def _result(r: ArmResult) -> dict[str, Any]:
    return {"chance_to_beat_control": r.chance_to_beat_control, "expected_lift": r.expected,
            "ci": list(r.ci), "risk_control": r.risk_control, "risk_variant": r.risk_variant,
            "verdict_ready": r.verdict_ready, "error": str(r.error) if r.error else None,
            "error_detail": r.error_detail, "enough_data": r.data.enough, "data_reasons": list(r.data.reasons)}


def experiment_report(session: Session, tenant_id: str, experiment: Experiment) -> dict[str, Any]:
    perf = PerformanceRepository(session, tenant_id)
    arm_ids = perf.arm_asset_ids(experiment.id)
    counts = perf.counts(arm_ids)
    assets = perf.tenant_assets(arm_ids)
    served = perf.decisions_served(experiment.id)
    control = experiment.control_asset_id
    inputs: dict[str, Counts] = {}
    clamped: set[int] = set()
    for asset_id in arm_ids:
        inputs[str(asset_id)], was_clamped = stats_counts(counts.get(asset_id, ZERO), experiment.metric)
        if was_clamped:
            clamped.add(asset_id)
    results = {r.name: r for r in results_for(inputs, str(control))}
    units = [counts.get(a, ZERO).impressions for a in arm_ids]
    total_served = sum(served.get(a, 0) for a in arm_ids)
    weights = ([served.get(a, 0) / total_served for a in arm_ids] if total_served
               else [1.0 / len(arm_ids)] * len(arm_ids))
    srm = srm_check(units, weights)
    arms = []
    for asset_id in arm_ids:
        c = counts.get(asset_id, ZERO)
        asset: Asset | None = assets.get(asset_id)
        arms.append({
            "asset_id": asset_id, "control": asset_id == control,
            "concept": asset.concept if asset else None, "segment": asset.segment if asset else None,
            "format": asset.format if asset else None, "variant": asset.variant if asset else None,
            "status": asset.status if asset else None,
            "impressions": c.impressions, "clicks": c.clicks, "conversions": c.conversions, "value": c.value_sum,
            "rate": _rate(c, experiment.metric), "decisions_served": served.get(asset_id, 0),
            "counts_inconsistent": asset_id in clamped,
            "result": _result(results[str(asset_id)]) if str(asset_id) in results else None})
    return {"experiment": experiment.slug, "metric": experiment.metric,
            "metric_label": METRIC_LABELS[experiment.metric], "status": experiment.status,
            "control": control, "arms": arms,
            "srm": {"p_value": srm.p_value, "chi_square": srm.chi_square, "mismatch": srm.mismatch,
                    "expected": "served decisions" if total_served else "equal split",
                    "expected_units": list(srm.expected_units)}}


def campaign_reports(session: Session, tenant_id: str, campaign_id: int) -> list[dict[str, Any]]:
    """The report of every experiment of the campaign (oldest slug order), each with its name and channel."""
    out = []
    campaign = session.get(Campaign, campaign_id)
    if campaign is None or campaign.tenant_id != tenant_id:
        return []
    for experiment in PerformanceRepository(session, tenant_id).experiments(campaign_id):
        out.append({"name": experiment.name, "channel": experiment.channel, "segment": experiment.segment,
                    **experiment_report(session, tenant_id, experiment)})
    return out

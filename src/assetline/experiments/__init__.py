"""Experiments: the statistics and the decision core of Assetline's learning loop (which creative variant wins,
how surely, and which asset to show next).

`stats` compares arms the way GrowthBook's Bayesian engine does (chance to beat control, lift, credible
interval, risk), `stats_srm` checks the traffic split, `stats_counts` holds the typed, validated counts.
`eligibility` (which delivered assets may be shown for a request: approval, licence, flight, frequency cap) and
`bandit` (Thompson sampling with burn-in and logged propensities) are imported from their modules: they pull in
the delivery licence gate. See docs/experiments.md. Events, the store, the API and the pages come next.
"""

from assetline.experiments.stats import (
    ArmResult,
    DataCheck,
    DataThresholds,
    GaussianPrior,
    ResultError,
    compare,
    enough_data,
    results_for,
)
from assetline.experiments.stats_counts import Counts, MeanCounts, ProportionCounts, StatsInputError
from assetline.experiments.stats_srm import SRM_P_THRESHOLD, SrmResult, srm_check

__all__ = [
    "SRM_P_THRESHOLD",
    "ArmResult",
    "Counts",
    "DataCheck",
    "DataThresholds",
    "GaussianPrior",
    "MeanCounts",
    "ProportionCounts",
    "ResultError",
    "SrmResult",
    "StatsInputError",
    "compare",
    "enough_data",
    "results_for",
    "srm_check",
]

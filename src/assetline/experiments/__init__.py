"""Experiments: Assetline's learning loop — which creative variant wins, how surely, and which asset to show next.

`stats` compares arms the way GrowthBook's Bayesian engine does (chance to beat control, lift, credible
interval, risk), `stats_srm` checks the traffic split, `stats_counts` holds the typed, validated counts;
`eligibility` and `bandit` are the decision core, `serving` the in-memory decision server, `ingest`/`imports`
the events, `insights`/`next_round` what won and the next brief, `cost` cost and yield. See docs/experiments.md.

The names below are exported lazily (PEP 562): importing a submodule such as `cost_format` must not pull in scipy,
which every CLI command would otherwise pay for at start-up.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

_EXPORTS = {
    "ArmResult": "stats", "DataCheck": "stats", "DataThresholds": "stats", "GaussianPrior": "stats",
    "ResultError": "stats", "compare": "stats", "enough_data": "stats", "results_for": "stats",
    "Counts": "stats_counts", "MeanCounts": "stats_counts", "ProportionCounts": "stats_counts",
    "StatsInputError": "stats_counts", "SRM_P_THRESHOLD": "stats_srm", "SrmResult": "stats_srm",
    "srm_check": "stats_srm",
}

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


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'assetline.experiments' has no attribute '{name}'")
    value = getattr(import_module(f"assetline.experiments.{module}"), name)
    globals()[name] = value
    return value

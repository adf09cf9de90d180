"""Sample ratio mismatch (SRM): did the traffic split the way the experiment asked?

    check = srm_check([5030, 4970], [0.5, 0.5])
    if check.mismatch:        # p < 0.001, GrowthBook's default threshold
        ...                   # warn: the assignment or the tracking is broken, results are not trustworthy

Pearson's chi-square goodness-of-fit test with k − 1 degrees of freedom, computed as gbstats' `check_srm`
does, quirks included: no traffic at all gives p = 1, and an arm with weight 0 adds nothing to the statistic
(its units still count in the total) while the degrees of freedom stay k − 1.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from scipy.stats import chi2

from assetline.experiments.stats_counts import StatsInputError, _check_real, _check_units

SRM_P_THRESHOLD = 0.001
"""GrowthBook's default: below this p-value the split is reported as a mismatch."""


@dataclass(frozen=True)
class SrmResult:
    """The outcome of a sample ratio mismatch check."""

    p_value: float
    chi_square: float
    degrees_of_freedom: int
    expected_units: tuple[float, ...]
    threshold: float

    @property
    def mismatch(self) -> bool:
        """True when the observed split is very unlikely under the expected weights (p < threshold)."""
        return self.p_value < self.threshold


def srm_check(
    observed_units: Sequence[int], expected_weights: Sequence[float], *, threshold: float = SRM_P_THRESHOLD
) -> SrmResult:
    """Chi-square test of `observed_units` (one count per arm) against `expected_weights` (any positive scale)."""
    # 1. Check inputs
    if len(observed_units) != len(expected_weights):
        raise StatsInputError(
            f"got {len(observed_units)} observed counts but {len(expected_weights)} weights",
            hint="pass one count and one weight per arm, in the same order",
        )
    if len(observed_units) < 2:
        raise StatsInputError("an SRM check needs at least 2 arms", hint="pass the control and every variant")
    units = [_check_units(value, f"observed_units[{i}]") for i, value in enumerate(observed_units)]
    weights = [_check_real(value, f"expected_weights[{i}]") for i, value in enumerate(expected_weights)]
    if any(weight < 0 for weight in weights) or sum(weights) <= 0:
        raise StatsInputError(
            f"weights must be non-negative with a positive total, got {weights}", hint="e.g. [0.5, 0.5]"
        )
    if not 0 < threshold < 1:
        raise StatsInputError(f"threshold must lie in (0, 1), got {threshold}", hint="GrowthBook uses 0.001")

    # 2. Expected counts and Pearson's statistic
    total_units = sum(units)
    total_weight = math.fsum(weights)
    expected = tuple(weight / total_weight * total_units for weight in weights)
    dof = len(units) - 1
    if total_units == 0:
        return SrmResult(1.0, 0.0, dof, expected, threshold)
    statistic = math.fsum((o - e) ** 2 / e for o, e in zip(units, expected, strict=True) if e > 0)

    # 3. Upper tail of chi-square with k − 1 degrees of freedom
    return SrmResult(float(chi2.sf(statistic, dof)), statistic, dof, expected, threshold)

"""The counts an experiment arm reports, checked on construction.

Two shapes, the same two that GrowthBook's engine (`gbstats`) takes:

    ProportionCounts(units=1000, conversions=42)                  # a yes/no metric (clicked, bought)
    MeanCounts(units=1000, sum=5230.0, sum_squares=61000.0)       # a numeric metric (revenue, time on page)

`units` is how many users (or sessions) were exposed to the arm; `sum` and `sum_squares` are the per-unit metric
values summed and summed squared, which is what a SQL `SUM(x), SUM(x*x)` over the units returns.

Bad counts raise `StatsInputError`, which is both a `ValueError` (for plain numeric callers) and an
`InvalidRequestError` (so the web layer answers 422 and the CLI exits 2 with the message and hint).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

from assetline.errors import InvalidRequestError

# A sum of squares may undershoot sum²/units by float rounding when the database summed doubles; below this
# relative shortfall we treat it as rounding (variance 0), above it as inconsistent counts.
SUM_SQUARES_REL_TOL = 1e-9


class StatsInputError(InvalidRequestError, ValueError):
    """Counts or settings handed to the statistics engine make no sense (negative units, conversions > units)."""


def _check_units(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise StatsInputError(
            f"{what} must be a whole number, got {value!r}", hint="pass the count of users (or sessions) as an int"
        )
    units = int(value)
    if units < 0:
        raise StatsInputError(f"{what} must not be negative, got {units}", hint="counts start at 0")
    return units


def _check_real(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise StatsInputError(f"{what} must be a number, got {value!r}", hint="pass a float or an int")
    number = float(value)
    if not math.isfinite(number):
        raise StatsInputError(f"{what} must be finite, got {number}", hint="check the query that summed the metric")
    return number


@dataclass(frozen=True)
class ProportionCounts:
    """A yes/no metric for one arm: `conversions` of `units` converted (0 ≤ conversions ≤ units)."""

    units: int
    conversions: int

    def __post_init__(self) -> None:
        units = _check_units(self.units, "units")
        conversions = _check_units(self.conversions, "conversions")
        if conversions > units:
            raise StatsInputError(
                f"conversions ({conversions}) cannot exceed units ({units})",
                hint="count each user at most once as converted; use MeanCounts for metrics that can repeat",
            )
        object.__setattr__(self, "units", units)
        object.__setattr__(self, "conversions", conversions)

    @property
    def mean(self) -> float:
        """The conversion rate (0 for an arm without units, as gbstats reports it)."""
        return 0.0 if self.units == 0 else self.conversions / self.units

    @property
    def variance(self) -> float:
        """The per-unit Bernoulli variance p·(1 − p)."""
        return self.mean * (1.0 - self.mean)


@dataclass(frozen=True)
class MeanCounts:
    """A numeric metric for one arm: `units` values with their `sum` and `sum_squares` (≥ sum²/units)."""

    units: int
    sum: float
    sum_squares: float

    def __post_init__(self) -> None:
        units = _check_units(self.units, "units")
        total = _check_real(self.sum, "sum")
        squares = _check_real(self.sum_squares, "sum_squares")
        if squares < 0:
            raise StatsInputError(
                f"sum_squares must not be negative, got {squares}", hint="sum_squares is the sum of x² over the units"
            )
        if units == 0 and (total != 0 or squares != 0):
            raise StatsInputError(
                f"an arm with 0 units must have sum 0 and sum_squares 0, got {total} and {squares}",
                hint="check that units, sum and sum_squares come from the same query",
            )
        if units > 0:
            floor = total * total / units
            if squares < floor * (1.0 - SUM_SQUARES_REL_TOL):
                raise StatsInputError(
                    f"sum_squares ({squares}) is smaller than sum²/units ({floor}): no set of {units} values has "
                    "these sums",
                    hint="sum_squares must be the sum of x² (not the square of the sum, nor a variance)",
                )
        object.__setattr__(self, "units", units)
        object.__setattr__(self, "sum", total)
        object.__setattr__(self, "sum_squares", squares)

    @property
    def mean(self) -> float:
        """The per-unit mean (0 for an arm without units, as gbstats reports it)."""
        return 0.0 if self.units == 0 else self.sum / self.units

    @property
    def variance(self) -> float:
        """The sample variance (n − 1 in the denominator); 0 for fewer than 2 units."""
        if self.units <= 1:
            return 0.0
        return (self.sum_squares - self.sum * self.sum / self.units) / (self.units - 1)


Counts = ProportionCounts | MeanCounts
"""The counts of one arm: a proportion metric or a mean metric (both arms of a comparison must match)."""


def stddev(counts: Counts) -> float:
    """The per-unit standard deviation, 0 where the variance is not positive (as gbstats' `Statistic.stddev`)."""
    variance = counts.variance
    return 0.0 if variance <= 0 else math.sqrt(variance)

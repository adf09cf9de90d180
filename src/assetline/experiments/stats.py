"""Bayesian A/B statistics for the learning loop, the same maths as GrowthBook's engine (`gbstats` 0.8.0).

    control = ProportionCounts(units=5000, conversions=250)
    variant = ProportionCounts(units=5000, conversions=290)
    result = compare(control, variant)                # relative lift, flat prior, 95 % interval
    result.chance_to_beat_control                     # 0.9498…
    result.expected, result.ci                        # +16 % lift, (−3.1 %, +35.1 %)
    result.risk_variant                               # 0.2 %: expected loss if we ship the variant
    result.verdict_ready                              # False → show "not enough data" (see DataThresholds)

    results_for({"A": control, "B": variant, "C": other}, control="A")   # one ArmResult per variant

The model is gbstats' `EffectBayesianABTest`: the estimated effect (variant mean − control mean, divided by the
control mean when `relative=True`) is taken as Gaussian with the delta-method variance

    absolute:  var_b/n_b + var_a/n_a
    relative:  var_b/(m_a²·n_b) + var_a·m_b²/(m_a⁴·n_a)

and combined with a flat (improper) prior, or with a proper `GaussianPrior(mean, variance)` on the relative
effect by precision weighting. From the posterior N(μ, σ²): chance to beat control = P(effect > 0); the credible
interval is its central `ci` quantile range; the risks are the expected losses of choosing each arm,
risk_control = E[max(effect, 0)] and risk_variant = E[max(−effect, 0)] (truncated-normal means, written here in
closed form). `inverse=True` is for metrics where lower is better: the chance flips and the risks swap.

Where gbstats gives up, so do we, with its error code instead of NaN: a zero control mean in relative mode,
an arm without units, or a zero (or negative) variance in either arm. Such results carry chance 0.5, lift 0,
interval (0, 0), risks 0 and `error` set; `verdict_ready` is False.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Literal

from scipy.stats import norm

from assetline.experiments.stats_counts import Counts, MeanCounts, ProportionCounts, StatsInputError, stddev

ResultError = Literal[
    "ZERO_NEGATIVE_BASELINE_VARIATION",  # relative lift of a control whose mean is 0 (gbstats' name)
    "NO_UNITS_IN_VARIATION",  # one of the arms has no units yet
    "ZERO_NEGATIVE_VARIANCE",  # an arm's metric does not vary (0 % or 100 % conversion, constant values)
    "ZERO_BASELINE_FOR_RELATIVE_PRIOR",  # absolute lift with a relative prior, but the control mean is 0
    "NON_FINITE_EFFECT",  # the effect or its variance over- or underflows a float (a control mean like 1e-200)
]

_ERROR_DETAILS: dict[str, str] = {
    "ZERO_NEGATIVE_BASELINE_VARIATION": "the control's mean is 0, so a relative lift is undefined",
    "NO_UNITS_IN_VARIATION": "an arm has no units yet",
    "ZERO_NEGATIVE_VARIANCE": "an arm's metric has no variance (all units converted, none did, or all equal)",
    "ZERO_BASELINE_FOR_RELATIVE_PRIOR": "a relative prior cannot be rescaled to absolute units: the control mean is 0",
    "NON_FINITE_EFFECT": "the effect is too large or too small to compute (is the control mean almost 0?)",
}


@dataclass(frozen=True)
class GaussianPrior:
    """A proper Gaussian prior on the effect: N(mean, variance), on the `scale` of the effect it describes.

    `scale="relative"` (gbstats' `prior_type="relative"`, what GrowthBook's metric settings use) means the
    numbers are a relative lift (mean 0, variance 0.3² says "lifts beyond ±60 % are rare"); it is rescaled by the
    control mean for an absolute comparison, and the other way round for `scale="absolute"`.
    """

    mean: float = 0.0
    variance: float = 0.09
    scale: Literal["relative", "absolute"] = "relative"

    def __post_init__(self) -> None:
        if not math.isfinite(self.mean):
            raise StatsInputError(f"prior mean must be finite, got {self.mean}", hint="e.g. GaussianPrior(0.0, 0.09)")
        if not (math.isfinite(self.variance) and self.variance > 0):
            raise StatsInputError(
                f"prior variance must be positive and finite, got {self.variance}",
                hint="pass the squared standard deviation, e.g. 0.3² = 0.09; use prior=None for a flat prior",
            )
        if self.scale not in ("relative", "absolute"):
            raise StatsInputError(f"prior scale must be 'relative' or 'absolute', got {self.scale!r}")


@dataclass(frozen=True)
class DataThresholds:
    """When a comparison has too little data to show a verdict (the UI shows "not enough data" instead).

    Defaults: every arm has at least `min_units` = 100 units, and for a proportion metric at least
    `min_conversions` = 10 conversions and 10 non-conversions per arm: the Gaussian model rests on the normal
    approximation, and the usual rule for it is n·p ≥ 10 and n·(1 − p) ≥ 10.
    """

    min_units: int = 100
    min_conversions: int = 10

    def __post_init__(self) -> None:
        for field in ("min_units", "min_conversions"):
            value = getattr(self, field)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise StatsInputError(f"{field} must be a non-negative int, got {value!r}")


@dataclass(frozen=True)
class DataCheck:
    """The answer of `enough_data`: `enough`, or the reasons why not (one sentence each)."""

    enough: bool
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class ArmResult:
    """One variant against the control. Lift, interval and risks are relative (fractions) or absolute units."""

    name: str
    relative: bool
    control_mean: float
    variant_mean: float
    control_stddev: float
    variant_stddev: float
    chance_to_beat_control: float
    expected: float
    ci: tuple[float, float]
    uplift_stddev: float
    risk_control: float
    risk_variant: float
    data: DataCheck
    error: ResultError | None = None

    @property
    def risk_type(self) -> Literal["relative", "absolute"]:
        return "relative" if self.relative else "absolute"

    @property
    def error_detail(self) -> str | None:
        """A sentence explaining `error`, for the UI."""
        return None if self.error is None else _ERROR_DETAILS[self.error]

    @property
    def verdict_ready(self) -> bool:
        """True when the numbers may be shown as a verdict: no error and enough data."""
        return self.error is None and self.data.enough


def enough_data(control: Counts, variant: Counts, *, thresholds: DataThresholds | None = None) -> DataCheck:
    """Whether both arms pass `thresholds` (defaults: `DataThresholds()`); the reasons name what is missing."""
    limits = thresholds or DataThresholds()
    reasons: list[str] = []
    for label, counts in (("control", control), ("variant", variant)):
        if counts.units < limits.min_units:
            reasons.append(f"the {label} has {counts.units} units, fewer than {limits.min_units}")
        if isinstance(counts, ProportionCounts):
            if counts.conversions < limits.min_conversions:
                reasons.append(f"the {label} has {counts.conversions} conversions, fewer than {limits.min_conversions}")
            if counts.units - counts.conversions < limits.min_conversions:
                reasons.append(
                    f"the {label} has {counts.units - counts.conversions} non-conversions, "
                    f"fewer than {limits.min_conversions}"
                )
    return DataCheck(enough=not reasons, reasons=tuple(reasons))


def _effect_variance(control: Counts, variant: Counts, relative: bool) -> float:
    """Variance of the estimated effect (delta method for the relative lift)."""
    m_a, m_b = control.mean, variant.mean
    if relative:
        return variant.variance / (m_a**2 * variant.units) + control.variance * m_b**2 / (m_a**4 * control.units)
    return variant.variance / variant.units + control.variance / control.units


def _risks(mu: float, sigma: float) -> tuple[float, float]:
    """Expected loss of choosing control, E[max(X, 0)], and of choosing the variant, E[max(−X, 0)], X ~ N(mu, σ²)."""
    z = -mu / sigma
    density = float(norm.pdf(z))
    below = float(norm.cdf(z))  # P(X < 0): the control is better
    # both are ≥ 0 mathematically; far in a tail the subtraction can round a hair below 0 (|error| < 1e-300·σ)
    return max(0.0, mu * (1.0 - below) + sigma * density), max(0.0, sigma * density - mu * below)


def compare(
    control: Counts,
    variant: Counts,
    *,
    relative: bool = True,
    ci: float = 0.95,
    prior: GaussianPrior | None = None,
    inverse: bool = False,
    name: str = "variant",
    thresholds: DataThresholds | None = None,
) -> ArmResult:
    """Compare `variant` with `control` (both ProportionCounts or both MeanCounts) as gbstats' Bayesian engine does."""
    # 1. Check inputs
    if type(control) is not type(variant) or not isinstance(control, ProportionCounts | MeanCounts):
        raise StatsInputError(
            f"control and variant must be counts of the same kind, got {type(control).__name__} and "
            f"{type(variant).__name__}",
            hint="use ProportionCounts for both arms of a yes/no metric, MeanCounts for both of a numeric one",
        )
    if not 0 < ci < 1:
        raise StatsInputError(f"ci must lie in (0, 1), got {ci}", hint="e.g. 0.95 for a 95 % credible interval")
    data = enough_data(control, variant, thresholds=thresholds)

    def result(
        chance: float, expected: float, interval: tuple[float, float], sd: float, risks: tuple[float, float]
    ) -> ArmResult:
        return ArmResult(
            name=name,
            relative=relative,
            control_mean=control.mean,
            variant_mean=variant.mean,
            control_stddev=stddev(control),
            variant_stddev=stddev(variant),
            chance_to_beat_control=chance,
            expected=expected,
            ci=interval,
            uplift_stddev=sd,
            risk_control=risks[0],
            risk_variant=risks[1],
            data=data,
        )

    def flagged(error: ResultError) -> ArmResult:
        return replace(result(0.5, 0.0, (0.0, 0.0), 0.0, (0.0, 0.0)), error=error)

    # 2. gbstats' guards, in its order
    if relative and control.mean == 0:
        return flagged("ZERO_NEGATIVE_BASELINE_VARIATION")
    if control.units == 0 or variant.units == 0:
        return flagged("NO_UNITS_IN_VARIATION")
    if control.variance <= 0 or variant.variance <= 0:
        return flagged("ZERO_NEGATIVE_VARIANCE")

    # 3. The data's estimate of the effect and its variance
    try:
        data_mean = (variant.mean - control.mean) / (control.mean if relative else 1.0)
        data_variance = _effect_variance(control, variant, relative)
    except (ZeroDivisionError, OverflowError):
        return flagged("NON_FINITE_EFFECT")
    if not (math.isfinite(data_mean) and math.isfinite(data_variance) and data_variance > 0):
        return flagged("NON_FINITE_EFFECT")

    # 4. Posterior: flat prior keeps the data's estimate; a proper prior is combined by precision weighting
    if prior is None:
        post_mean, post_var = data_mean, data_variance
    else:
        prior_mean, prior_var = prior.mean, prior.variance
        scale = abs(control.mean)
        if relative and prior.scale == "absolute":
            prior_mean, prior_var = prior_mean / scale, prior_var / scale**2
        elif not relative and prior.scale == "relative":
            if scale == 0:
                return flagged("ZERO_BASELINE_FOR_RELATIVE_PRIOR")
            prior_mean, prior_var = prior_mean * scale, prior_var * scale**2
        if not (math.isfinite(prior_mean) and math.isfinite(prior_var) and prior_var > 0):
            return flagged("NON_FINITE_EFFECT")
        precision = 1.0 / data_variance + 1.0 / prior_var
        post_mean = (data_mean / data_variance + prior_mean / prior_var) / precision
        post_var = 1.0 / precision
    if not (math.isfinite(post_mean) and math.isfinite(post_var) and post_var > 0):
        return flagged("NON_FINITE_EFFECT")
    sd = math.sqrt(post_var)

    # 5. Chance to win, credible interval, risks (lower is better → flip the chance, swap the risks)
    above = float(norm.sf(0.0, loc=post_mean, scale=sd))
    alpha = 1.0 - ci
    lo, hi = (float(q) for q in norm.ppf([alpha / 2, 1 - alpha / 2], loc=post_mean, scale=sd))
    risk_control, risk_variant = _risks(post_mean, sd)
    if inverse:
        return result(1.0 - above, post_mean, (lo, hi), sd, (risk_variant, risk_control))
    return result(above, post_mean, (lo, hi), sd, (risk_control, risk_variant))


def results_for(
    arms: Mapping[str, Counts],
    control: str,
    *,
    relative: bool = True,
    ci: float = 0.95,
    prior: GaussianPrior | None = None,
    inverse: bool = False,
    thresholds: DataThresholds | None = None,
) -> list[ArmResult]:
    """`compare` every arm but `control` with it, in the mapping's order; each result is named after its arm."""
    if control not in arms:
        raise StatsInputError(
            f"control arm {control!r} is not among the arms {sorted(arms)}", hint="name one of the arms as control"
        )
    if len(arms) < 2:
        raise StatsInputError("an experiment needs at least 2 arms", hint="add a variant next to the control")
    baseline = arms[control]
    return [
        compare(
            baseline,
            counts,
            relative=relative,
            ci=ci,
            prior=prior,
            inverse=inverse,
            name=arm,
            thresholds=thresholds,
        )
        for arm, counts in arms.items()
        if arm != control
    ]

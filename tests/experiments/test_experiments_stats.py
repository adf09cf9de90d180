"""The statistics engine (experiments/stats*.py) against GrowthBook's own engine, gbstats 0.8.0.

Every reported number must equal gbstats' within TOL (relative to the number's size, absolute below 1).
gbstats is installed by `make test` (`pip install --no-deps gbstats==0.8.0`); the importorskip below only
turns a bare checkout's ImportError into a message saying so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assetline.errors import InvalidRequestError
from assetline.experiments import (
    ArmResult,
    Counts,
    DataThresholds,
    GaussianPrior,
    MeanCounts,
    ProportionCounts,
    StatsInputError,
    compare,
    enough_data,
    results_for,
    srm_check,
)

# |ours − gbstats| ≤ TOL·max(1, |gbstats|). The brief allows 1e-6; we hold 1e-9, and the largest difference seen over
# these cases is 3e-15 (float rounding: closed-form vs scipy truncnorm risk, 1 − 0.95 vs 0.05). See docs/experiments.md.
TOL = 1e-9


def close(ours: float, theirs: float) -> bool:
    return abs(ours - theirs) <= TOL * max(1.0, abs(theirs))


@dataclass(frozen=True)
class Case:
    id: str
    control: Counts
    variant: Counts


P, M = ProportionCounts, MeanCounts
CASES = [
    # proportions
    Case("p-small", P(50, 5), P(50, 8)),
    Case("p-typical", P(5000, 250), P(5000, 290)),
    Case("p-large", P(1_000_000, 31_000), P(1_000_000, 31_500)),
    Case("p-huge-n", P(200_000_000, 2_000_000), P(200_000_000, 2_003_000)),
    Case("p-equal", P(1000, 100), P(1000, 100)),
    Case("p-negative-lift", P(2000, 300), P(2000, 240)),
    Case("p-near-zero-rate", P(100_000, 3), P(100_000, 7)),
    Case("p-unbalanced", P(9000, 450), P(300, 21)),
    Case("p-unbalanced-other-way", P(250, 20), P(12_000, 700)),
    Case("p-high-rate", P(400, 390), P(400, 385)),
    Case("p-tiny", P(3, 1), P(4, 2)),
    Case("p-far-tail", P(1000, 10), P(1000, 200)),  # chance ≈ 1, risk of the variant ≈ 0
    # means
    Case("m-small", M(20, 100.0, 600.0), M(25, 140.0, 900.0)),
    Case("m-revenue", M(50_000, 1.2e6, 9e7), M(50_000, 1.26e6, 9.4e7)),
    Case("m-equal", M(800, 4000.0, 30_000.0), M(800, 4000.0, 30_000.0)),
    Case("m-negative-lift", M(3000, 90_000.0, 3.6e6), M(2900, 80_000.0, 3.4e6)),
    Case("m-negative-baseline", M(1000, -500.0, 20_000.0), M(1000, 300.0, 21_000.0)),
    Case("m-near-zero-mean", M(10_000, 1.0, 500.0), M(10_000, 3.0, 480.0)),
    Case("m-unbalanced", M(100_000, 250_000.0, 1.2e6), M(800, 2100.0, 9800.0)),
    Case("m-counts-per-user", M(5000, 7500.0, 20_000.0), M(5100, 8200.0, 22_500.0)),
    Case("m-two-units", M(2, 3.0, 5.0), M(2, 4.0, 10.0)),
    Case("m-large-scale", M(400, 4e8, 4.1e14), M(420, 4.3e8, 4.5e14)),
    Case("m-zero-mean-control", M(500, 0.0, 250.0), M(500, 40.0, 260.0)),  # relative: flagged; absolute: fine
    # gbstats' guards: flagged results, never NaN
    Case("g-zero-control-rate", P(1000, 0), P(1000, 12)),
    Case("g-all-converted", P(100, 30), P(100, 100)),
    Case("g-no-variant-units", P(100, 30), P(0, 0)),
    Case("g-no-units-at-all", P(0, 0), P(0, 0)),
    Case("g-constant-values", M(10, 50.0, 250.0), M(12, 70.0, 420.0)),
    Case("g-one-unit", M(1, 5.0, 25.0), M(30, 160.0, 900.0)),
]
PRIORS: dict[str, GaussianPrior | None] = {
    "flat": None,
    "relative-prior": GaussianPrior(0.0, 0.09),
    "absolute-prior": GaussianPrior(0.01, 0.0004, scale="absolute"),
}


@pytest.fixture(scope="module")
def gb() -> dict[str, Any]:
    pytest.importorskip("gbstats", reason="the reference engine: `make test` installs gbstats==0.8.0 (--no-deps)")
    from gbstats.bayesian import tests as bayesian
    from gbstats.models import statistics
    from gbstats.utils import check_srm

    return {"bayesian": bayesian, "statistics": statistics, "check_srm": check_srm}


def _statistic(gb: dict[str, Any], counts: Counts) -> Any:
    module: ModuleType = gb["statistics"]
    if isinstance(counts, ProportionCounts):
        return module.ProportionStatistic(n=counts.units, sum=counts.conversions)
    return module.SampleMeanStatistic(n=counts.units, sum=counts.sum, sum_squares=counts.sum_squares)


def _reference(
    gb: dict[str, Any], case: Case, relative: bool, ci: float, prior: GaussianPrior | None, inverse: bool
) -> Any:
    bayesian: ModuleType = gb["bayesian"]
    if prior is None:
        # gbstats rescales even its improper prior; naming the comparison's own scale keeps it from dividing by a
        # zero control mean for nothing (the flat prior carries no weight either way)
        effect, prior_type = bayesian.GaussianPrior(), "relative" if relative else "absolute"
    else:
        effect, prior_type = bayesian.GaussianPrior(mean=prior.mean, variance=prior.variance, proper=True), prior.scale
    config = bayesian.EffectBayesianConfig(
        difference_type="relative" if relative else "absolute",
        alpha=1.0 - ci,
        inverse=inverse,
        prior_type=prior_type,
        prior_effect=effect,
    )
    test = bayesian.EffectBayesianABTest(_statistic(gb, case.control), _statistic(gb, case.variant), config)
    return test.compute_result()


def _assert_matches(ours: ArmResult, theirs: Any, case: Case) -> None:
    assert ours.error == theirs.error_message
    assert ours.risk_type == theirs.risk_type
    pairs = {
        "chance_to_beat_control": (ours.chance_to_beat_control, theirs.chance_to_win),
        "expected": (ours.expected, theirs.expected),
        "ci.lo": (ours.ci[0], theirs.ci[0]),
        "ci.hi": (ours.ci[1], theirs.ci[1]),
        "uplift_stddev": (ours.uplift_stddev, theirs.uplift.stddev),
        "risk_control": (ours.risk_control, theirs.risk[0]),
        "risk_variant": (ours.risk_variant, theirs.risk[1]),
        "control_mean": (ours.control_mean, case.control.mean),
        "variant_mean": (ours.variant_mean, case.variant.mean),
    }
    for field, (mine, reference) in pairs.items():
        assert math.isfinite(mine), field
        assert close(mine, float(reference)), f"{field}: ours {mine!r}, gbstats {reference!r}"


@pytest.mark.parametrize("prior_name", list(PRIORS))
@pytest.mark.parametrize("relative", [True, False], ids=["relative", "absolute"])
@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_matches_gbstats(gb: dict[str, Any], case: Case, relative: bool, prior_name: str) -> None:
    prior = PRIORS[prior_name]
    ours = compare(case.control, case.variant, relative=relative, prior=prior)
    try:
        theirs = _reference(gb, case, relative, 0.95, prior, inverse=False)
    except ZeroDivisionError:
        # An inherent difference: gbstats rescales a prior by the control mean before its guards run, and divides by
        # zero when that mean is 0. We flag the comparison instead (relative: zero baseline; absolute with a
        # relative prior: ZERO_BASELINE_FOR_RELATIVE_PRIOR).
        assert case.control.mean == 0 and prior is not None
        flags = ("ZERO_NEGATIVE_BASELINE_VARIATION", "ZERO_BASELINE_FOR_RELATIVE_PRIOR", "NO_UNITS_IN_VARIATION")
        assert ours.error in flags
        assert not ours.verdict_ready
        return
    _assert_matches(ours, theirs, case)


@pytest.mark.parametrize("ci", [0.8, 0.9, 0.99])
@pytest.mark.parametrize("inverse", [False, True], ids=["higher-is-better", "lower-is-better"])
@pytest.mark.parametrize("case", CASES[:6] + CASES[12:18], ids=[c.id for c in CASES[:6] + CASES[12:18]])
def test_matches_gbstats_inverse_and_interval_width(gb: dict[str, Any], case: Case, inverse: bool, ci: float) -> None:
    ours = compare(case.control, case.variant, ci=ci, inverse=inverse, prior=GaussianPrior(0.0, 0.04))
    _assert_matches(ours, _reference(gb, case, True, ci, GaussianPrior(0.0, 0.04), inverse), case)


def test_flagged_results_carry_gbstats_defaults_not_nan() -> None:
    result = compare(P(1000, 0), P(1000, 12))
    assert result.error == "ZERO_NEGATIVE_BASELINE_VARIATION"
    assert result.error_detail is not None and "control" in result.error_detail
    assert (result.chance_to_beat_control, result.expected, result.ci) == (0.5, 0.0, (0.0, 0.0))
    assert (result.risk_control, result.risk_variant) == (0.0, 0.0)
    assert not result.verdict_ready
    assert compare(P(100, 30), P(100, 100)).error == "ZERO_NEGATIVE_VARIANCE"
    assert compare(P(100, 30), P(0, 0)).error == "NO_UNITS_IN_VARIATION"
    assert compare(M(500, 0.0, 250.0), M(500, 40.0, 260.0), relative=False, prior=GaussianPrior()).error == (
        "ZERO_BASELINE_FOR_RELATIVE_PRIOR"
    )
    # a control mean of 4e-218: m_a² underflows, gbstats divides by zero; we flag it
    assert compare(M(2, 8.7e-218, 2.0), M(2, 0.0, 2.0)).error == "NON_FINITE_EFFECT"


SRM_SETS = [
    ([5030, 4970], [0.5, 0.5]),
    ([5300, 4700], [0.5, 0.5]),
    ([1000, 2100, 2900], [1, 2, 3]),
    ([100, 0], [0.5, 0.5]),
    ([0, 0, 0], [0.2, 0.3, 0.5]),
    ([900, 120, 80], [0.8, 0.0, 0.2]),  # a weight-0 arm: skipped in the statistic, kept in the degrees of freedom
    ([1, 2], [0.9, 0.1]),
    ([500_000, 499_000, 501_500, 499_500], [0.25] * 4),
]


@pytest.mark.parametrize(("units", "weights"), SRM_SETS)
def test_srm_matches_gbstats(gb: dict[str, Any], units: list[int], weights: list[float]) -> None:
    ours = srm_check(units, weights)
    assert close(ours.p_value, float(gb["check_srm"](units, weights)))
    assert ours.degrees_of_freedom == len(units) - 1
    assert math.isclose(sum(ours.expected_units), sum(units))


def test_srm_flags_a_broken_split() -> None:
    assert not srm_check([5030, 4970], [0.5, 0.5]).mismatch
    broken = srm_check([5300, 4700], [0.5, 0.5])
    assert broken.mismatch and broken.p_value < 1e-8 and broken.chi_square == pytest.approx(36.0)
    assert srm_check([0, 0], [1, 1]).p_value == 1.0


def test_enough_data_thresholds() -> None:
    assert enough_data(P(100, 10), P(100, 90)).enough
    few = enough_data(P(99, 50), P(5000, 4995))
    assert not few.enough
    assert few.reasons == (
        "the control has 99 units, fewer than 100",
        "the variant has 5 non-conversions, fewer than 10",
    )
    assert not enough_data(P(1000, 9), P(1000, 50)).enough
    assert enough_data(M(100, 1.0, 50.0), M(100, 0.0, 3.0)).enough  # means: only units count
    assert enough_data(P(5, 1), P(5, 1), thresholds=DataThresholds(min_units=5, min_conversions=1)).enough
    result = compare(P(60, 20), P(60, 30))
    assert result.error is None and not result.data.enough and not result.verdict_ready
    assert compare(P(5000, 250), P(5000, 290)).verdict_ready


def test_results_for_names_each_variant_in_order() -> None:
    arms = {"B": P(5000, 290), "A": P(5000, 250), "C": P(4800, 230)}
    results = results_for(arms, control="A", relative=False, ci=0.9)
    assert [r.name for r in results] == ["B", "C"]
    assert results[1] == compare(arms["A"], arms["C"], relative=False, ci=0.9, name="C")


@pytest.mark.parametrize(
    ("build", "needle"),
    [
        (lambda: P(-1, 0), "units must not be negative"),
        (lambda: P(10, 11), "conversions (11) cannot exceed units (10)"),
        (lambda: P(10, -2), "conversions must not be negative"),
        (lambda: P(10.5, 1), "units must be a whole number"),  # type: ignore[arg-type]
        (lambda: P(True, 1), "units must be a whole number"),
        (lambda: M(10, float("nan"), 1.0), "sum must be finite"),
        (lambda: M(10, 1.0, -1.0), "sum_squares must not be negative"),
        (lambda: M(10, 100.0, 900.0), "smaller than sum²/units"),
        (lambda: M(0, 1.0, 1.0), "0 units must have sum 0"),
        (lambda: M(10, "5", 30.0), "sum must be a number"),  # type: ignore[arg-type]
        (lambda: compare(P(10, 1), M(10, 1.0, 1.0)), "counts of the same kind"),
        (lambda: compare(P(10, 1), P(10, 2), ci=1.0), "ci must lie in (0, 1)"),
        (lambda: GaussianPrior(0.0, 0.0), "prior variance must be positive"),
        (lambda: GaussianPrior(float("inf"), 1.0), "prior mean must be finite"),
        (lambda: GaussianPrior(0.0, 1.0, scale="log"), "prior scale"),  # type: ignore[arg-type]
        (lambda: DataThresholds(min_units=-1), "min_units must be a non-negative int"),
        (lambda: results_for({"A": P(10, 1)}, control="B"), "control arm 'B' is not among the arms"),
        (lambda: results_for({"A": P(10, 1)}, control="A"), "at least 2 arms"),
        (lambda: srm_check([1, 2, 3], [0.5, 0.5]), "3 observed counts but 2 weights"),
        (lambda: srm_check([1], [1.0]), "at least 2 arms"),
        (lambda: srm_check([10, 10], [0.5, -0.5]), "non-negative with a positive total"),
        (lambda: srm_check([10, 10], [0, 0]), "non-negative with a positive total"),
        (lambda: srm_check([10, -1], [1, 1]), "observed_units[1] must not be negative"),
    ],
)
def test_bad_input_raises_a_clear_error(build: Any, needle: str) -> None:
    with pytest.raises(StatsInputError) as caught:
        build()
    assert needle in caught.value.message
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, InvalidRequestError)


def test_counts_accept_numpy_integers_and_round_off_in_sum_squares() -> None:
    np = pytest.importorskip("numpy")
    counts = P(np.int64(100), np.int32(7))
    assert type(counts.units) is int and counts.mean == 0.07
    # three values of 0.1: the database's sum of squares may land a rounding error below sum²/n
    assert M(3, 0.30000000000000004, 0.030000000000000002).variance == pytest.approx(0.0, abs=1e-15)


def proportion_counts() -> st.SearchStrategy[ProportionCounts]:
    return st.integers(1, 10**7).flatmap(lambda n: st.builds(ProportionCounts, st.just(n), st.integers(0, n)))


def mean_counts() -> st.SearchStrategy[MeanCounts]:
    def build(n: int, mean: float, spread: float) -> MeanCounts:
        return MeanCounts(n, mean * n, n * (mean * mean + spread * spread))

    return st.builds(build, st.integers(1, 10**6), st.floats(-1e4, 1e4), st.floats(0, 1e4, allow_subnormal=False))


arm_pairs = st.one_of(st.tuples(proportion_counts(), proportion_counts()), st.tuples(mean_counts(), mean_counts()))
priors = st.one_of(st.none(), st.builds(GaussianPrior, st.floats(-1, 1), st.floats(1e-4, 10)))


@settings(max_examples=150, deadline=None)
@given(arm_pairs, st.booleans(), priors)
def test_chance_to_win_is_a_probability(
    arms: tuple[Counts, Counts], relative: bool, prior: GaussianPrior | None
) -> None:
    result = compare(*arms, relative=relative, prior=prior)
    assert 0.0 <= result.chance_to_beat_control <= 1.0
    assert result.ci[0] <= result.expected <= result.ci[1]
    assert result.risk_control >= 0.0 and result.risk_variant >= 0.0
    assert all(math.isfinite(x) for x in (result.expected, *result.ci, result.risk_control, result.risk_variant))


@settings(max_examples=150, deadline=None)
@given(arm_pairs)
def test_swapping_arms_gives_the_complement_in_absolute_terms(arms: tuple[Counts, Counts]) -> None:
    forward = compare(arms[0], arms[1], relative=False)
    backward = compare(arms[1], arms[0], relative=False)
    if forward.error is not None:
        assert backward.error == forward.error
        return
    assert backward.chance_to_beat_control == pytest.approx(1.0 - forward.chance_to_beat_control, abs=1e-12)
    assert backward.expected == pytest.approx(-forward.expected, rel=1e-12, abs=1e-12)
    assert backward.risk_control == pytest.approx(forward.risk_variant, rel=1e-9, abs=1e-12)
    assert backward.risk_variant == pytest.approx(forward.risk_control, rel=1e-9, abs=1e-12)

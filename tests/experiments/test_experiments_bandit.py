"""The DCO decision core: eligibility reasons, frequency caps, Thompson sampling, propensities and replay."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pytest

from assetline.delivery.licence_gate import LicensedInput
from assetline.errors import InvalidRequestError
from assetline.experiments.bandit import ArmStats, Decision, ThompsonSampler
from assetline.experiments.eligibility import (
    Arm,
    DecisionInputError,
    DecisionRequest,
    FrequencyCap,
    ImpressionLog,
    ReasonCode,
    check_eligibility,
    eligible,
)
from assetline.spec.common import Licence, LicenceTerms

TODAY = date(2026, 12, 10)
CTRS = {"low": 0.02, "mid": 0.03, "best": 0.05}


class ManualClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def make_arm(arm_id: str, **kw: object) -> Arm:
    fields: dict[str, object] = {"asset_id": f"asset-{arm_id}", "arm_id": arm_id, "channel": "meta",
                                 "formats": frozenset({"1080x1080"})}
    fields.update(kw)
    return Arm(**fields)  # type: ignore[arg-type]


def photo(channels: tuple[str, ...] = ("*",), territories: tuple[str, ...] = ("*",),
          valid_from: date | None = None, valid_until: date | None = None) -> LicensedInput:
    terms = LicenceTerms(channels=list(channels), territories=list(territories))
    licence = Licence(owner="Stock Co", name="RM-2026", terms=terms, valid_from=valid_from, valid_until=valid_until)
    return LicensedInput(role="photo", ref="stock-1", sha256="0" * 64, licence=licence)


def request(user_key: str = "u-1", country: str = "GB", attributes: dict[str, str] | None = None) -> DecisionRequest:
    return DecisionRequest(channel="meta", format="1080x1080", user_key=user_key, country=country,
                           language="en-GB", attributes=attributes or {})


def codes(arms: list[Arm], req: DecisionRequest, log: ImpressionLog | None = None) -> dict[str, set[ReasonCode]]:
    result = check_eligibility(arms, req, TODAY, log)
    return {e.arm_id: {r.code for r in e.reasons} for e in result.excluded}


def simulate(sampler: ThompsonSampler, ctrs: dict[str, float], rounds: int, seed: int) -> list[tuple[Decision, int]]:
    """Choose, show, observe a click with the arm's true CTR, fold it into the stats; return the log."""
    arms = [make_arm(arm_id) for arm_id in ctrs]
    audience = np.random.default_rng(seed)
    stats = {arm_id: ArmStats() for arm_id in ctrs}
    log: list[tuple[Decision, int]] = []
    for i in range(rounds):
        decision = sampler.choose(arms, stats, f"user-{i % 300}", f"req-{i}")
        assert decision.arm_id is not None
        click = int(audience.random() < ctrs[decision.arm_id])
        stats[decision.arm_id] = stats[decision.arm_id].add(units=1, successes=click)
        log.append((decision, click))
    return log


# --- eligibility -------------------------------------------------------------------------------------------


def test_an_arm_that_fits_the_request_is_eligible() -> None:
    arm = make_arm("a", countries=frozenset({"gb"}), languages=frozenset({"en"}), licences=(photo(),),
                   attributes={"age_band": frozenset({"25-34"})},
                   flight_start=date(2026, 12, 1), flight_end=date(2026, 12, 31))
    req = request(attributes={"age_band": "25-34"})
    assert eligible([arm], req, TODAY) == [arm]
    assert check_eligibility([arm], req, TODAY).excluded == ()


def test_status_channel_format_and_segment_reasons() -> None:
    arms = [
        make_arm("draft", approved=False, delivered=False),
        make_arm("tiktok", channel="tiktok"),
        make_arm("story", formats=frozenset({"1080x1920"})),
        make_arm("fr", countries=frozenset({"FR"}), languages=frozenset({"fr"})),
        make_arm("young", attributes={"age_band": frozenset({"18-24"})}),
    ]
    found = codes(arms, request())
    assert found == {
        "draft": {ReasonCode.NOT_APPROVED, ReasonCode.NOT_DELIVERED},
        "tiktok": {ReasonCode.WRONG_CHANNEL},
        "story": {ReasonCode.WRONG_FORMAT},
        "fr": {ReasonCode.SEGMENT},
        "young": {ReasonCode.SEGMENT},
    }
    fr = check_eligibility(arms, request(), TODAY).excluded[3]
    assert len(fr.reasons) == 2 and "request country is 'GB'" in fr.reasons[0].detail


def test_licence_reasons_expired_territory_channel_and_not_yet_valid() -> None:
    arms = [
        make_arm("expired", licences=(photo(valid_until=date(2026, 11, 30)),)),
        make_arm("us-only", licences=(photo(territories=("US",)),)),
        make_arm("eu", licences=(photo(territories=("EU",)),)),
        make_arm("print-only", licences=(photo(channels=("print",)),)),
        make_arm("later", licences=(photo(valid_from=date(2027, 1, 1)),)),
        make_arm("unlicensed", licences=(LicensedInput("font", "brand-sans", "0" * 64, None),)),
    ]
    found = codes(arms, request())
    assert found == {
        "expired": {ReasonCode.LICENCE_EXPIRED},
        "us-only": {ReasonCode.LICENCE_TERRITORY},
        "eu": {ReasonCode.LICENCE_TERRITORY},  # GB is not in the EU group
        "print-only": {ReasonCode.LICENCE_CHANNEL},
        "later": {ReasonCode.LICENCE_NOT_YET_VALID},
        "unlicensed": {ReasonCode.LICENCE_MISSING},
    }
    assert [a.arm_id for a in eligible(arms, request(country="DE"), TODAY)] == ["eu"]
    expired = check_eligibility(arms, request(), TODAY).excluded[0].reasons[0]
    assert "expired on 2026-11-30" in expired.detail


def test_unknown_country_cannot_pass_a_territory_restricted_licence() -> None:
    arm = make_arm("gb", licences=(photo(territories=("GB",)),))
    assert codes([arm], request(country="")) == {"gb": {ReasonCode.LICENCE_TERRITORY}}


def test_flight_dates_are_inclusive() -> None:
    arms = [
        make_arm("future", flight_start=date(2026, 12, 11)),
        make_arm("past", flight_end=date(2026, 12, 9)),
        make_arm("edges", flight_start=TODAY, flight_end=TODAY),
    ]
    assert codes(arms, request()) == {"future": {ReasonCode.BEFORE_FLIGHT}, "past": {ReasonCode.AFTER_FLIGHT}}


def test_frequency_cap_is_reached_then_released_after_the_window() -> None:
    clock = ManualClock()
    log = ImpressionLog(clock=clock)
    capped = make_arm("capped", cap=FrequencyCap(max_impressions=2, per_seconds=60))
    free = make_arm("free")
    for _ in range(2):
        assert eligible([capped, free], request(), TODAY, log) == [capped, free]
        log.record("u-1", "asset-capped")
        clock.now += 10
    assert codes([capped, free], request(), log) == {"capped": {ReasonCode.FREQUENCY_CAP}}
    assert eligible([capped], request(user_key="u-2"), TODAY, log) == [capped]  # caps are per user key
    clock.now += 40  # first impression is now exactly 60 s old: out of the window
    assert eligible([capped], request(), TODAY, log) == [capped]


def test_impression_log_memory_is_bounded() -> None:
    log = ImpressionLog(max_users=2, max_per_user=3, clock=ManualClock())
    for _ in range(5):
        log.record("a", "x")
    assert log.count("a", "x", 60) == 3
    log.record("b", "x")
    log.count("a", "x", 60)  # touch "a": "b" is now the least recently used
    log.record("c", "x")
    assert len(log) == 2
    assert log.count("b", "x", 60) == 0 and log.count("a", "x", 60) == 3
    cap = make_arm("big", cap=FrequencyCap(max_impressions=4, per_seconds=60))
    with pytest.raises(DecisionInputError, match="exceeds the impression log's max_per_user"):
        check_eligibility([cap], request(), TODAY, log)


# --- bad input -----------------------------------------------------------------------------------------------


def test_bad_input_raises_value_errors_with_hints() -> None:
    with pytest.raises(ValueError, match="must not be negative"):
        ArmStats(units=-1)
    with pytest.raises(ValueError, match="more successes"):
        ArmStats(units=3, successes=4)
    with pytest.raises(ValueError, match="inconsistent"):
        ArmStats(units=2, total=4.0, total_squares=1.0)
    with pytest.raises(ValueError, match="at least one arm"):
        check_eligibility([], request(), TODAY)
    with pytest.raises(ValueError, match="duplicate arm id 'a'"):
        eligible([make_arm("a"), make_arm("a")], request(), TODAY)
    with pytest.raises(ValueError, match="duplicate arm id 'a'"):
        ThompsonSampler(seed=1).choose([make_arm("a"), make_arm("a")], {}, "u", "r")
    with pytest.raises(ValueError, match="request_id must not be empty"):
        ThompsonSampler(seed=1).choose([make_arm("a")], {}, "u", " ")
    with pytest.raises(ValueError, match="not ArmStats"):
        ThompsonSampler(seed=1).choose([make_arm("a")], {"a": (3, 1)}, "u", "r")  # type: ignore[dict-item]
    with pytest.raises(ValueError, match="max_impressions must be >= 1"):
        FrequencyCap(max_impressions=0, per_seconds=60)
    with pytest.raises(ValueError, match="no formats"):
        make_arm("a", formats=frozenset())
    with pytest.raises(ValueError, match="explore must be in"):
        ThompsonSampler(seed=1, explore=1.0)
    with pytest.raises(InvalidRequestError) as info:
        ArmStats(successes=-2)
    assert info.value.hint


# --- decisions -----------------------------------------------------------------------------------------------


def test_fallback_when_nothing_is_eligible_carries_the_reasons() -> None:
    arms = [make_arm("expired", licences=(photo(valid_until=date(2026, 1, 1)),))]
    result = check_eligibility(arms, request(), TODAY)
    sampler = ThompsonSampler(seed=3, fallback_asset_id="house-ad")
    decision = sampler.choose(result.arms, {}, "u-1", "req-1", excluded=result.excluded)
    assert decision.fallback and decision.phase == "fallback"
    assert (decision.asset_id, decision.arm_id, decision.propensity, decision.weights) == ("house-ad", None, 1.0, {})
    assert decision.excluded[0].reasons[0].code is ReasonCode.LICENCE_EXPIRED
    logged = json.loads(json.dumps(decision.to_log()))
    assert logged["excluded"][0]["reasons"][0]["code"] == "licence_expired"


def test_burn_in_gives_equal_shares_and_propensity_exactly_one_over_k() -> None:
    arms = [make_arm(name) for name in ("a", "b", "c", "d")]
    stats = {"a": ArmStats(units=500, successes=100), "b": ArmStats(units=3)}  # c and d have no data yet
    sampler = ThompsonSampler(seed=11, burn_in_units=50)
    decisions = [sampler.choose(arms, stats, "u", f"r{i}") for i in range(4000)]
    assert {d.phase for d in decisions} == {"burn_in"}
    assert {d.propensity for d in decisions} == {0.25}
    shares = np.array([sum(d.arm_id == a.arm_id for d in decisions) for a in arms]) / len(decisions)
    assert np.all(np.abs(shares - 0.25) < 0.03), shares  # 4 sigma is 0.027


def test_propensities_match_the_empirical_choice_frequency() -> None:
    arms = [make_arm(name) for name in ("a", "b", "c")]
    stats = {"a": ArmStats(units=400, successes=10), "b": ArmStats(units=400, successes=14),
             "c": ArmStats(units=400, successes=17)}
    sampler = ThompsonSampler(seed=5, burn_in_units=100)
    decisions = [sampler.choose(arms, stats, "u-1", f"r{i}") for i in range(3000)]
    for d in decisions:
        assert d.phase == "thompson" and d.arm_id is not None
        assert 0.0 < d.propensity <= 1.0
        assert d.propensity == d.weights[d.arm_id]
        assert abs(sum(d.weights.values()) - 1.0) < 1e-9
    for arm in arms:
        expected = np.mean([d.weights[arm.arm_id] for d in decisions])
        share = np.mean([d.arm_id == arm.arm_id for d in decisions])
        assert abs(share - expected) < 4 * np.sqrt(expected * (1 - expected) / len(decisions)) + 0.005, arm.arm_id
    weights_c = np.mean([d.weights["c"] for d in decisions])
    assert weights_c > np.mean([d.weights["a"] for d in decisions])


def test_wilson_hilferty_weights_agree_with_the_exact_beta() -> None:
    arms = [make_arm(name) for name in ("a", "b", "c")]
    stats = {"a": ArmStats(units=120, successes=0), "b": ArmStats(units=150, successes=2),
             "c": ArmStats(units=900, successes=12)}
    fast = ThompsonSampler(seed=2, draws=100_000).choose(arms, stats, "u", "r")
    exact = ThompsonSampler(seed=2, draws=100_000, exact_beta=True).choose(arms, stats, "u", "r")
    for arm in arms:
        assert abs(fast.weights[arm.arm_id] - exact.weights[arm.arm_id]) < 0.01, (fast.weights, exact.weights)


def test_a_logged_decision_replays_from_seed_and_request_id() -> None:
    arms = [make_arm(name) for name in ("a", "b", "c")]
    stats = {name: ArmStats(units=300, successes=9 + i) for i, name in enumerate(("a", "b", "c"))}
    first = ThompsonSampler(seed=9).choose(arms, stats, "u-1", "req-42")
    assert ThompsonSampler(seed=9).choose(arms, stats, "u-1", "req-42") == first
    assert ThompsonSampler(seed=9).choose(arms, stats, "u-1", "req-43").weights != first.weights
    assert ThompsonSampler(seed=10).choose(arms, stats, "u-1", "req-42").weights != first.weights


def test_thompson_sampling_sends_most_traffic_to_the_best_arm() -> None:
    log = simulate(ThompsonSampler(seed=21, burn_in_units=100), CTRS, rounds=6000, seed=1)
    assert {d.phase for d, _ in log[:300]} == {"burn_in"}
    last = [d.arm_id for d, _ in log[-2000:]]
    assert last.count("best") / len(last) > 0.6
    assert all(0.0 < d.propensity <= 1.0 for d, _ in log)


def test_means_use_a_normal_posterior() -> None:
    arms = [make_arm(name) for name in ("small", "large")]
    rng = np.random.default_rng(4)
    stats = {"small": ArmStats(), "large": ArmStats()}
    sampler = ThompsonSampler(seed=4, metric="mean", burn_in_units=20)
    chosen = []
    for i in range(1500):
        decision = sampler.choose(arms, stats, "u", f"r{i}")
        assert decision.arm_id is not None
        value = rng.normal(1.0 if decision.arm_id == "small" else 1.3, 1.0)
        stats[decision.arm_id] = stats[decision.arm_id].add_value(float(value))
        chosen.append(decision.arm_id)
    assert chosen[-500:].count("large") / 500 > 0.8


def test_inverse_propensity_weighting_recovers_the_uniform_policy_ctr() -> None:
    ctrs = {"low": 0.10, "mid": 0.15, "best": 0.25}
    log = simulate(ThompsonSampler(seed=1, burn_in_units=100, explore=0.1), ctrs, rounds=5000, seed=2)
    terms = np.array([click * (1 / len(ctrs)) / d.propensity for d, click in log])
    estimate, se = terms.mean(), terms.std() / np.sqrt(len(terms))
    truth = float(np.mean(list(ctrs.values())))
    assert se < 0.02
    assert abs(estimate - truth) < 3 * se, (estimate, truth, se)
    naive = np.mean([click for _, click in log])  # the bandit's own CTR is biased towards the best arm
    assert abs(naive - truth) > 3 * se

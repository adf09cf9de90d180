"""The cost and yield report against numbers set by hand (tests/costkit.py), and the rates loader's errors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from assetline.config import WORKSPACE_FILE
from assetline.errors import InvalidRequestError, NotFoundError
from assetline.experiments.cost import CostReport, cost_report
from assetline.experiments.cost_rates import (
    CostRates,
    CostRatesError,
    EngineRate,
    load_rates,
    load_rates_file,
    load_workspace_rates,
)
from assetline.store.db import Database
from assetline.store.models import Artifact
from costkit import EXPECTED, RATES_TOML, SLUG, TENANT, Arranged, arrange
from reviewkit import ReviewWorkspace

RATES = CostRates(currency="EUR", compute_per_second=0.01, reviewer_per_hour=60,
                  engines={"builtin.visual": EngineRate(per_call=0.25, per_second=0.1),
                           "builtin.copy": EngineRate(per_call=0.002)})


@pytest.fixture(scope="module")
def arranged(delivered_base: ReviewWorkspace, tmp_path_factory: pytest.TempPathFactory) -> Arranged:
    return arrange(delivered_base.copy_to(tmp_path_factory.mktemp("cost") / "ws"))


@pytest.fixture
def session(arranged: Arranged) -> Iterator[Session]:
    db = Database(arranged.ws.settings(TENANT).db_url)
    try:
        with db.session() as s:
            yield s
    finally:
        db.dispose()


@pytest.fixture
def report(session: Session) -> CostReport:
    return cost_report(session, TENANT, SLUG, RATES)


def test_campaign_totals_match_the_hand_computed_figures(report: CostReport) -> None:
    totals = report.totals.to_dict()
    for key in ("assets", "steps", "decisions", "timed_decisions", "capped_decisions", "change_requests",
                "regenerations", "regenerated_assets", "judged_assets", "first_pass_assets"):
        assert totals[key] == EXPECTED[key], key
    for key in ("compute_seconds", "compute_cost", "engine_cost", "review_minutes", "review_cost", "total_cost",
                "cost_per_asset", "first_pass_yield", "turnaround_seconds"):
        assert totals[key] == pytest.approx(EXPECTED[key], abs=1e-3), key
    assert totals["untimed_steps"] == 0
    assert report.currency == "EUR" and report.to_dict()["rates"]["engines"]["builtin.copy"]["per_call"] == 0.002


def test_per_engine_breakdown(report: CostReport) -> None:
    engines = {e.engine_id: e for e in report.engines}
    assert set(engines) == set(EXPECTED["engines"])
    for engine_id, want in EXPECTED["engines"].items():
        got = engines[engine_id]
        assert got.calls == want["calls"], engine_id
        assert got.seconds == pytest.approx(want["seconds"]), engine_id
        assert got.engine_cost == pytest.approx(want["engine_cost"]), engine_id
        assert got.compute_cost == pytest.approx(want["seconds"] * 0.01), engine_id
    assert report.engines[0].engine_id == "builtin.visual"  # most expensive first
    assert engines["builtin.visual"].steps == ["visual"]


def test_per_asset_rows_split_shared_steps_and_add_up(report: CostReport, arranged: Arranged) -> None:
    rows = {a.asset_id: a for a in report.assets}
    assert sorted(rows) == arranged.asset_ids
    for asset_id, row in rows.items():
        want = EXPECTED["regenerated_asset_seconds"] if asset_id == arranged.regenerated else EXPECTED["asset_seconds"]
        assert row.compute_seconds == pytest.approx(want), asset_id
        assert row.engine_cost == pytest.approx(EXPECTED["asset_engine_cost"]), asset_id
    assert sum(a.compute_seconds for a in report.assets) == pytest.approx(report.totals.compute_seconds)
    assert sum(a.total_cost for a in report.assets) == pytest.approx(report.totals.total_cost)
    regen = rows[arranged.regenerated]
    assert (regen.revisions, regen.regenerations, regen.first_pass) == (2, 1, False)
    changed = rows[arranged.changed]
    assert (changed.change_requests, changed.decisions, changed.first_pass) == (1, 2, False)
    assert changed.review_minutes == pytest.approx(6.0)  # the approval after 6 min; the change request is untimed
    assert rows[arranged.capped].review_minutes == pytest.approx(60.0)  # 10 h in the queue: capped
    assert rows[arranged.capped].review_cost == pytest.approx(60.0)
    first = rows[arranged.asset_ids[0]]
    assert (first.review_minutes, first.first_qc, first.first_pass, first.turnaround_seconds) == (
        pytest.approx(1.0), "passed", True, pytest.approx(3600.0))


def test_distributions_over_assets(report: CostReport) -> None:
    dist = report.totals.to_dict()["per_asset"]
    assert dist["review_minutes"]["p50"] == pytest.approx(EXPECTED["review_p50"])
    assert dist["review_minutes"]["mean"] == pytest.approx(EXPECTED["review_minutes"] / 16, abs=1e-3)
    assert dist["turnaround_seconds"]["p50"] == pytest.approx(EXPECTED["turnaround_p50"])
    assert dist["turnaround_seconds"]["p90"] == pytest.approx(EXPECTED["turnaround_p90"])
    assert dist["total_cost"]["mean"] == pytest.approx(EXPECTED["cost_per_asset"], abs=1e-5)


def test_review_cap_comes_from_the_rates(session: Session) -> None:
    report = cost_report(session, TENANT, SLUG, RATES.model_copy(update={"max_review_minutes": 5.0}))
    # gaps 1..15 min and 10 h: 1+2+3+4+5 then eleven gaps capped at 5 min
    assert report.totals.review_minutes == pytest.approx(15 + 11 * 5)
    assert report.totals.capped_decisions == 11


def test_no_rates_measure_time_but_cost_nothing(session: Session) -> None:
    report = cost_report(session, TENANT, SLUG, CostRates())
    assert report.totals.total_cost == 0 and report.currency == "USD"
    assert report.totals.compute_seconds == pytest.approx(EXPECTED["compute_seconds"])
    assert report.totals.review_minutes == pytest.approx(EXPECTED["review_minutes"])


def test_other_tenant_and_unknown_campaigns_are_not_found(session: Session, arranged: Arranged) -> None:
    with pytest.raises(NotFoundError):
        cost_report(session, "globex", SLUG, RATES)
    with pytest.raises(NotFoundError):
        cost_report(session, TENANT, "no-such-campaign", RATES)
    globex = cost_report(session, "globex", "globex-launch", RATES)
    assert globex.totals.assets == 2 and not {a.asset_id for a in globex.assets} & set(arranged.asset_ids)
    # globex's steps are its own (2 renders, 2 copies, its backgrounds), none with acme's hand-set seconds
    assert globex.totals.steps <= 6
    assert globex.totals.compute_seconds != pytest.approx(EXPECTED["compute_seconds"])


def test_a_step_without_recorded_seconds_counts_as_untimed(delivered_base: ReviewWorkspace, tmp_path: Path) -> None:
    ws = delivered_base.copy_to(tmp_path / "ws")
    db = Database(ws.settings(TENANT).db_url)
    try:
        with db.session() as s:
            copies = list(s.scalars(select(Artifact).where(Artifact.tenant_id == TENANT, Artifact.step == "copy")))
            for art in copies:
                art.meta = {k: v for k, v in art.meta.items() if k != "seconds"}
        with db.session() as s:
            report = cost_report(s, TENANT, SLUG, CostRates(engines={"builtin.copy": EngineRate(per_call=1.0)}))
    finally:
        db.dispose()
    assert report.totals.untimed_steps == len(copies) == 16
    copy = next(e for e in report.engines if e.engine_id == "builtin.copy")
    assert copy.seconds == 0 and copy.engine_cost == pytest.approx(16.0)  # the call is still paid for


# ---------------------------------------------------------------------------------------------------- rates
def test_rates_from_the_workspace_file(tmp_path: Path) -> None:
    (tmp_path / WORKSPACE_FILE).write_text('[assetline]\nexecutor = "inline"\n\n' + RATES_TOML, encoding="utf-8")
    assert load_workspace_rates(tmp_path) == RATES
    assert load_rates(tmp_path) == RATES
    assert load_workspace_rates(tmp_path / "nowhere") == CostRates()


def test_a_rates_file_replaces_the_workspace_rates(tmp_path: Path) -> None:
    (tmp_path / WORKSPACE_FILE).write_text(RATES_TOML, encoding="utf-8")
    flat = tmp_path / "rates.toml"
    flat.write_text('reviewer_per_hour = 30\n[engines."llm.openai"]\nper_call = 0.002\n', encoding="utf-8")
    rates = load_rates(tmp_path, flat)
    assert rates.reviewer_per_hour == 30 and rates.compute_per_second == 0 and rates.currency == "USD"
    assert rates.engine("llm.openai") == EngineRate(per_call=0.002)
    assert rates.engine("builtin.visual") == EngineRate()
    sectioned = tmp_path / "sectioned.toml"
    sectioned.write_text(RATES_TOML, encoding="utf-8")
    assert load_rates_file(sectioned) == RATES


@pytest.mark.parametrize(("text", "message"), [
    ("[cost]\ncompute_per_second = -1\n", "compute_per_second: input should be greater than or equal to 0"),
    ("[cost]\nreviewer_per_hour = \"45\"\n", "reviewer_per_hour: input should be a valid number"),
    ("[cost]\nreviewer_per_hour = true\n", "reviewer_per_hour: input should be a valid number"),
    ("[cost]\nreviewer_per_hour = nan\n", "reviewer_per_hour: input should be a finite number"),
    ("[cost]\ncompute_per_hour = 1\n", "compute_per_hour: unknown key"),
    ("[cost]\ncurrency = \"euro\"\n", "currency: string should match pattern"),
    ("[cost]\nmax_review_minutes = 0\n", "max_review_minutes: input should be greater than 0"),
    ('[cost.engines."llm.openai"]\nper_call = -0.5\n', 'engines."llm.openai".per_call: input should be greater'),
    ('[cost.engines."llm.openai"]\nper_token = 0.5\n', 'engines."llm.openai".per_token: unknown key'),
    ('[cost.engines]\n"llm.openai" = 3\n', 'engines."llm.openai": input should be a valid dictionary'),
    ("cost = 3\n", "[cost] must be a table"),
    ("[cost\n", "not valid TOML"),
])
def test_bad_rates_are_refused_with_the_key_named(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "rates.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CostRatesError) as caught:
        load_rates_file(path)
    assert message in caught.value.message and str(path) in caught.value.message
    assert isinstance(caught.value, InvalidRequestError)
    (tmp_path / WORKSPACE_FILE).write_text(text, encoding="utf-8")
    with pytest.raises(CostRatesError):
        load_workspace_rates(tmp_path)


def test_missing_or_unreadable_rates_files(tmp_path: Path) -> None:
    with pytest.raises(CostRatesError, match="does not exist"):
        load_rates_file(tmp_path / "missing.toml")
    with pytest.raises(CostRatesError, match="is a folder"):
        load_rates_file(tmp_path)
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00rates")
    with pytest.raises(CostRatesError, match="not UTF-8"):
        load_rates_file(binary)

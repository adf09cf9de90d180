"""`assetline cost CAMPAIGN`: tables, --json with the hand-computed figures (tests/costkit.py), rates from the
workspace or --rates, and bad input → one message, exit 2, no traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assetline.cli.main import app
from costkit import EXPECTED, RATES_TOML, SLUG, TENANT, Arranged, arrange
from reviewkit import ReviewWorkspace

runner = CliRunner()


@pytest.fixture(scope="module")
def arranged(delivered_base: ReviewWorkspace, tmp_path_factory: pytest.TempPathFactory) -> Arranged:
    done = arrange(delivered_base.copy_to(tmp_path_factory.mktemp("cli-cost") / "ws"))
    (done.ws.root / "rates.toml").write_text(RATES_TOML, encoding="utf-8")
    return done


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, result.output


def base(arranged: Arranged) -> list[str]:
    return ["cost", SLUG, "-w", str(arranged.ws.root), "--tenant", TENANT]


def test_json_has_the_figures(arranged: Arranged) -> None:
    code, out = cli(*base(arranged), "--rates", str(arranged.ws.root / "rates.toml"), "--json")
    assert code == 0, out
    report = json.loads(out)
    totals = report["totals"]
    assert report["campaign"] == SLUG and report["currency"] == "EUR"
    assert totals["total_cost"] == pytest.approx(EXPECTED["total_cost"], abs=1e-5)
    assert totals["engine_cost"] == pytest.approx(EXPECTED["engine_cost"])
    assert totals["review_minutes"] == pytest.approx(EXPECTED["review_minutes"])
    assert totals["first_pass_yield"] == pytest.approx(EXPECTED["first_pass_yield"])
    assert totals["turnaround_seconds"] == pytest.approx(EXPECTED["turnaround_seconds"])
    assert len(report["assets"]) == 16 and {e["engine_id"] for e in report["engines"]} == set(EXPECTED["engines"])


def test_text_tables(arranged: Arranged) -> None:
    code, out = cli(*base(arranged), "--rates", str(arranged.ws.root / "rates.toml"))
    assert code == 0, out
    assert "Acme launch (acme-launch): cost and yield" in out
    assert f"{EXPECTED['total_cost']:,.2f} EUR" in out  # 184.06 EUR: two decimals from 100 up
    assert "87.5%" in out and "3.0 days" in out  # first-pass yield 14/16, turnaround
    assert "builtin.visual" in out and "3.6000" in out  # the background engine's cost
    assert "16 of 17" in out and "1 capped" in out  # timed decisions, one capped at 60 min


def test_rates_come_from_the_workspace_without_rates_option(arranged: Arranged) -> None:
    code, out = cli(*base(arranged), "--json")
    assert code == 0 and json.loads(out)["totals"]["total_cost"] == 0  # the workspace has no [cost] section
    toml = arranged.ws.root / "assetline.toml"
    before = toml.read_text(encoding="utf-8") if toml.exists() else None
    toml.write_text((before or "") + "\n" + RATES_TOML, encoding="utf-8")
    try:
        code, out = cli(*base(arranged), "--json")
    finally:
        toml.unlink() if before is None else toml.write_text(before, encoding="utf-8")
    assert code == 0 and json.loads(out)["totals"]["total_cost"] == pytest.approx(EXPECTED["total_cost"], abs=1e-5)


@pytest.mark.parametrize(("extra", "rates", "message"), [
    (["--tenant", "globex"], None, "no campaign 'acme-launch'"),
    ([], "[cost]\nreviewer_per_hour = -3\n", "reviewer_per_hour: input should be greater than or equal to 0"),
    ([], "[cost]\nper_hour = 3\n", "per_hour: unknown key"),
    ([], '[cost.engines."llm.openai"]\nper_call = "cheap"\n', "per_call: input should be a valid number"),
    ([], "[cost\n", "not valid TOML"),
    (["--rates", "/nonexistent/rates.toml"], None, "does not exist"),
])
def test_bad_input_is_one_message_and_exit_2(arranged: Arranged, tmp_path: Path, extra: list[str],
                                             rates: str | None, message: str) -> None:
    args = base(arranged) + extra
    if rates is not None:
        path = tmp_path / "bad.toml"
        path.write_text(rates, encoding="utf-8")
        args += ["--rates", str(path)]
    code, out = cli(*args)
    assert code == 2, out
    assert message in " ".join(out.split())  # Rich wraps long messages
    assert out.count("error:") == 1


def test_bad_campaign_with_json_is_a_json_error(arranged: Arranged) -> None:
    result = runner.invoke(app, ["cost", "no-such-campaign", "-w", str(arranged.ws.root), "--tenant", TENANT,
                                 "--json"])
    assert result.exit_code == 2
    assert json.loads(result.output.strip().splitlines()[-1])["error"] == "NotFoundError"


def test_no_workspace(tmp_path: Path) -> None:
    code, out = cli("cost", SLUG, "-w", str(tmp_path / "none"))
    assert code == 2 and "no Assetline store" in out

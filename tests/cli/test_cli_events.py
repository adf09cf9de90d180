"""`assetline events import|counts`: text and --json output, and every bad input → one message, exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assetline.cli.main import app
from reviewkit import ReviewWorkspace

runner = CliRunner()
DATA = Path(__file__).parents[1] / "experiments" / "data"
META, GOOGLE, GENERIC = DATA / "meta_ads_export.csv", DATA / "google_ads_ad_report.csv", DATA / "generic_events.csv"


@pytest.fixture
def ws(delivered_base: ReviewWorkspace, tmp_path: Path) -> ReviewWorkspace:
    return delivered_base.copy_to(tmp_path / "ws")


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_import_text_then_json_then_counts(ws: ReviewWorkspace) -> None:
    root = str(ws.root)
    code, out = cli("events", "import", str(GOOGLE), "--campaign", "acme-launch", "-w", root, "--tenant", "acme")
    assert code == 0, out
    assert "(google) into acme-launch: 6 rows → 21 events, 21 new, 0 already stored" in " ".join(out.split())
    assert "skipped 2 total row(s)" in out and "41,640" in out

    code, out = cli("events", "import", str(GOOGLE), "-c", "acme-launch", "--format", "google", "--json",
                    "-w", root, "--tenant", "acme")
    again = json.loads(out)
    assert code == 0 and again["accepted"] == 0 and again["duplicates"] == again["events"] == 21
    assert {a["asset_id"]: a["conversions"] for a in again["assets"]} == {1: 4, 2: 4, 9: 1}

    code, out = cli("events", "import", str(META), "-c", "acme-launch", "--json", "-w", root, "--tenant", "acme")
    assert code == 0 and json.loads(out)["format"] == "meta"

    code, out = cli("events", "counts", "acme-launch", "--json", "-w", root, "--tenant", "acme")
    rows = {r["asset_id"]: r for r in json.loads(out)}
    assert code == 0 and sorted(rows) == [1, 2, 5, 6, 7, 9, 16]
    assert (rows[1]["impressions"], rows[1]["clicks"], rows[1]["conversions"]) == (41_640, 183, 4)
    assert rows[1]["value"] == pytest.approx(99.81) and rows[1]["ctr"] == pytest.approx(183 / 41_640, abs=1e-6)
    assert (rows[16]["concept"], rows[16]["segment"], rows[16]["format"], rows[16]["variant"]) == \
        ("lift-off", "dubai-professionals", "meta-feed-1x1", 2)

    code, out = cli("events", "counts", "acme-launch", "-w", root, "--tenant", "acme")
    assert code == 0 and "lift-off" in out and "18,874" in out and "0.44%" in out  # 183/41,640


def test_counts_of_a_campaign_without_events(ws: ReviewWorkspace) -> None:
    code, out = cli("events", "counts", "acme-launch", "-w", str(ws.root), "--tenant", "acme")
    assert code == 0 and "no performance events" in out
    code, out = cli("events", "counts", "acme-launch", "--json", "-w", str(ws.root), "--tenant", "acme")
    assert code == 0 and json.loads(out) == []


def test_skip_unknown_reports_what_it_skipped(ws: ReviewWorkspace, tmp_path: Path) -> None:
    file = tmp_path / "mixed.csv"
    file.write_text(GENERIC.read_text(encoding="utf-8") + "spring-promo,2026-03-02,10,1,,\n", encoding="utf-8")
    code, out = cli("events", "import", str(file), "-c", "acme-launch", "--skip-unknown", "-w", str(ws.root),
                    "--tenant", "acme")
    assert code == 0 and "skipped 1 row(s) of 1 unknown ad(s): spring-promo" in " ".join(out.split())


def bad_files(tmp: Path) -> dict[str, Path]:
    files = {
        "negative.csv": GENERIC.read_text(encoding="utf-8").replace("5000,40", "5000,-40"),
        "unknown.csv": GENERIC.read_text(encoding="utf-8") + "spring-promo,2026-03-02,10,1,,\n",
        "empty.csv": "",
    }
    out = {}
    for name, text in files.items():
        (tmp / name).write_text(text, encoding="utf-8")
        out[name] = tmp / name
    (tmp / "latin1.csv").write_bytes("asset_id,clicks\ncafé,1\n".encode("latin-1"))
    out["latin1.csv"] = tmp / "latin1.csv"
    return out


@pytest.mark.parametrize(("args", "message"), [
    (["events", "import", "{negative.csv}", "-c", "acme-launch"], "negative.csv:2: clicks is negative"),
    (["events", "import", "{unknown.csv}", "-c", "acme-launch"], "match no delivered asset"),
    (["events", "import", "{empty.csv}", "-c", "acme-launch"], "the file is empty"),
    (["events", "import", "{latin1.csv}", "-c", "acme-launch"], "not UTF-8 or UTF-16 text"),
    (["events", "import", "{missing}", "-c", "acme-launch"], "no file"),
    (["events", "import", "{GENERIC}", "-c", "globex-launch"], "no campaign 'globex-launch'"),
    (["events", "import", "{GENERIC}", "-c", "acme-launch", "--format", "xml"], "unknown format 'xml'"),
    (["events", "import", "{GENERIC}", "-c", "acme-launch", "--format", "meta"], "no ad column"),
    (["events", "counts", "no-such-campaign"], "no campaign 'no-such-campaign'"),
])
def test_bad_input_is_one_message_and_exit_2(ws: ReviewWorkspace, tmp_path: Path, args: list[str],
                                             message: str) -> None:
    files = {f"{{{k}}}": str(v) for k, v in bad_files(tmp_path).items()}
    files |= {"{missing}": str(tmp_path / "nope.csv"), "{GENERIC}": str(GENERIC)}
    argv = [files.get(a, a) for a in args]
    code, out = cli(*argv, "-w", str(ws.root), "--tenant", "acme")
    assert code == 2, out
    assert message in " ".join(out.split())
    assert out.count("error:") == 1
    code, out = cli("events", "counts", "acme-launch", "--json", "-w", str(ws.root), "--tenant", "acme")
    assert json.loads(out) == []  # nothing stored


def test_bad_input_with_json_is_a_json_error(ws: ReviewWorkspace, tmp_path: Path) -> None:
    file = bad_files(tmp_path)["negative.csv"]
    result = runner.invoke(app, ["events", "import", str(file), "-c", "acme-launch", "--json", "-w", str(ws.root),
                                 "--tenant", "acme"])
    assert result.exit_code == 2
    error = json.loads(result.stderr if hasattr(result, "stderr") else result.output)
    assert error["error"] == "ImportInputError" and "clicks is negative" in error["message"] and error["hint"]

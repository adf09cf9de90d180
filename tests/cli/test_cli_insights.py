"""`assetline insights CAMPAIGN` and `assetline next-round CAMPAIGN --out brief.yaml`: the JSON names the winner
when the data says so (and none when it does not), readable tables, a next-round brief that `assetline plan`
accepts, no clobbering without --force, and bad input → one message, exit 2, no traceback, nothing written.

Two private copies of the delivered workspace (16 acme assets, layouts hero, split and product):
``clear`` — 3,000 impressions an asset, clicks drawn at 6 % for hero and 2 % otherwise;
``thin`` — 20 impressions per london-commuters asset only (too little data for any winner; dubai has none).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import select
from typer.testing import CliRunner, Result

from assetline.cli.main import app
from assetline.experiments.attributes import AssetAttributes, campaign_attributes
from assetline.experiments.ingest import PerfEvent, ingest
from assetline.spec.loader import load_campaign
from assetline.store.db import Database
from assetline.store.models import Campaign
from reviewkit import ReviewWorkspace

runner = CliRunner()
SLUG = "acme-launch"


def feed(ws: ReviewWorkspace, impressions: int, rate: Callable[[AssetAttributes], float],
         only: Callable[[AssetAttributes], bool] = lambda a: True) -> dict[int, tuple[int, int]]:
    """Ingest impressions and binomial clicks for the acme assets ``only`` keeps; asset id → (impressions, clicks)."""
    db = Database(ws.settings().db_url)
    rng = np.random.default_rng(5)
    truth: dict[int, tuple[int, int]] = {}
    try:
        with db.session() as s:
            cid = s.scalar(select(Campaign.id).where(Campaign.tenant_id == "acme", Campaign.slug == SLUG))
            assert cid is not None
            events: list[PerfEvent] = []
            for a in campaign_attributes(s, "acme", cid).values():
                if not only(a):
                    continue
                clicks = int(rng.binomial(impressions, rate(a)))
                truth[a.asset_id] = (impressions, clicks)
                events.append(PerfEvent(f"i-{a.asset_id}", a.asset_id, "impression", count=impressions))
                if clicks:
                    events.append(PerfEvent(f"c-{a.asset_id}", a.asset_id, "click", count=clicks))
            ingest(s, "acme", events, source="test")
    finally:
        db.dispose()
    return truth


@pytest.fixture(scope="module")
def clear(delivered_base: ReviewWorkspace, tmp_path_factory: pytest.TempPathFactory) -> ReviewWorkspace:
    ws = delivered_base.copy_to(tmp_path_factory.mktemp("cli-insights") / "clear")
    feed(ws, 3000, lambda a: 0.06 if a.layout == "hero" else 0.02)
    return ws


@pytest.fixture(scope="module")
def thin(delivered_base: ReviewWorkspace, tmp_path_factory: pytest.TempPathFactory) -> ReviewWorkspace:
    ws = delivered_base.copy_to(tmp_path_factory.mktemp("cli-insights") / "thin")
    feed(ws, 20, lambda a: 0.5 if a.layout == "hero" else 0.1, only=lambda a: a.segment == "london-commuters")
    return ws


def invoke(*args: str) -> Result:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def cli(*args: str) -> tuple[int, str]:
    result = invoke(*args)
    return result.exit_code, result.output


def where(ws: ReviewWorkspace, tenant: str = "acme") -> list[str]:
    return ["-w", str(ws.root), "--tenant", tenant]


def brief_of(ws: ReviewWorkspace) -> Path:
    return ws.root / "brief-acme" / "campaign.yaml"


def insights_json(ws: ReviewWorkspace, *extra: str) -> dict[str, Any]:
    result = invoke("insights", SLUG, "--json", *extra, *where(ws))
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def attribute(data: dict[str, Any], name: str, segment: str | None = None) -> dict[str, Any]:
    seg = next(s for s in data["segments"] if s["segment"] == segment)
    found: dict[str, Any] = next(a for a in seg["attributes"] if a["attribute"] == name)
    return found


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# ---------------------------------------------------------------------------------------------------- insights
def test_json_names_the_winning_layout(clear: ReviewWorkspace) -> None:
    data = insights_json(clear)
    assert data["campaign"] == SLUG and data["metric"] == "ctr" and data["assets_with_data"] == 16
    assert data["explanation"] is None
    assert [s["segment"] for s in data["segments"]] == [None, "dubai-professionals", "london-commuters"]
    winners = {(w["segment"], w["attribute"]): w["value"] for w in data["winners"]}
    assert winners[(None, "layout")] == "hero"
    assert winners[("london-commuters", "layout")] == winners[("dubai-professionals", "layout")] == "hero"
    layout = attribute(data, "layout")
    assert layout["winner"] == "hero" and layout["reasons"] == []
    hero = next(v for v in layout["values"] if v["value"] == "hero")
    assert hero["p_best"] > 0.99 and hero["lift"] > 1.0  # about 6 % against about 2 %: +200 %
    assert layout["values"][0]["value"] == "hero"  # highest rate first


def test_json_of_one_segment_and_another_metric(clear: ReviewWorkspace) -> None:
    data = insights_json(clear, "--segment", "london-commuters", "--metric", "conversion_rate")
    assert data["metric"] == "conversion_rate" and data["metric_label"] == "Conversion rate"
    assert [s["segment"] for s in data["segments"]] == ["london-commuters"]
    assert data["assets_with_data"] == data["segments"][0]["assets"] == 8
    assert data["winners"] == []  # no conversions were sent: nothing separates the values
    assert all(v["successes"] == 0 for v in attribute(data, "layout", "london-commuters")["values"])


def test_too_little_data_has_a_leader_but_no_winner(thin: ReviewWorkspace) -> None:
    data = insights_json(thin)
    assert data["winners"] == [] and data["assets_with_data"] == 8
    assert [s["segment"] for s in data["segments"]] == [None, "london-commuters"]  # dubai has no data
    layout = attribute(data, "layout")
    assert layout["winner"] is None and layout["leader"]
    assert any("fewer than 100" in r for r in layout["reasons"])


def test_a_segment_without_data_says_so(thin: ReviewWorkspace) -> None:
    data = insights_json(thin, "--segment", "dubai-professionals")
    assert data["assets_with_data"] == 0 and data["winners"] == []
    assert "no performance data yet for segment 'dubai-professionals'" in data["explanation"]
    code, out = cli("insights", SLUG, "--segment", "dubai-professionals", *where(thin))
    assert code == 0 and "no performance data yet for segment 'dubai-professionals'" in " ".join(out.split())


def test_human_output_is_readable(clear: ReviewWorkspace) -> None:
    data = insights_json(clear)
    code, out = cli("insights", SLUG, *where(clear))
    assert code == 0, out
    first = out.splitlines()[0]
    assert first == "Acme launch (acme-launch) — Click-through rate, 16 assets with data"
    assert f"All segments: {data['segments'][0]['units']:,} impressions" in out
    assert "same for every asset: style photo, palette space-navy, engine builtin.visual" in out
    assert "Layout: winner hero" in out and "Concept: no winner yet (leader" in out
    for column in ("value", "impr.", "rate", "95 % CI", "P(best)", "lift"):
        assert column in out
    hero = next(v for v in attribute(data, "layout")["values"] if v["value"] == "hero")
    row = next(line for line in out.splitlines() if line.strip().startswith("hero "))
    assert f"{hero['units']:,}" in row and f"{hero['rate'] * 100:.2f} %" in row and "> 0.99" in row
    assert f"{hero['ci'][0] * 100:.2f}–{hero['ci'][1] * 100:.2f}" in row
    assert "[green]" not in out and "[/]" not in out and "[dim]" not in out  # markup rendered, not printed
    assert "london-commuters: " in out and "dubai-professionals: " in out


def test_no_data_is_an_explained_answer(clear: ReviewWorkspace) -> None:
    code, out = cli("insights", "globex-launch", *where(clear, "globex"))
    assert code == 0 and "0 assets with data" in out and "no performance data yet" in out
    result = invoke("insights", "globex-launch", "--json", *where(clear, "globex"))
    data = json.loads(result.stdout)
    assert data["segments"] == [] and data["winners"] == [] and "no performance data" in data["explanation"]


# ---------------------------------------------------------------------------------------------------- next round
def test_next_round_writes_a_brief_that_plan_accepts(clear: ReviewWorkspace, tmp_path: Path) -> None:
    original = brief_of(clear).read_text(encoding="utf-8")
    out = tmp_path / "round2" / "brief.yaml"
    code, text = cli("next-round", SLUG, "--out", str(out), *where(clear))
    assert code == 0, text
    assert f"wrote {out}: campaign acme-launch-r2 (round 2 of acme-launch)" in " ".join(text.split())
    assert "dropped layout 'split' of concept 'morning-launch'" in text and "P(best) < 0.01" in text
    assert f"Next: edit it, then assetline run {out}" in " ".join(text.split())
    spec = load_campaign(out).campaign
    assert spec.id == "acme-launch-r2" and spec.variants == load_campaign(brief_of(clear)).campaign.variants + 1
    assert {c.id: c.layouts for c in spec.concepts} == {"morning-launch": ["hero"], "lift-off": ["hero"]}
    written = out.read_text(encoding="utf-8")
    assert written.startswith("# Next round 2 of campaign 'acme-launch'")
    assert "#   - layout 'hero' won for concept 'lift-off'" in written
    assert brief_of(clear).read_text(encoding="utf-8") == original  # the original is untouched
    result = invoke("plan", str(out), "-w", str(clear.root), "--json")
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    assert plan["campaign"] == "acme-launch-r2" and plan["cells"] == 24 and plan["would_render"] == 24
    assert plan["matrix"] == {"concepts": 2, "segments": 2, "formats": 2, "variants": 3}
    assert {cell["layout"] for cell in plan["sample"]} == {"hero"}
    code, planned = cli("plan", str(out), "-w", str(clear.root))
    assert code == 0 and "acme-launch-r2: 2 concepts × 2 segments × 2 formats × 3 variants = 24 cells" in planned


def test_next_round_json(clear: ReviewWorkspace, tmp_path: Path) -> None:
    out = tmp_path / "r2.yaml"
    result = invoke("next-round", SLUG, "--out", str(out), "--json", *where(clear))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["new_id"] == "acme-launch-r2" and data["out"] == str(out) and data["round"] == 2
    kinds = [c["kind"] for c in data["changes"]]
    assert kinds[0] == "new_id" and kinds.count("drop_layout") == 2 and "variants" in kinds
    assert {"segment": None, "attribute": "layout", "value": "hero"} in [
        {k: w[k] for k in ("segment", "attribute", "value")} for w in data["winners"]]


def test_too_little_data_changes_only_the_id(thin: ReviewWorkspace, tmp_path: Path) -> None:
    out = tmp_path / "r2.yaml"
    code, text = cli("next-round", SLUG, "--out", str(out), *where(thin))
    assert code == 0, text
    before, after = load_campaign(brief_of(thin)).campaign, load_campaign(out).campaign
    assert after.id == "acme-launch-r2" and after.variants == before.variants
    assert [c.layouts for c in after.concepts] == [c.layouts for c in before.concepts]
    assert "(no other change: the data does not yet say which options win or lose)" in out.read_text("utf-8")


def test_refuses_to_overwrite_without_force(clear: ReviewWorkspace, tmp_path: Path) -> None:
    out = tmp_path / "r2.yaml"
    out.write_text("keep me\n", encoding="utf-8")
    code, text = cli("next-round", SLUG, "--out", str(out), *where(clear))
    assert code == 2 and f"{out} exists" in " ".join(text.split()) and "--force" in text
    assert text.count("error:") == 1 and out.read_text(encoding="utf-8") == "keep me\n"
    code, text = cli("next-round", SLUG, "--out", str(out), "--force", *where(clear))
    assert code == 0, text
    assert load_campaign(out).campaign.id == "acme-launch-r2"
    assert files_in(tmp_path) == ["r2.yaml"]  # no temporary file left behind


# ---------------------------------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(("args", "message"), [
    (["insights", "no-such-campaign"], "no campaign 'no-such-campaign'"),
    (["insights", "globex-launch"], "no campaign 'globex-launch'"),  # another tenant's looks missing
    (["insights", SLUG, "--metric", "roas"], "unknown metric 'roas'"),
    (["insights", SLUG, "--segment", "mars-colonists"], "campaign 'acme-launch' has no segment 'mars-colonists'"),
    (["next-round", "no-such-campaign", "--out", "{out}"], "no campaign 'no-such-campaign'"),
    (["next-round", SLUG, "--out", "{out}", "--metric", "roas"], "unknown metric 'roas'"),
])
def test_bad_input_is_one_message_and_exit_2(clear: ReviewWorkspace, tmp_path: Path, args: list[str],
                                             message: str) -> None:
    out = tmp_path / "new" / "r2.yaml"
    code, text = cli(*[str(out) if a == "{out}" else a for a in args], *where(clear))
    assert code == 2, text
    assert message in " ".join(text.split())
    assert text.count("error:") == 1 and "hint:" in text
    assert not out.parent.exists()  # nothing written


def out_paths(ws: ReviewWorkspace, tmp: Path) -> dict[str, Path]:
    (tmp / "a-file").write_text("not a folder\n", encoding="utf-8")
    (tmp / "a-folder").mkdir()
    return {"own-brief": brief_of(ws), "brand-kit": ws.root / "brief-acme" / "brand.yaml",
            "under-a-file": tmp / "a-file" / "r2.yaml", "deep-under-a-file": tmp / "a-file" / "x" / "y" / "r2.yaml",
            "a-folder": tmp / "a-folder", "unwritable-system-folder": Path("/proc/assetline-r2/brief.yaml")}


@pytest.mark.parametrize(("name", "message"), [
    ("own-brief", "is the campaign's own brief"),
    ("brand-kit", "is an input of the campaign"),
    ("under-a-file", "a-file is a file, not a folder"),
    ("deep-under-a-file", "a-file is a file, not a folder"),
    ("a-folder", "a-folder is not a file"),
    ("unwritable-system-folder", "cannot write /proc/assetline-r2/brief.yaml"),
])
@pytest.mark.parametrize("force", [False, True])
def test_bad_out_paths_are_refused_and_nothing_is_written(clear: ReviewWorkspace, tmp_path: Path, name: str,
                                                          message: str, force: bool) -> None:
    out = out_paths(clear, tmp_path)[name]
    inputs = {p: p.read_bytes() for p in (brief_of(clear), clear.root / "brief-acme" / "brand.yaml")}
    before_tmp, before_brief = files_in(tmp_path), files_in(brief_of(clear).parent)
    code, text = cli("next-round", SLUG, "--out", str(out), *(["--force"] if force else []), *where(clear))
    assert code == 2, text
    assert message in " ".join(text.split()) and text.count("error:") == 1
    assert {p: p.read_bytes() for p in inputs} == inputs  # the campaign's files are untouched
    assert files_in(tmp_path) == before_tmp and files_in(tmp_path / "a-folder") == []
    assert files_in(brief_of(clear).parent) == before_brief  # no temporary file either


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_is_refused(clear: ReviewWorkspace, tmp_path: Path) -> None:
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        code, text = cli("next-round", SLUG, "--out", str(folder / "sub" / "r2.yaml"), *where(clear))
        assert code == 2 and f"cannot write {folder / 'sub' / 'r2.yaml'}" in " ".join(text.split())
        assert files_in(folder) == []
    finally:
        folder.chmod(0o755)


def test_bad_input_with_json_is_a_json_error(clear: ReviewWorkspace, tmp_path: Path) -> None:
    for args in (["insights", SLUG, "--metric", "roas"], ["next-round", SLUG, "--out", str(brief_of(clear))]):
        result = invoke(*args, "--json", *where(clear))
        assert result.exit_code == 2 and result.stdout == ""
        error = json.loads(result.stderr)
        assert error["error"] == "InvalidRequestError" and error["message"] and error["hint"]

"""`assetline experiments create|list|results|stop|start` on a delivered workspace, and their bad input."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from assetline.cli.main import app
from assetline.experiments.ingest import PerfEvent, ingest
from assetline.store.db import Database
from reviewkit import ReviewWorkspace

runner = CliRunner()
CAMPAIGN = "acme-launch"


@pytest.fixture(scope="module")
def ws(delivered_base: ReviewWorkspace, tmp_path_factory: pytest.TempPathFactory) -> ReviewWorkspace:
    return delivered_base.copy_to(tmp_path_factory.mktemp("cli-exp") / "ws")


def cli(ws: ReviewWorkspace, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, [*args, "-w", str(ws.root), "--tenant", "acme"])
    return result.exit_code, result.output + (result.stderr if result.stderr_bytes is not None else "")


def test_create_list_results_stop_start(ws: ReviewWorkspace) -> None:
    code, out = cli(ws, "experiments", "create", CAMPAIGN, "feed", "--channel", "meta", "--cap", "3/86400",
                    "--burn-in", "50", "--json")
    assert code == 0, out
    created = json.loads(out)
    arms = created["arms"]
    assert len(arms) == 8 and created["cap"] == {"max_impressions": 3, "per_seconds": 86400}
    db = Database(ws.settings().db_url)
    with db.session() as s:
        ingest(s, "acme", [PerfEvent(f"i{a}", a, "impression", count=1000) for a in arms]
               + [PerfEvent(f"c{a}", a, "click", count=20 + 10 * i) for i, a in enumerate(arms)])
    db.dispose()
    code, out = cli(ws, "experiments", "results", CAMPAIGN, "feed", "--json")
    assert code == 0, out
    report = json.loads(out)
    assert [a["clicks"] for a in report["arms"]] == [20 + 10 * i for i in range(8)]
    assert report["arms"][-1]["result"]["chance_to_beat_control"] > 0.999
    code, out = cli(ws, "experiments", "results", CAMPAIGN, "feed")
    assert code == 0 and "SRM p =" in out and str(arms[-1]) in out and "+" in out
    code, out = cli(ws, "experiments", "list", CAMPAIGN)
    assert code == 0 and "feed" in out and "running" in out
    assert json.loads(cli(ws, "experiments", "stop", CAMPAIGN, "feed", "--json")[1])["status"] == "stopped"
    assert json.loads(cli(ws, "experiments", "start", CAMPAIGN, "feed", "--json")[1])["status"] == "running"


@pytest.mark.parametrize(("args", "words"), [
    (("create", CAMPAIGN, "x1", "--channel", "meta", "--cap", "three"), "IMPRESSIONS/SECONDS"),
    (("create", CAMPAIGN, "x2", "--channel", "meta", "--arms", "5,x"), "asset ids"),
    (("create", CAMPAIGN, "x3", "--channel", "meta", "--explore", "2"), "explore"),
    (("create", CAMPAIGN, "x4", "--channel", "meta", "--metric", "likes"), "metric"),
    (("create", CAMPAIGN, "x5", "--channel", "meta", "--start", "tomorrow"), "flight_start"),
    (("create", CAMPAIGN, "Bad Slug", "--channel", "meta"), "slug"),
    (("create", CAMPAIGN, "x6", "--channel", "nowhere"), "no format"),
    (("create", "no-such-campaign", "x7", "--channel", "meta"), "no campaign"),
    (("create", CAMPAIGN, "x8", "--channel", "meta", "--arms", "1,2147483000"), "no asset"),
    (("results", CAMPAIGN, "nope"), "no experiment"),
    (("stop", CAMPAIGN, "nope"), "no experiment"),
    (("list", "no-such-campaign"), "no campaign"),
])
def test_bad_input_is_one_message_and_exit_2(ws: ReviewWorkspace, args: tuple[str, ...], words: str) -> None:
    code, out = cli(ws, "experiments", *args)
    assert code == 2, out
    assert words in out and "Traceback" not in out

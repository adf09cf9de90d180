"""Every bad spec: one clear message with its location, exit code 2, nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assetline.cli.main import app


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


CASES = {
    "yaml-syntax": ("campaign.yaml", "variants: 2", "variants: [2", "YAML syntax error"),
    "unknown-format": ("campaign.yaml", "  - iab-728x90\n", "  - iab-728x9O\n", "unknown format id"),
    "bad-colour": ("brand.yaml", '"#6F4E37"', '"brown-ish"', "not a colour"),
    "missing-file": ("brand.yaml", "file: logo-light.png", "file: nope.png", "file not found"),
    "unknown-key": ("campaign.yaml", "objective:", "objectve:", "unknown key"),
}


@pytest.mark.parametrize("command", ["run", "plan"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_spec_exits_2_with_location_and_writes_nothing(case: str, command: str, demo_brief: Path,
                                                          tmp_path: Path) -> None:
    file, old, new, expected = CASES[case]
    _edit(demo_brief / file, old, new)
    ws = tmp_path / "ws"
    result = CliRunner().invoke(app, [command, str(demo_brief / "campaign.yaml"), "-w", str(ws)])
    assert result.exit_code == 2, result.output
    assert expected in result.stderr
    assert f"{demo_brief / file}:" in result.stderr.replace("\n", "")
    assert "Traceback" not in result.output
    assert not ws.exists()


def test_matrix_too_large_is_refused(demo_brief: Path, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    result = CliRunner().invoke(app, ["run", str(demo_brief / "campaign.yaml"), "-w", str(ws),
                                      "--max-cells", "100", "--json"])
    assert result.exit_code == 2
    payload = json.loads(result.stderr)
    assert payload["error"] == "MatrixTooLargeError"
    assert "204 cells" in payload["message"] and "12 videos" in payload["message"] and payload["location"]["line"]
    assert not ws.exists()


def test_missing_campaign_and_empty_workspace(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["run", str(tmp_path / "nope.yaml"), "-w", str(tmp_path / "ws")])
    assert result.exit_code == 2 and "file not found" in result.stderr
    result = runner.invoke(app, ["status", "-w", str(tmp_path / "empty")])
    assert result.exit_code == 2 and "no Assetline store" in result.stderr
    result = runner.invoke(app, ["doctor", "-w", str(tmp_path / "empty"), "--json"])
    assert result.exit_code == 2 and json.loads(result.stderr)["error"] == "WorkspaceError"


def test_plan_json_is_a_dry_run(demo_brief: Path, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    result = CliRunner().invoke(app, ["plan", str(demo_brief / "campaign.yaml"), "-w", str(ws), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["cells"] == 204 and data["would_render"] == 204  # 192 stills + 12 videos
    assert data["steps"]["compose"] == 204
    assert data["steps"]["copy"] <= 204  # formats with the same text limits share a copy step
    assert data["steps"]["visual"] == 4 * 8 * 2  # shared across segments (and by a video and its still's size)
    assert len(data["sample"]) == 5
    assert not ws.exists()


def test_init_twice_is_refused(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["init", str(tmp_path / "w")]).exit_code == 0
    again = runner.invoke(app, ["init", str(tmp_path / "w")])
    assert again.exit_code == 2 and "already" in again.stderr

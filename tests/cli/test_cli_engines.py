"""`assetline engines`, `engines tiny-sd`, and the generative examples' bad input from the command line: one clear
message, exit code 2, nothing written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assetline import api
from assetline.cli.main import app


def test_engines_lists_every_engine_and_which_run_a_trained_model() -> None:
    result = CliRunner().invoke(app, ["engines", "--json"])
    assert result.exit_code == 0, result.output
    rows = {r["id"]: r for r in json.loads(result.stdout)}
    assert {k: v["trained"] for k, v in rows.items()} == {
        "builtin.copy": False, "builtin.visual": False, "builtin.compose": False, "builtin.motion": False,
        "builtin.voice": False, "diffusion": True, "comfyui": True, "llm.openai": True}
    assert rows["llm.openai"]["modality"] == "copy"


def test_tiny_sd_writes_a_model_folder_once(tmp_path: Path) -> None:
    pytest.importorskip("diffusers")
    folder = tmp_path / "sd15"
    first = CliRunner().invoke(app, ["engines", "tiny-sd", str(folder), "--json"])
    assert first.exit_code == 0, first.output
    assert (folder / "model_index.json").is_file() and json.loads(first.stdout) == {"model": str(folder)}
    again = CliRunner().invoke(app, ["engines", "tiny-sd", str(folder)])
    assert again.exit_code == 2 and "already exists" in again.stderr and "Traceback" not in again.output


@pytest.mark.parametrize("old, new, expected", [
    ("steps: 30", "steps: 0", "engines.settings.diffusion.steps"),
    ("layout_guidance: mask", "layout_guidance: sideways", "engines.settings.diffusion.layout_guidance"),
    ("steps: 30", "stpes: 30", "engine 'diffusion' has no setting 'stpes'"),
    ("steps: 30", "controlnet: ../../models/nope", "'controlnet' is set but layout_guidance is 'mask'"),
])
def test_bad_diffusion_settings_point_at_the_campaign_line(old: str, new: str, expected: str, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    api.init_workspace(ws)
    campaign = ws / "brief" / "engines" / "diffusion" / "campaign.yaml"
    text = campaign.read_text(encoding="utf-8")
    assert text.count(f"      {old}") == 1
    campaign.write_text(text.replace(f"      {old}", f"      {new}"), encoding="utf-8")
    result = CliRunner().invoke(app, ["run", str(campaign), "-w", str(ws)])
    assert result.exit_code == 2, result.output
    message = result.stderr.replace("\n", "")
    assert expected in message and f"{campaign}:" in message
    assert "Traceback" not in result.output and not (ws / "output").exists()


NO_TORCH = """
import sys
for name in ("torch", "diffusers", "transformers", "peft"):
    sys.modules[name] = None  # as in `make demo`'s environment: the diffusion extra is not installed
from assetline.cli.main import main
sys.argv = ["assetline", *sys.argv[1:]]
main()
"""


def test_without_the_diffusion_extra_a_run_says_what_to_install_and_writes_nothing(tmp_path: Path) -> None:
    pytest.importorskip("diffusers")
    from assetline.engines.diffusion.tiny import save_tiny_sd

    ws = tmp_path / "ws"
    api.init_workspace(ws)
    save_tiny_sd(ws / "brief" / "models" / "sd15")
    campaign = ws / "brief" / "engines" / "diffusion" / "campaign.yaml"
    listed = subprocess.run([sys.executable, "-c", NO_TORCH, "engines", "--json"], capture_output=True, text=True,
                            timeout=120)
    assert listed.returncode == 0, listed.stderr  # discovery imports no torch
    result = subprocess.run([sys.executable, "-c", NO_TORCH, "run", str(campaign), "-w", str(ws)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "needs torch, diffusers and transformers" in result.stderr
    assert "assetline[diffusion]" in result.stderr.replace("\n", "") and "Traceback" not in result.stderr
    assert api.campaign_status(ws)["campaigns"] == [] and not (ws / "output").exists()

"""`assetline brand train-lora`: the happy path (JSON and text), and every bad input as one message, exit 2,
no traceback and nothing written. Trains a tiny random SD model (2 runs of 3 steps at 32×32)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

pytest.importorskip("peft")

from assetline.cli.main import app
from assetline.engines.diffusion.tiny import save_tiny_sd
from assetline.spec.common import Licence
from assetline.spec.loader import load_brand_kit

KIT = """\
id: cli-brand
name: CLI Brand
palette: [{name: navy, hex: "#14213D", role: primary}]
typography:
  headline: {file: fontpkg:inter, licence: {owner: Rasmus Andersson, name: OFL-1.1}}
  body: {file: fontpkg:inter, licence: {owner: Rasmus Andersson, name: OFL-1.1}}
imagery:
  prompt: bold light
assets:
  - id: cup
    file: cup.png
    kind: reference
    description: a cup
    licence: {owner: CLI Studio, name: work-for-hire, terms: {ai_training: true}}
  - id: astronaut
    file: astronaut.png
    licence: {owner: NASA, name: NASA-media-guidelines}
  - id: painting
    file: painting.png
    kind: protected
    licence: {owner: A Painter, name: all-rights-reserved, terms: {ai_training: true}}
"""
pytestmark = pytest.mark.filterwarnings("ignore:The configuration file of this scheduler:FutureWarning")
FAST = ["--steps", "3", "--resolution", "32", "--rank", "2", "--device", "cpu", "--learning-rate", "1e-2"]


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_tiny_sd(tmp_path_factory.mktemp("cli-lora") / "base")


@pytest.fixture
def kit(tmp_path: Path) -> Path:
    folder = tmp_path / "kit"
    folder.mkdir()
    for i, name in enumerate(("cup", "astronaut", "painting")):
        pixels = np.random.default_rng(i).integers(0, 256, (40, 48, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(folder / f"{name}.png")
    (folder / "brand.yaml").write_text(KIT, encoding="utf-8")
    return folder / "brand.yaml"


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["brand", "train-lora", *args])
    return result.exit_code, result.stdout, result.stderr


def test_json_happy_path(kit: Path, base: Path, tmp_path: Path) -> None:
    out = tmp_path / "lora"
    code, stdout, stderr = _run(str(kit), "--base", str(base), "--out", str(out), *FAST, "--json")
    assert code == 0, stderr
    report = json.loads(stdout)
    assert "step" not in stderr and "Traceback" not in stderr
    assert [u["id"] for u in report["used"]] == ["cup"]
    assert [r["id"] for r in report["refused"]] == ["astronaut", "painting"]
    assert report["steps"] == 3 and len(report["loss_curve"]) == 3 and report["device"] == "cpu"
    assert Path(report["weights"]) == out / "pytorch_lora_weights.safetensors" and Path(report["weights"]).is_file()
    assert report["snippet"]["imagery"]["lora"] == "../lora/pytorch_lora_weights.safetensors"
    Licence.model_validate(report["snippet"]["imagery"]["lora_licence"])
    assert {p.name for p in out.iterdir()} == {"pytorch_lora_weights.safetensors", "licence.yaml",
                                               "training-card.json", "TRAINING-CARD.md"}


def test_text_happy_path_defaults_to_the_kits_model(kit: Path, base: Path, tmp_path: Path) -> None:
    kit.write_text(KIT.replace("  prompt: bold light\n", f"  prompt: bold light\n  model: {base}\n"
                               "  model_licence: {owner: Tests, name: random-weights}\n"), encoding="utf-8")
    out = tmp_path / "lora"
    code, stdout, stderr = _run(str(kit), "--out", str(out), *FAST)
    assert code == 0, stderr
    assert [line.split("  loss")[0] for line in stderr.splitlines()] == ["step 1/3", "step 2/3", "step 3/3"]
    assert "Paste into brand.yaml" in stdout and "lora: ../lora/pytorch_lora_weights.safetensors" in stdout
    assert "refused astronaut: licence 'NASA-media-guidelines' (NASA) does not allow AI training" in stdout
    # The printed snippet is valid brand-kit YAML.
    snippet = stdout[stdout.index("imagery:"):]
    kit.write_text(KIT.replace("imagery:\n  prompt: bold light\n", snippet), encoding="utf-8")
    assert load_brand_kit(kit).models["lora"] == (out / "pytorch_lora_weights.safetensors").resolve()


BAD = {
    "unknown brand file": (["{tmp}/nope.yaml", "--base", "{base}"], "file not found"),
    "brand yaml error": (["{kit}", "--base", "{base}"], "not a colour"),
    "missing base": (["{kit}"], "no base model"),
    "base not a model": (["{kit}", "--base", "{kit}"], "is not a model"),
    "base folder not a model": (["{kit}", "--base", "{tmp}/kit"], "not a diffusers folder"),
    "no trainable assets": (["{kit}", "--base", "{base}"], "no asset of brand kit 'cli-brand' may be used"),
    "unknown asset id": (["{kit}", "--base", "{base}", "--assets", "cup,mug"], "has no asset(s) 'mug'"),
    "refused asset named": (["{kit}", "--base", "{base}", "--assets", "astronaut"], "'astronaut' cannot be used"),
    "existing out": (["{kit}", "--base", "{base}"], "exists and is not empty"),
    "steps 0": (["{kit}", "--base", "{base}", "--steps", "0"], "steps must be at least 1"),
    "steps negative": (["{kit}", "--base", "{base}", "--steps", "-5"], "steps must be at least 1"),
    "resolution": (["{kit}", "--base", "{base}", "--resolution", "100"], "multiple of 8"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_exits_2_with_one_message_and_writes_nothing(case: str, kit: Path, base: Path,
                                                              tmp_path: Path) -> None:
    args, expected = BAD[case]
    if case == "brand yaml error":
        kit.write_text(KIT.replace('"#14213D"', '"navy-ish"'), encoding="utf-8")
    if case == "no trainable assets":
        kit.write_text(KIT.replace("ai_training: true", "ai_training: false"), encoding="utf-8")
    out = tmp_path / "out"
    if case == "existing out":
        out.mkdir()
        (out / "keep.txt").write_text("mine", encoding="utf-8")
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    argv = [a.format(tmp=tmp_path, kit=kit, base=base) for a in args]
    # Fast defaults first: a case's own --steps/--resolution comes later and wins.
    code, stdout, stderr = _run(argv[0], "--out", str(out), "--steps", "3", "--resolution", "32", *argv[1:])
    assert code == 2, (stdout, stderr)
    assert expected in " ".join(stderr.split()), stderr
    assert stderr.count("error:") == 1 and "Traceback" not in stderr + stdout and stdout == ""
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before
    if case == "existing out":
        assert (out / "keep.txt").read_text(encoding="utf-8") == "mine"


def test_bad_input_with_json_is_a_json_error(kit: Path, base: Path, tmp_path: Path) -> None:
    code, stdout, stderr = _run(str(kit), "--base", str(base), "--out", str(tmp_path / "out"), "--assets", "mug",
                                "--json")
    assert code == 2 and stdout == ""
    payload = json.loads(stderr)
    assert payload["error"] == "NotFoundError" and "'mug'" in payload["message"] and "cup" in payload["hint"]

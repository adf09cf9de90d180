"""Brand LoRA training: which assets train it, what it writes, and that the LoRA loads and changes the output.

Trains a tiny random SD model (assetline.engines.diffusion.tiny) for 4 steps at 32×32: two runs in all.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("peft")

from assetline.engines.diffusion.tiny import save_tiny_sd
from assetline.engines.diffusion.train_data import (
    derived_terms,
    refusal_reason,
    select_training_assets,
    sha256_file,
)
from assetline.engines.diffusion.train_lora import TrainingOptions, TrainingReport, train_brand_lora
from assetline.engines.fingerprint import fingerprint
from assetline.errors import EngineError, LicenceError, NotFoundError
from assetline.spec.brand import InputAsset
from assetline.spec.common import Licence
from assetline.spec.loader import load_brand_kit

KIT = """\
id: tiny-brand
name: Tiny Brand
palette:
  - {name: navy, hex: "#14213D", role: primary}
  - {name: crema, hex: "#F7F1E5", role: background}
typography:
  headline: {file: fontpkg:inter, licence: {owner: Rasmus Andersson, name: OFL-1.1}}
  body: {file: fontpkg:inter, licence: {owner: Rasmus Andersson, name: OFL-1.1}}
imagery:
  prompt: warm light, soft background
assets:
  - id: cup
    file: cup.png
    kind: reference
    description: a coffee cup
    licence:
      owner: Tiny Brand Studio
      name: work-for-hire
      terms: {ai_training: true, channels: [instagram, web]}
      evidence: contract 42
  - id: saucer
    file: saucer.png
    kind: photo
    description: an orange saucer
    licence: {owner: Stock Inc, name: stock-standard, terms: {ai_training: true, territories: [GB, FR]}}
  - id: astronaut
    file: astronaut.png
    kind: photo
    licence: {owner: NASA, name: NASA-media-guidelines, terms: {commercial_use: false}}
  - id: painting
    file: painting.png
    kind: protected
    licence: {owner: A Painter, name: all-rights-reserved, terms: {ai_training: true}}
"""
pytestmark = pytest.mark.filterwarnings("ignore:The configuration file of this scheduler:FutureWarning")
OPTIONS = TrainingOptions(steps=4, rank=4, alpha=2.0, resolution=32, learning_rate=1e-2, seed=3, device="cpu")


def write_kit(folder: Path, text: str = KIT) -> Path:
    """The tiny kit above with its four small PNGs (distinct seeded noise, different sizes)."""
    folder.mkdir(parents=True, exist_ok=True)
    for i, (name, size) in enumerate({"cup": (40, 48), "saucer": (64, 40), "astronaut": (32, 32),
                                      "painting": (32, 32)}.items()):
        pixels = np.random.default_rng(i).integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)
        Image.fromarray(pixels).save(folder / f"{name}.png")
    (folder / "brand.yaml").write_text(text, encoding="utf-8")
    return folder / "brand.yaml"


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[TrainingReport, Path, Path]:
    """(report, base folder, kit file) of one training run, shared by the tests that only read it."""
    root = tmp_path_factory.mktemp("lora")
    base = save_tiny_sd(root / "base")
    kit = write_kit(root / "kit")
    report = train_brand_lora(load_brand_kit(kit), base, root / "kit" / "lora", OPTIONS)
    return report, base, kit


def _image(pipe: Any) -> np.ndarray:
    import torch

    out = pipe("a photo of a coffee cup", num_inference_steps=2, height=32, width=32, output_type="np",
               generator=torch.Generator().manual_seed(0))
    return np.asarray(out.images[0])


def test_lora_loads_and_changes_the_output(trained: tuple[TrainingReport, Path, Path]) -> None:
    from diffusers import StableDiffusionPipeline

    report, base, _ = trained
    assert report.weights == report.out / "pytorch_lora_weights.safetensors" and report.weights.is_file()
    pipe = StableDiffusionPipeline.from_pretrained(base, safety_checker=None, requires_safety_checker=False)
    pipe.set_progress_bar_config(disable=True)
    plain = _image(pipe)
    pipe.load_lora_weights(report.out)
    config = next(iter(pipe.unet.peft_config.values()))
    assert (config.r, config.lora_alpha) == (4, 2.0)
    assert set(config.target_modules) == {"to_q", "to_k", "to_v", "to_out.0"}
    with_lora = _image(pipe)
    assert np.abs(with_lora - plain).max() > 1e-3
    pipe.unload_lora_weights()
    assert np.allclose(_image(pipe), plain, atol=1e-6)
    pipe.load_lora_weights(str(report.weights))  # the file itself, as imagery.lora names it
    assert np.allclose(_image(pipe), with_lora, atol=1e-6)


def test_training_card_lists_data_base_and_result(trained: tuple[TrainingReport, Path, Path]) -> None:
    report, base, kit = trained
    card = json.loads(report.card_json.read_text(encoding="utf-8"))
    used = {a["id"]: a for a in card["data"]["used"]}
    assert sorted(used) == ["cup", "saucer"]
    assert used["cup"]["file"] == "cup.png" and used["cup"]["sha256"] == sha256_file(kit.parent / "cup.png")
    assert used["saucer"]["sha256"] == sha256_file(kit.parent / "saucer.png")
    assert used["cup"]["licence"] == {"name": "work-for-hire", "owner": "Tiny Brand Studio", "evidence": "contract 42"}
    refused = {r["id"]: r["reason"] for r in card["data"]["refused"]}
    assert refused == {"astronaut": "licence 'NASA-media-guidelines' (NASA) does not allow AI training",
                       "painting": "kind 'protected' is never used for training"}
    assert {c["caption"] for c in card["data"]["captions"]} == {
        "Tiny Brand, warm light, soft background, a coffee cup",
        "Tiny Brand, warm light, soft background, an orange saucer"}
    assert card["base_model"] == {"path": str(base.resolve()), "fingerprint": fingerprint(base)}
    assert card["hyper_parameters"]["rank"] == 4 and card["hyper_parameters"]["alpha"] == 2.0
    res = card["result"]
    assert res["steps"] == 4 and res["device"] == "cpu" and len(res["loss_curve"]) == 4
    assert res["loss_start"] == report.loss_start and res["loss_end"] == report.loss_end
    assert card["output"]["sha256"] == sha256_file(report.weights) == report.weights_sha256
    assert {"torch", "diffusers", "peft"} <= set(card["libraries"])
    md = report.card_md.read_text(encoding="utf-8")
    assert "astronaut: licence 'NASA-media-guidelines'" in md and used["cup"]["sha256"] in md
    assert not [p for p in report.out.parent.iterdir() if p.name.startswith(".lora.")]  # no temp folder left


def test_licence_is_the_intersection_and_pastes_into_the_kit(trained: tuple[TrainingReport, Path, Path]) -> None:
    from ruamel.yaml import YAML

    report, _, kit = trained
    licence = Licence.model_validate(YAML(typ="safe").load(report.licence_file.read_text(encoding="utf-8")))
    assert licence == report.licence
    assert licence.owner == "Tiny Brand" and licence.name == "derived brand LoRA"
    assert licence.terms.channels == ["instagram", "web"] and licence.terms.territories == ["GB", "FR"]
    assert licence.terms.commercial_use is True
    assert licence.evidence == str(report.out / "training-card.json")
    # The printed snippet, pasted into the kit, loads.
    assert report.snippet["imagery"]["lora"] == "lora/pytorch_lora_weights.safetensors"
    block = "imagery:\n  prompt: warm light, soft background\n"
    pasted = kit.read_text(encoding="utf-8").replace(block, report.snippet_yaml.replace("imagery:\n", block, 1))
    kit.with_name("pasted.yaml").write_text(pasted, encoding="utf-8")
    loaded = load_brand_kit(kit.with_name("pasted.yaml"))
    assert loaded.models["lora"] == report.weights.resolve()
    assert loaded.kit.imagery.lora_licence == licence and loaded.kit.imagery.lora_weight == 0.8


def test_same_seed_same_weights_and_force_replaces(trained: tuple[TrainingReport, Path, Path],
                                                   tmp_path: Path) -> None:
    from safetensors.torch import load_file

    report, base, kit = trained
    out = tmp_path / "again"
    out.mkdir()
    (out / "stale.txt").write_text("old", encoding="utf-8")
    with pytest.raises(EngineError, match="exists and is not empty"):
        train_brand_lora(load_brand_kit(kit), base, out, OPTIONS)
    again = train_brand_lora(load_brand_kit(kit), base, out, replace(OPTIONS, force=True))
    assert sorted(p.name for p in out.iterdir()) == [
        "TRAINING-CARD.md", "licence.yaml", "pytorch_lora_weights.safetensors", "training-card.json"]
    first, second = load_file(report.weights), load_file(again.weights)
    assert first.keys() == second.keys() and len(first) > 0
    assert all((first[k] == second[k]).all() for k in first)
    assert again.losses == report.losses
    assert again.weights_sha256 == report.weights_sha256


# Selection and inputs: no training needed.

def _asset(**licence: Any) -> InputAsset:
    terms = licence.pop("terms", {"ai_training": True})
    return InputAsset(id="x", file="x.png", licence=Licence(owner="O", name="L", terms=terms, **licence))


def test_refusal_reasons() -> None:
    today = date(2026, 6, 1)
    assert refusal_reason(_asset(), today) is None
    assert refusal_reason(_asset(valid_until=date(2025, 1, 1)), today) == "licence expired 2025-01-01"
    assert refusal_reason(_asset(valid_from=date(2027, 1, 1)), today) == "licence not valid before 2027-01-01"
    assert refusal_reason(_asset(terms={}), today) == "licence 'L' (O) does not allow AI training"
    assert refusal_reason(InputAsset(id="x", file="x.png"), today) == "no licence record"
    protected = InputAsset(id="x", file="x.png", kind="protected", licence=_asset().licence)
    assert refusal_reason(protected, today) == "kind 'protected' is never used for training"


def test_selection_errors(tmp_path: Path) -> None:
    brand = load_brand_kit(write_kit(tmp_path))
    only = select_training_assets(brand, ["saucer"])
    assert [u.id for u in only.used] == ["saucer"] and only.refused == ()
    with pytest.raises(NotFoundError, match=r"no asset.*'mug'"):
        select_training_assets(brand, ["cup", "mug"])
    with pytest.raises(LicenceError, match="'astronaut' cannot be used for training: licence 'NASA"):
        select_training_assets(brand, ["cup", "astronaut"])
    kit = write_kit(tmp_path / "none", KIT.replace("ai_training: true", "ai_training: false"))
    with pytest.raises(LicenceError) as err:
        select_training_assets(load_brand_kit(kit))
    assert "'cup': licence 'work-for-hire'" in err.value.message and "'painting': kind 'protected'" in err.value.message


def test_derived_terms_need_a_common_channel(tmp_path: Path) -> None:
    kit = write_kit(tmp_path, KIT.replace("territories: [GB, FR]", "channels: [print]"))
    used = select_training_assets(load_brand_kit(kit)).used
    with pytest.raises(LicenceError, match="no channel in common"):
        derived_terms(used)


@pytest.mark.parametrize(("change", "message"), [
    ({"steps": 0}, "steps must be at least 1"),
    ({"steps": -3}, "steps must be at least 1"),
    ({"resolution": 30}, "multiple of 8"),
    ({"rank": 0}, "rank must be at least 1"),
    ({"device": "tpu"}, "unknown device"),
    ({"caption_template": "{brand} {colour}"}, "bad caption template"),
])
def test_bad_options_write_nothing(change: dict[str, Any], message: str, tmp_path: Path) -> None:
    brand = load_brand_kit(write_kit(tmp_path / "kit"))
    with pytest.raises(EngineError, match=message):
        train_brand_lora(brand, tmp_path / "base", tmp_path / "out", replace(OPTIONS, **change))
    assert not (tmp_path / "out").exists()


def test_bad_base(tmp_path: Path) -> None:
    brand = load_brand_kit(write_kit(tmp_path / "kit"))
    (tmp_path / "folder").mkdir()
    (tmp_path / "notes.txt").write_text("hi", encoding="utf-8")
    for base, message in ((None, "no base model"), (tmp_path / "folder", "not a diffusers folder"),
                          (tmp_path / "notes.txt", "is not a model"), (tmp_path / "nope", "base model not found")):
        with pytest.raises(EngineError, match=message):
            train_brand_lora(brand, base, tmp_path / "out", OPTIONS)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder", "kit", "notes.txt"]

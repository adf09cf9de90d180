"""Settings validation, models() fingerprints, and the import boundary (no torch on import)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from assetline.engines.base import engine_trait
from assetline.engines.diffusion.engine import DiffusionVisualEngine
from assetline.engines.diffusion.settings import DiffusionSettings
from assetline.errors import EngineError


def test_module_imports_without_torch() -> None:
    code = ("import sys; import assetline.engines.diffusion.engine; "
            "assert 'torch' not in sys.modules and 'diffusers' not in sys.modules, 'heavy import'")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_traits() -> None:
    assert DiffusionVisualEngine.id == "diffusion" and DiffusionVisualEngine.modality == "visual"
    for trait in ("trained", "uses_segment", "uses_layout"):
        assert engine_trait(DiffusionVisualEngine, trait) is True
    assert engine_trait(DiffusionVisualEngine, "settings_model") is DiffusionSettings
    assert {"model", "lora", "controlnet"} <= set(engine_trait(DiffusionVisualEngine, "path_fields"))


@pytest.mark.parametrize(("fields", "message"), [
    ({"layout_guidance": "controlnet"}, "layout_guidance 'controlnet' needs 'controlnet: <ControlNet folder>'"),
    ({"controlnet": "cn"}, "'controlnet' is set but layout_guidance is 'mask'"),
    ({"model_type": "flux"}, "model_type 'flux' cannot keep reserved areas calm with masks"),
    ({"model_type": "flux", "layout_guidance": "controlnet", "controlnet": "cn"}, "does not support controlnet"),
    ({"steps": 0}, "greater than or equal to 1"),
    ({"scheduler": "fancy"}, "Input should be 'ddim'"),
    ({"stepz": 3}, "Extra inputs are not permitted"),
])
def test_bad_settings(fields: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        DiffusionSettings(model="m", **fields)  # type: ignore[arg-type]


def test_defaults() -> None:
    s = DiffusionSettings(model="m")
    assert (s.lora_weight, s.controlnet_scale, s.layout_guidance, s.steps, s.guidance, s.batch_size) == (
        0.8, 1.0, "mask", 30, 7.0, 1)
    assert s.resolution is None and s.device == "auto" and s.dtype == "auto"


def test_models_fingerprints_change_with_the_lora_file(tmp_path: Path) -> None:
    model = tmp_path / "sd"
    model.mkdir()
    (model / "model_index.json").write_text('{"_class_name": "StableDiffusionPipeline"}', encoding="utf-8")
    lora = tmp_path / "brand.safetensors"
    lora.write_bytes(b"weights v1")
    licence = {"owner": "Orbit", "name": "proprietary"}
    engine = DiffusionVisualEngine()
    settings = DiffusionSettings(model=str(model), lora=str(lora), lora_weight=0.6, lora_licence=licence)
    base, ref = engine.models(settings)
    assert base.role == "base" and base.title == "sd" and len(base.sha256) == 64
    assert (ref.role, ref.title, ref.weight, ref.licence) == ("lora", "brand.safetensors", 0.6, licence)
    lora.write_bytes(b"weights v2, retrained")
    base2, ref2 = engine.models(settings)
    assert ref2.sha256 != ref.sha256 and base2.sha256 == base.sha256


def test_models_errors(tmp_path: Path) -> None:
    engine = DiffusionVisualEngine()
    with pytest.raises(FileNotFoundError, match="diffusion model not found"):
        engine.models(DiffusionSettings(model=str(tmp_path / "missing")))
    with pytest.raises(EngineError, match="is not a diffusers model folder"):
        engine.models(DiffusionSettings(model=str(tmp_path)))
    (tmp_path / "model_index.json").write_text("{}", encoding="utf-8")
    with pytest.raises(FileNotFoundError, match="LoRA not found"):
        engine.models(DiffusionSettings(model=str(tmp_path), lora=str(tmp_path / "x.safetensors")))
    with pytest.raises(FileNotFoundError, match="ControlNet not found"):
        engine.models(DiffusionSettings(model=str(tmp_path), controlnet=str(tmp_path / "cn"),
                                        layout_guidance="controlnet"))
    other = tmp_path / "model.bin"
    other.write_bytes(b"x")
    with pytest.raises(EngineError, match=r"neither a diffusers folder nor a \.safetensors/\.ckpt checkpoint"):
        engine.models(DiffusionSettings(model=str(other)))


def test_models_with_controlnet(tiny_sd: Path, tiny_controlnet: Path) -> None:
    refs = DiffusionVisualEngine().models(DiffusionSettings(model=str(tiny_sd), controlnet=str(tiny_controlnet),
                                                            controlnet_scale=0.7, layout_guidance="controlnet"))
    assert [r.role for r in refs] == ["base", "controlnet"] and refs[1].weight == 0.7

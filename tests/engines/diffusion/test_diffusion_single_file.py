"""Single-file checkpoints (.safetensors/.ckpt) loaded with ``from_single_file``, offline.

diffusers reads a single file with the component configs of a diffusers folder of the same architecture
(``single_file_config``, or the reference repo when it is already in the local Hugging Face cache). A positive
round trip needs a checkpoint in the original (LDM) weight layout; diffusers ships no diffusers → LDM converter,
so these tests cover family detection and the clear errors, offline.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assetline.engines.base import VisualRequest
from assetline.engines.diffusion.loader import detect_model_type
from assetline.errors import EngineError


def write_checkpoint(path: Path, prefixes: list[str]) -> Path:
    import torch
    from safetensors.torch import save_file

    save_file({f"{p}weight": torch.zeros(2) for p in prefixes}, str(path))
    return path


def test_family_is_guessed_from_weight_names(tmp_path: Path, tiny_sd: Path) -> None:
    sd = write_checkpoint(tmp_path / "sd.safetensors", ["model.diffusion_model.input_blocks.0.0."])
    xl = write_checkpoint(tmp_path / "xl.safetensors", ["model.diffusion_model.x.", "conditioner.embedders.1.m."])
    flux = write_checkpoint(tmp_path / "flux.safetensors", ["double_blocks.0.img_attn."])
    odd = write_checkpoint(tmp_path / "odd.safetensors", ["something."])
    assert [detect_model_type(p, "auto") for p in (sd, xl, flux)] == ["sd15", "sdxl", "flux"]
    assert detect_model_type(odd, "sdxl") == "sdxl"
    with pytest.raises(EngineError, match="cannot tell which model family"):
        detect_model_type(odd, "auto")
    assert detect_model_type(tiny_sd, "auto") == "sd15"


def test_single_file_without_configs_is_a_clear_error(engine: Any, make_request: Callable[..., VisualRequest],
                                                     settings: Callable[..., Any], tmp_path: Path) -> None:
    ckpt = write_checkpoint(tmp_path / "model.safetensors", ["model.diffusion_model.input_blocks.0.0."])
    with pytest.raises(EngineError, match="is not in the local Hugging Face cache") as info:
        engine.generate(make_request(cfg=settings(model=str(ckpt))))
    assert "single_file_config" in (info.value.hint or "")


def test_single_file_with_config_but_bad_weights_names_the_path(
        engine: Any, make_request: Callable[..., VisualRequest], settings: Callable[..., Any], tmp_path: Path,
        tiny_sd: Path) -> None:
    ckpt = write_checkpoint(tmp_path / "broken.safetensors", ["model.diffusion_model.input_blocks.0.0."])
    with pytest.raises(EngineError, match=f"cannot load the diffusion model {ckpt}"):
        engine.generate(make_request(cfg=settings(model=str(ckpt), single_file_config=str(tiny_sd))))
    with pytest.raises(EngineError, match="single_file_config folder not found"):
        engine.generate(make_request(cfg=settings(model=str(ckpt), single_file_config=str(tmp_path / "none"))))

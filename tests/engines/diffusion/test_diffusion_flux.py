"""The diffusion engine on a tiny random Flux model (CLIP + T5 text encoders, FluxTransformer2DModel, flow-matching
Euler), CPU, 64-px images, 2 steps: text-to-image works; masks, outpainting and ControlNet are refused clearly."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assetline.engines.base import VisualRequest
from assetline.engines.diffusion.settings import DiffusionSettings
from assetline.errors import EngineError

Make = Callable[..., VisualRequest]


@pytest.fixture(scope="module")
def tiny_flux(models_dir: Path) -> Path:
    from assetline.engines.diffusion.tiny import save_tiny_flux

    return save_tiny_flux(models_dir / "tiny-flux", seed=0)


@pytest.fixture(scope="module")
def flux(tiny_flux: Path) -> Callable[..., DiffusionSettings]:
    def make(**overrides: Any) -> DiffusionSettings:
        return DiffusionSettings(**{"model": str(tiny_flux), "steps": 2, "resolution": 64, **overrides})

    return make


def test_flux_txt2img_is_deterministic_and_exact_size(engine: Any, make_request: Make,
                                                      flux: Callable[..., DiffusionSettings]) -> None:
    calls: list[tuple[int, int]] = []
    request = make_request(width=96, height=64, seed=5, cfg=flux(), progress=lambda d, t: calls.append((d, t)))
    first, second = engine.generate(request), engine.generate(request)
    assert first.image.mode == "RGB" and first.image.size == (96, 64)
    assert np.array_equal(np.asarray(first.image), np.asarray(second.image))
    other = engine.generate(make_request(width=96, height=64, seed=6, cfg=flux()))
    assert not np.array_equal(np.asarray(first.image), np.asarray(other.image))
    meta = first.metadata
    assert meta["model_type"] == "flux" and meta["mode"] == "txt2img" and meta["negative_prompt"] is None
    assert meta["size_generated"] == [64, 48]  # multiples of 16: Flux packs 2 × 2 latent patches
    assert calls[:2] == [(1, 2), (2, 2)]


def test_flux_refuses_masks_outpainting_and_controlnet(engine: Any, make_request: Make,
                                                       flux: Callable[..., DiffusionSettings],
                                                       tiny_controlnet: Path) -> None:
    with pytest.raises(EngineError, match="Flux models cannot keep reserved areas calm or outpaint") as info:
        engine.generate(make_request(seed=1, reserved=((0, 0, 32, 16),), cfg=flux()))
    assert "layout_guidance: none" in (info.value.hint or "")
    with pytest.raises(EngineError, match="Flux models cannot keep reserved areas calm or outpaint"):
        engine.generate(make_request(seed=1, style="photo", cfg=flux(layout_guidance="none")))
    with pytest.raises(EngineError, match="does not support ControlNet with Flux"):
        engine.generate(make_request(seed=1, cfg=flux(layout_guidance="controlnet", controlnet=str(tiny_controlnet))))
    # layout_guidance none: the boxes are ignored and the image is generated
    free = engine.generate(make_request(seed=1, reserved=((0, 0, 32, 16),), cfg=flux(layout_guidance="none")))
    assert free.image.size == (64, 64) and free.metadata["reserved"] == []

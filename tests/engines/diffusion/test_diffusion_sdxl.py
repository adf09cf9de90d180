"""The diffusion engine on a tiny random SDXL model (two CLIP text encoders, a ``text_time`` UNet, Euler), CPU,
64-px images, 2 steps: the same contract as on SD 1.5 (test_diffusion_engine.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from assetline.engines.base import VisualRequest
from assetline.engines.diffusion.layout import scaled_photo
from assetline.engines.diffusion.settings import DiffusionSettings
from assetline.engines.fingerprint import fingerprint
from assetline.engines.visual.photo import load_photo

Make = Callable[..., VisualRequest]


@pytest.fixture(scope="module")
def tiny_sdxl(models_dir: Path) -> Path:
    from assetline.engines.diffusion.tiny import save_tiny_sdxl

    return save_tiny_sdxl(models_dir / "tiny-sdxl", seed=0)


@pytest.fixture(scope="module")
def sdxl_lora(tiny_sdxl: Path, models_dir: Path) -> Path:
    from assetline.engines.diffusion.tiny import save_tiny_lora

    return save_tiny_lora(tiny_sdxl, models_dir / "brand-lora-xl.safetensors", seed=1)


@pytest.fixture(scope="module")
def xl(tiny_sdxl: Path) -> Callable[..., DiffusionSettings]:
    def make(**overrides: Any) -> DiffusionSettings:
        return DiffusionSettings(**{"model": str(tiny_sdxl), "steps": 2, "resolution": 64, **overrides})

    return make


def pixels(image: Image.Image) -> np.ndarray:
    return np.asarray(image, dtype=np.int16)


def busyness(region: np.ndarray) -> float:
    """Mean absolute difference between neighbouring pixels (rows and columns)."""
    a = region.astype(np.float64)
    return float(np.abs(np.diff(a, axis=0)).mean() + np.abs(np.diff(a, axis=1)).mean())


def test_sdxl_is_detected_and_txt2img_is_deterministic(engine: Any, make_request: Make,
                                                       xl: Callable[..., DiffusionSettings]) -> None:
    request = make_request(width=96, height=64, seed=5, cfg=xl())
    first, second = engine.generate(request), engine.generate(request)
    assert first.image.mode == "RGB" and first.image.size == (96, 64)
    assert np.array_equal(pixels(first.image), pixels(second.image))
    other = engine.generate(make_request(width=96, height=64, seed=6, cfg=xl()))
    assert not np.array_equal(pixels(first.image), pixels(other.image))
    meta = first.metadata
    assert meta["model_type"] == "sdxl" and meta["mode"] == "txt2img"
    assert meta["size_generated"] == [64, 40] and meta["scheduler"] == "EulerDiscreteScheduler"
    assert meta["prompt_tokens"] > 0  # counted with the CLIP tokenizers


def test_sdxl_keeps_reserved_boxes_calm(engine: Any, make_request: Make, xl: Callable[..., DiffusionSettings]) -> None:
    box = (0, 32, 64, 64)
    # calm_strength 0: nothing is pasted after decoding, so the calm comes from the blended latents alone
    blended = engine.generate(make_request(seed=3, reserved=(box,), cfg=xl(calm_strength=0.0)))
    arr = pixels(blended.image)
    inside, outside = busyness(arr[40:]), busyness(arr[:24])  # both away from the feather
    assert inside < 0.25 * outside, (inside, outside)
    assert blended.metadata["calm"]["blend_steps"] == 1
    free = engine.generate(make_request(seed=3, reserved=(box,), cfg=xl(layout_guidance="none")))
    assert busyness(pixels(free.image)[40:]) > 4 * inside
    # the default also composites the plate back: each row inside the box is flat
    plated = pixels(engine.generate(make_request(seed=3, reserved=(box,), cfg=xl())).image)
    assert plated[box[1]:, :].astype(np.float64).std(axis=1).mean() < 1


def test_sdxl_outpaint_keeps_the_source_pixels(engine: Any, make_request: Make, demo: Any,
                                               xl: Callable[..., DiffusionSettings]) -> None:
    result = engine.generate(make_request(width=64, height=96, seed=4, style="photo", reserved=((0, 0, 64, 20),),
                                          cfg=xl()))
    assert result.metadata["mode"] == "outpaint" and result.image.size == (64, 96)
    left, top, right, bottom = result.metadata["photo_box"]
    assert top >= 20
    expected = pixels(scaled_photo(load_photo(demo.files["skimage:coffee.png"]), (left, top, right, bottom)))
    assert np.array_equal(pixels(result.image)[top:bottom, left:right], expected)
    assert pixels(result.image)[bottom + 4:].std() > 5


def test_sdxl_lora_on_off_and_weight_zero(engine: Any, make_request: Make, xl: Callable[..., DiffusionSettings],
                                          sdxl_lora: Path) -> None:
    off = engine.generate(make_request(seed=2, cfg=xl()))
    on = engine.generate(make_request(seed=2, cfg=xl(lora=str(sdxl_lora), lora_weight=1.0)))
    zero = engine.generate(make_request(seed=2, cfg=xl(lora=str(sdxl_lora), lora_weight=0.0)))
    off_again = engine.generate(make_request(seed=2, cfg=xl()))
    assert np.abs(pixels(off.image) - pixels(on.image)).max() > 8
    # weight 0 switches the adapter off: exactly what the model gives with the adapter loaded and disabled, and
    # within 1/255 of the model before any LoRA was loaded (the CPU matmul rounds the last bit differently once
    # peft has wrapped the attention layers; the same tolerance as batching)
    assert np.array_equal(pixels(zero.image), pixels(off_again.image))
    assert np.abs(pixels(off.image) - pixels(zero.image)).max() <= 1
    assert on.metadata["lora"] == sdxl_lora.name and on.metadata["lora_weight"] == 1.0


def test_sdxl_batched_equals_one_by_one(engine: Any, make_request: Make, xl: Callable[..., DiffusionSettings]) -> None:
    cfg = xl(batch_size=4)
    requests = [make_request(width=96, height=64, seed=s, cfg=cfg, reserved=((0, 0, 40, 20),) if s % 2 else ())
                for s in range(3)]
    batched = engine.generate_batch(requests)
    single = [engine.generate(r) for r in requests]
    for b, s in zip(batched, single, strict=True):
        assert np.abs(pixels(b.image) - pixels(s.image)).max() <= 1
        assert b.metadata == s.metadata


def test_sdxl_progress_once_per_step(engine: Any, make_request: Make, xl: Callable[..., DiffusionSettings]) -> None:
    calls: list[tuple[int, int]] = []
    engine.generate(make_request(seed=1, cfg=xl(steps=3), progress=lambda d, t: calls.append((d, t))))
    assert calls == [(1, 3), (2, 3), (3, 3)]


def test_sdxl_models_lists_the_fingerprinted_base(engine: Any, tiny_sdxl: Path, sdxl_lora: Path,
                                                  xl: Callable[..., DiffusionSettings]) -> None:
    refs = engine.models(xl(lora=str(sdxl_lora)))
    assert [r.role for r in refs] == ["base", "lora"]
    assert refs[0].title == tiny_sdxl.name and refs[0].sha256 == fingerprint(tiny_sdxl)
    assert refs[1].sha256 == fingerprint(sdxl_lora)


def test_sdxl_controlnet(engine: Any, make_request: Make, xl: Callable[..., DiffusionSettings], tiny_sdxl: Path,
                         models_dir: Path) -> None:
    from assetline.engines.diffusion.tiny import save_tiny_controlnet

    controlnet = save_tiny_controlnet(tiny_sdxl, models_dir / "tiny-controlnet-xl", seed=1)
    box = (0, 0, 32, 32)
    base = engine.generate(make_request(seed=7, reserved=(box,), cfg=xl(layout_guidance="none")))
    cfg = xl(layout_guidance="controlnet", controlnet=str(controlnet), controlnet_scale=1.0)
    cn = engine.generate(make_request(seed=7, reserved=(box,), cfg=cfg))
    assert not np.array_equal(pixels(base.image), pixels(cn.image))
    assert cn.metadata["controlnet"] == controlnet.name and cn.metadata["model_type"] == "sdxl"
    assert np.array_equal(pixels(cn.image), pixels(engine.generate(make_request(seed=7, reserved=(box,),
                                                                                 cfg=cfg)).image))

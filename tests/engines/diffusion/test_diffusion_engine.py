"""The diffusion engine end to end on a tiny random SD model (CPU, 64-px images, 3 steps)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from assetline.engines.base import VisualRequest
from assetline.engines.diffusion.layout import scaled_photo
from assetline.engines.visual.photo import load_photo
from assetline.spec.campaign import Segment

Make = Callable[..., VisualRequest]


def pixels(image: Image.Image) -> np.ndarray:
    return np.asarray(image, dtype=np.int16)


def test_generate_is_deterministic_rgb_and_exact_size(engine: Any, make_request: Make) -> None:
    request = make_request(width=96, height=64, seed=5)
    first, second = engine.generate(request), engine.generate(request)
    assert first.image.mode == "RGB" and first.image.size == (96, 64)
    assert np.array_equal(pixels(first.image), pixels(second.image))
    other = engine.generate(make_request(width=96, height=64, seed=6))
    assert not np.array_equal(pixels(first.image), pixels(other.image))
    meta = first.metadata
    assert meta["mode"] == "txt2img" and meta["size_generated"] == [64, 40]
    assert meta["steps"] == 3 and meta["device"] == "cpu" and meta["dtype"] == "float32"
    assert meta["prompt"].startswith("a warm coffee cup")
    assert "watermark" in meta["negative_prompt"]


def test_segment_changes_the_prompt_and_the_image(engine: Any, make_request: Make) -> None:
    plain = engine.generate(make_request(seed=1))
    seg = Segment(id="berlin", city="Berlin", audience="cyclists")
    local = engine.generate(make_request(seed=1, segment=seg))
    assert "Berlin" in local.metadata["prompt"] + " ".join(local.metadata["prompt_dropped"])
    assert local.metadata["prompt"] != plain.metadata["prompt"] or local.metadata["prompt_dropped"]


def test_lora_on_off_and_weight_zero(engine: Any, make_request: Make, settings: Callable[..., Any],
                                     lora_file: Path) -> None:
    off = engine.generate(make_request(seed=2))
    on = engine.generate(make_request(seed=2, cfg=settings(lora=str(lora_file), lora_weight=1.0)))
    half = engine.generate(make_request(seed=2, cfg=settings(lora=str(lora_file), lora_weight=0.5)))
    zero = engine.generate(make_request(seed=2, cfg=settings(lora=str(lora_file), lora_weight=0.0)))
    off_again = engine.generate(make_request(seed=2))
    assert not np.array_equal(pixels(off.image), pixels(on.image))
    assert not np.array_equal(pixels(on.image), pixels(half.image))
    assert np.array_equal(pixels(off.image), pixels(zero.image))
    assert np.array_equal(pixels(off.image), pixels(off_again.image))
    assert on.metadata["lora"] == lora_file.name and on.metadata["lora_weight"] == 1.0
    # switching LoRA and weight never reloaded the base model
    assert len(engine._cache._warm) == 1


def test_mask_keeps_reserved_boxes_calm(engine: Any, make_request: Make) -> None:
    box = (8, 40, 88, 60)
    result = engine.generate(make_request(width=96, height=64, seed=3, reserved=(box,)))
    arr = pixels(result.image).astype(np.float64)
    inside = arr[box[1]:box[3], box[0]:box[2]]
    outside = arr[:30]  # well away from the box and its feather
    # per-row spread: the plate is a vertical gradient, so each row inside the box is flat
    ratio = inside.std(axis=1).mean() / outside.std(axis=1).mean()
    assert ratio < 0.05, ratio
    meta = result.metadata
    assert meta["reserved"] == [list(box)] and meta["layout_guidance"] == "mask"
    assert meta["calm"]["blend_steps"] == 2
    free = engine.generate(make_request(width=96, height=64, seed=3, reserved=(box,),
                                        cfg=_with(make_request, layout_guidance="none")))
    inside_free = pixels(free.image).astype(np.float64)[box[1]:box[3], box[0]:box[2]]
    assert inside_free.std(axis=1).mean() > 10 * inside.std(axis=1).mean()
    assert free.metadata["reserved"] == []


def _with(make_request: Make, **overrides: Any) -> Any:
    return make_request().settings.model_copy(update=overrides)


def test_outpaint_keeps_the_source_pixels_uncropped(engine: Any, make_request: Make, demo: Any) -> None:
    request = make_request(width=64, height=96, seed=4, style="photo", reserved=((0, 0, 64, 20),))
    result = engine.generate(request)
    meta = result.metadata
    assert meta["mode"] == "outpaint" and result.image.size == (64, 96)
    left, top, right, bottom = meta["photo_box"]
    source = load_photo(demo.files["skimage:coffee.png"])
    # not cropped: the box has the photo's aspect ratio and lies inside the canvas
    assert 0 <= left < right <= 64 and 0 <= top < bottom <= 96
    assert abs((right - left) / (bottom - top) - source.width / source.height) < 0.05
    # the exact scaled source pixels
    expected = pixels(scaled_photo(source, (left, top, right, bottom)))
    assert np.array_equal(pixels(result.image)[top:bottom, left:right], expected)
    # placed away from the reserved strip at the top
    assert top >= 20
    # the surroundings were generated, not a flat fill
    assert pixels(result.image)[bottom + 4:].std() > 5


def test_controlnet_mode_differs_from_base(engine: Any, make_request: Make, settings: Callable[..., Any],
                                           tiny_controlnet: Path) -> None:
    box = (0, 0, 32, 32)
    base = engine.generate(make_request(seed=7, reserved=(box,), cfg=settings(layout_guidance="none")))
    cn = engine.generate(make_request(seed=7, reserved=(box,), cfg=settings(
        layout_guidance="controlnet", controlnet=str(tiny_controlnet), controlnet_scale=1.0)))
    assert not np.array_equal(pixels(base.image), pixels(cn.image))
    assert cn.metadata["controlnet"] == tiny_controlnet.name and cn.metadata["controlnet_scale"] == 1.0
    again = engine.generate(make_request(seed=7, reserved=(box,), cfg=settings(
        layout_guidance="controlnet", controlnet=str(tiny_controlnet), controlnet_scale=1.0)))
    assert np.array_equal(pixels(cn.image), pixels(again.image))


def test_batched_equals_one_by_one(engine: Any, make_request: Make, settings: Callable[..., Any]) -> None:
    cfg = settings(batch_size=4)
    requests = [make_request(width=96, height=64, seed=s, cfg=cfg, reserved=((0, 0, 40, 20),) if s % 2 else ())
                for s in range(3)]
    requests.append(make_request(width=64, height=64, seed=9, cfg=cfg))  # another size: its own call
    batched = engine.generate_batch(requests)
    single = [engine.generate(r) for r in requests]
    assert [r.image.size for r in batched] == [(96, 64)] * 3 + [(64, 64)]
    for b, s in zip(batched, single, strict=True):
        diff = np.abs(pixels(b.image) - pixels(s.image)).max()
        assert diff <= 1, diff
        assert b.metadata == s.metadata


def test_progress_is_called_once_per_step(engine: Any, make_request: Make, settings: Callable[..., Any]) -> None:
    calls: list[tuple[int, int]] = []
    engine.generate(make_request(seed=1, cfg=settings(steps=3), progress=lambda d, t: calls.append((d, t))))
    assert calls == [(1, 3), (2, 3), (3, 3)]


def test_scheduler_switch(engine: Any, make_request: Make, settings: Callable[..., Any]) -> None:
    ddim = engine.generate(make_request(seed=1))
    euler = engine.generate(make_request(seed=1, cfg=settings(scheduler="euler")))
    assert euler.metadata["scheduler"] == "euler" and ddim.metadata["scheduler"] == "DDIMScheduler"
    assert not np.array_equal(pixels(ddim.image), pixels(euler.image))
    # blending works with sigma-space schedulers too
    boxed = engine.generate(make_request(seed=1, reserved=((0, 40, 64, 64),), cfg=settings(scheduler="dpm++")))
    assert pixels(boxed.image)[40:].std(axis=1).mean() < 2


def test_missing_model_and_non_diffusers_folder(engine: Any, make_request: Make, settings: Callable[..., Any],
                                                tmp_path: Path) -> None:
    from assetline.errors import EngineError

    with pytest.raises(FileNotFoundError, match="diffusion model not found"):
        engine.generate(make_request(cfg=settings(model=str(tmp_path / "nope"))))
    (tmp_path / "empty").mkdir()
    with pytest.raises(EngineError, match="is not a diffusers model folder"):
        engine.generate(make_request(cfg=settings(model=str(tmp_path / "empty"))))
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "model_index.json").write_text('{"_class_name": "StableDiffusionPipeline"}', encoding="utf-8")
    with pytest.raises(EngineError, match=f"cannot load the diffusion model {broken}"):
        engine.generate(make_request(cfg=settings(model=str(broken))))
    with pytest.raises(EngineError, match="needs settings naming a model"):
        engine.generate(make_request().__class__(**{**make_request().__dict__, "settings": None}))


def test_bad_lora_is_an_engine_error(engine: Any, make_request: Make, settings: Callable[..., Any],
                                     tmp_path: Path) -> None:
    from assetline.errors import EngineError

    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"not a safetensors file")
    with pytest.raises(EngineError, match="cannot apply the LoRA"):
        engine.generate(make_request(cfg=settings(lora=str(bad))))
    with pytest.raises(EngineError, match="LoRA not found"):
        engine.generate(make_request(cfg=settings(lora=str(tmp_path / "missing.safetensors"))))
    # the engine still works afterwards
    assert engine.generate(make_request()).image.size == (64, 64)

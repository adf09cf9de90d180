"""The pure helpers: prompt text, render size, the outpainting canvas and mask."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from comfyui_kit import SEGMENT
from PIL import Image

from assetline.engines.comfyui.canvas import outpaint_canvas
from assetline.engines.comfyui.engine import render_size
from assetline.engines.comfyui.prompt import build_prompt, negative_prompt
from assetline.spec.campaign import Concept, Segment
from assetline.spec.loader import LoadedBrand


def _concept(prompt: str) -> Concept:
    return Concept.model_validate({"id": "c", "copy": {"headline": ["Hi"]},
                                   "visual": {"style": "mesh", "prompt": prompt}})


def test_prompt_parts_in_order(demo: LoadedBrand) -> None:
    kit = demo.kit
    assert build_prompt(_concept("a nebula, "), kit, SEGMENT) == (
        "a nebula, warm editorial product photography, soft daylight, deep navy accents, "
        "for commuters 25-40, in London")
    assert build_prompt(_concept(""), kit, None) == kit.imagery.prompt
    assert build_prompt(_concept("x"), kit, Segment(id="s", city="دبي")) == f"x, {kit.imagery.prompt}, in دبي"
    bare = kit.model_copy(update={"imagery": kit.imagery.model_copy(update={"prompt": ""})})
    assert build_prompt(_concept(""), bare, Segment(id="s")) == ""
    assert negative_prompt(kit) == ""


def test_render_size() -> None:
    assert render_size(1080, 1350, None, 8) == (1080, 1352)
    assert render_size(1080, 1920, 768, 8) == (432, 768)
    assert render_size(320, 50, 768, 64) == (320, 64)
    assert render_size(3, 2, None, 8) == (8, 8)


def test_canvas_fits_the_photo_off_the_reserved_boxes(tmp_path: Path) -> None:
    photo = tmp_path / "p.png"
    Image.new("RGB", (20, 10), (200, 10, 10)).save(photo)
    canvas = outpaint_canvas(photo, 40, 60, fill=0.5, background=(1, 2, 3))
    assert canvas.photo_box == (10, 25, 30, 35)  # centred, 20 × 10 (half the width)
    px = np.asarray(canvas.image)
    assert tuple(px[0, 0]) == (1, 2, 3) and tuple(px[30, 20]) == (200, 10, 10)
    mask = np.asarray(canvas.mask)
    assert (mask[25:35, 10:30] == 0).all() and mask.sum() == 255 * (40 * 60 - 200)

    blocked = outpaint_canvas(photo, 40, 60, fill=0.5, reserved=((0, 20, 40, 40),))
    assert blocked.photo_box == (10, 0, 30, 10)  # the first free position: top centre
    second = outpaint_canvas(photo, 40, 60, fill=0.5, reserved=((0, 20, 40, 40),), variation=1)
    assert second.photo_box not in (blocked.photo_box, None)


def test_canvas_reserved_level_and_no_photo() -> None:
    canvas = outpaint_canvas(None, 30, 20, reserved=((0, 0, 10, 10),), reserved_level=0.0)
    mask = np.asarray(canvas.mask)
    assert canvas.photo_box is None
    assert (mask[:10, :10] == 0).all() and (mask[10:, :] == 255).all() and (mask[:, 10:] == 255).all()
    assert (np.asarray(outpaint_canvas(None, 30, 20, reserved=((0, 0, 10, 10),)).mask) == 255).all()

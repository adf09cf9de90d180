"""Layout helpers: masks, the calm plate, photo placement and the exact paste (numpy/Pillow only)."""

from __future__ import annotations

import numpy as np
from PIL import Image

from assetline.engines.diffusion import layout
from assetline.engines.diffusion.plan import generation_size


def test_generation_size_keeps_aspect_in_multiples_of_8() -> None:
    assert generation_size(1080, 1920, 512) == (288, 512)
    assert generation_size(1200, 628, 1024) == (1024, 536)
    assert generation_size(96, 64, 64) == (64, 40)
    assert generation_size(320, 50, 64) == (64, 8)


def test_soft_box_mask_is_one_inside_and_feathered_outside() -> None:
    mask = layout.soft_box_mask(40, 30, [(10, 10, 20, 20)], feather=5)
    assert (mask[10:20, 10:20] == 1).all()
    assert mask[15, 22] > 0 and mask[15, 22] < 1 and mask[15, 26] == 0
    hard = layout.soft_box_mask(40, 30, [(10, 10, 20, 20)], feather=0)
    assert hard.sum() == 100


def test_plate_is_a_vertical_gradient_of_the_palette() -> None:
    plate = np.asarray(layout.calm_plate(8, 10, (0, 0, 0), (90, 90, 90)), np.int16)
    assert (plate[0] == 0).all() and (plate[-1] == 90).all()
    assert (plate.std(axis=1) == 0).all() and (np.diff(plate[:, 0, 0]) >= 0).all()


def test_place_photo_contains_and_avoids_reserved() -> None:
    box = layout.place_photo((600, 400), 64, 96, [(0, 0, 64, 20)], fill=1.0)
    assert box[2] - box[0] == 64 and box[1] >= 20 and box[3] <= 96
    centred = layout.place_photo((600, 400), 64, 96, [], fill=0.5)
    assert centred == (16, 38, 48, 59)  # 32 × 21, centred


def test_paste_photo_is_exact_inside_and_feathered_outside() -> None:
    rng = np.random.default_rng(0)
    photo = Image.fromarray(rng.integers(0, 255, (30, 40, 3), dtype=np.uint8))
    canvas = Image.new("RGB", (60, 50), (0, 0, 0))
    box = (10, 10, 30, 25)
    out = np.asarray(layout.paste_photo(canvas, photo, box, feather=4))
    assert np.array_equal(out[10:25, 10:30], np.asarray(layout.scaled_photo(photo, box)))
    assert out[17, 31].any() and not out[17, 36].any()


def test_control_image_marks_the_boxes() -> None:
    img = np.asarray(layout.control_image(20, 10, [(0, 0, 5, 5), (18, 8, 30, 30)]))
    assert (img[:5, :5] == layout.WALL).all() and (img[8:, 18:] == layout.WALL).all()
    assert not img[6:, :10].any()

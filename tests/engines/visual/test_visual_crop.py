"""Smart crop keeps the subject: the astronaut's face, the coffee cup, at any aspect ratio."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from skimage import data, feature

from assetline.engines.base import Box, VisualRequest
from assetline.engines.visual import ProceduralVisualEngine
from assetline.engines.visual.crop import PhotoAnalysis, analyse, best_window, plan_crop
from assetline.engines.visual.faces import FaceDetector

MakeRequest = Callable[..., VisualRequest]
RATIOS = {"9:16": (1080, 1920), "1.91:1": (1200, 628), "8:1": (728, 90), "1:1": (1080, 1080)}
CUP = (180, 25, 400, 200)
"""The cup (rim, body and handle, not the saucer) in skimage's 600 × 400 coffee.png."""


def inside(inner: Box | tuple[float, ...], outer: Box | tuple[float, ...], slack: float = 1.0) -> bool:
    return (inner[0] >= outer[0] - slack and inner[1] >= outer[1] - slack and inner[2] <= outer[2] + slack
            and inner[3] <= outer[3] + slack)


@pytest.fixture(scope="module")
def astronaut_face() -> Box:
    """The face, found by scikit-image's own LBP cascade (independently of the engine's detector)."""
    cascade = feature.Cascade(data.lbp_frontal_face_cascade_filename())
    found = cascade.detect_multi_scale(img=data.astronaut() / 255.0, scale_factor=1.2, step_ratio=1,
                                       min_size=(60, 60), max_size=(160, 160))
    assert found, "the cascade should find the astronaut's face"
    d = max(found, key=lambda f: f["width"])
    face = (int(d["c"]), int(d["r"]), int(d["c"] + d["width"]), int(d["r"] + d["height"]))
    # Sanity: the face sits roughly at x 170–290, y 60–200.
    assert inside(face, (160, 50, 300, 210)), face
    return face


def test_detector_finds_the_face_and_nothing_in_the_still_lifes(photo_path: Callable[[str], Path],
                                                                astronaut_face: Box) -> None:
    detector = FaceDetector()
    faces = detector.detect(Image.open(photo_path("astronaut.png")))
    assert len(faces) == 1
    overlap = _iou(faces[0], astronaut_face)
    assert overlap > 0.5, (faces, astronaut_face)
    for name in ("coffee.png", "rocket.jpg"):
        assert detector.detect(Image.open(photo_path(name))) == []


@pytest.mark.parametrize("ratio", RATIOS)
def test_the_face_stays_in_frame(engine: ProceduralVisualEngine, make_request: MakeRequest,
                                 astronaut_face: Box, ratio: str) -> None:
    width, height = RATIOS[ratio]
    meta = engine.generate(make_request("photo", width, height, photo="astronaut.png")).metadata
    assert inside(astronaut_face, meta["crop_box"]), (meta["crop_box"], astronaut_face)
    # The face maps into the output, inside the subject box the composer keeps type off.
    assert meta["faces"], meta
    face_out = meta["faces"][0]
    assert inside(face_out, (0, 0, width, height))
    assert inside(face_out, meta["subject_box"])
    assert face_out[2] - face_out[0] >= 0.5 * (astronaut_face[2] - astronaut_face[0]) * meta["upscale"]


@pytest.mark.parametrize("ratio", ["9:16", "1.91:1", "8:1"])
def test_the_coffee_cup_stays_in_frame_for_wide_and_tall_crops(engine: ProceduralVisualEngine,
                                                               make_request: MakeRequest, ratio: str) -> None:
    width, height = RATIOS[ratio]
    meta = engine.generate(make_request("photo", width, height, photo="coffee.png")).metadata
    assert inside(CUP, meta["crop_box"]), meta["crop_box"]
    # The cup's centre lands inside the subject box in the output.
    x0, y0, x1, y1 = meta["crop_box"]
    px0, py0, px1, py1 = meta["photo_box"]
    cx = px0 + ((CUP[0] + CUP[2]) / 2 - x0) * (px1 - px0) / (x1 - x0)
    cy = py0 + ((CUP[1] + CUP[3]) / 2 - y0) * (py1 - py0) / (y1 - y0)
    sx0, sy0, sx1, sy1 = meta["subject_box"]
    assert sx0 <= cx <= sx1 and sy0 <= cy <= sy1


@pytest.mark.parametrize("photo", ["coffee.png", "rocket.jpg", "astronaut.png"])
@pytest.mark.parametrize("size", [(1080, 1920), (1200, 628), (728, 90), (1080, 1080), (300, 250), (320, 50)])
def test_plans_are_consistent(photo_path: Callable[[str], Path], photo: str, size: tuple[int, int]) -> None:
    image = Image.open(photo_path(photo)).convert("RGB")
    plan = plan_crop(analyse(image, None), *size)
    sw, sh = image.size
    x0, y0, x1, y1 = plan.crop_box
    assert -1e-6 <= x0 < x1 <= sw + 1e-6 and -1e-6 <= y0 < y1 <= sh + 1e-6
    px0, py0, px1, py1 = plan.photo_box
    assert 0 <= px0 < px1 <= size[0] and 0 <= py0 < py1 <= size[1]
    # The window keeps the photo's proportions where it lands (no stretching), to within a pixel.
    assert abs((x1 - x0) * plan.scale - (px1 - px0)) <= 1.0
    assert abs((y1 - y0) * plan.scale - (py1 - py0)) <= 1.0
    if plan.mode == "cover":
        assert plan.photo_box == (0, 0, *size)
    assert plan.scale <= 3.0 + 1e-6 or plan.scale <= min(size[0] / sw, size[1] / sh) + 1e-6


def test_small_photos_go_on_an_extension_rather_than_blown_up(photo_path: Callable[[str], Path]) -> None:
    plan = plan_crop(analyse(Image.open(photo_path("rocket.jpg")).convert("RGB"), None), 1080, 1920)
    assert plan.mode == "extend" and plan.scale <= 3.0
    assert plan.photo_box[2] - plan.photo_box[0] == 1080  # full width, extension above or below


def test_window_search_follows_the_saliency() -> None:
    sal = np.zeros((40, 80), dtype=np.float32)
    sal[15:25, 60:70] = 1.0  # a bright subject on the right
    analysis = PhotoAnalysis(size=(800, 400), saliency=sal, faces=(), subject=(600, 150, 700, 250))
    x0, y0, x1, y1 = best_window(analysis, 300, 400)
    assert x0 <= 600 and x1 >= 700 and (x1 - x0, y1 - y0) == (300, 400)


def _iou(a: Box, b: Box) -> float:
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union

"""Treatments: duotone stays on its colour segment, grading keeps brightness, natural is gentle."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from PIL import Image

from assetline.engines.base import VisualRequest
from assetline.engines.visual import ProceduralVisualEngine, treatments
from assetline.engines.visual.colour import hex_to_float
from assetline.spec.common import hex_to_rgb

MakeRequest = Callable[..., VisualRequest]


def distance_to_segment(pixels: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Euclidean distance (8-bit units) of every RGB pixel to the segment a–b, and where it falls along it."""
    p = pixels.reshape(-1, 3).astype(np.float64)
    ab = b - a
    t = np.clip((p - a) @ ab / (ab @ ab), 0.0, 1.0)
    return np.linalg.norm(p - (a + t[:, None] * ab), axis=1)


@pytest.mark.parametrize("photo", ["coffee.png", "rocket.jpg", "astronaut.png"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_duotone_colours_lie_on_the_segment_between_the_two_palette_colours(
        engine: ProceduralVisualEngine, make_request: MakeRequest, photo: str, seed: int) -> None:
    result = engine.generate(make_request("photo", 300, 250, seed=seed, photo=photo, treatment="duotone"))
    shadow, highlight = (np.array(hex_to_rgb(h), dtype=np.float64) for h in result.metadata["duotone"])
    assert result.metadata["palette_used"] == result.metadata["duotone"]
    dist = distance_to_segment(np.asarray(result.image), shadow, highlight)
    assert dist.max() <= 1.5, dist.max()  # rounding each channel to 8 bits: ≤ √3/2
    # …and it uses the segment: real shadows and real highlights, not a flat wash.
    p = np.asarray(result.image).reshape(-1, 3).astype(np.float64)
    t = (p - shadow) @ (highlight - shadow) / ((highlight - shadow) @ (highlight - shadow))
    assert t.min() < 0.1 and t.max() > 0.9


def test_duotone_also_applies_to_generated_styles(engine: ProceduralVisualEngine,
                                                  make_request: MakeRequest) -> None:
    result = engine.generate(make_request("mesh", 200, 200, seed=2, treatment="duotone"))
    shadow, highlight = (np.array(hex_to_rgb(h), dtype=np.float64) for h in result.metadata["duotone"])
    assert distance_to_segment(np.asarray(result.image), shadow, highlight).max() <= 1.5


def test_grading_moves_colour_not_brightness(photo_path: Callable[[str], object]) -> None:
    image = Image.open(photo_path("astronaut.png")).convert("RGB")  # type: ignore[arg-type]
    graded = treatments.graded(image, hex_to_float("#14213D"), hex_to_float("#FCA311"))
    before = treatments.luma(np.asarray(treatments.natural(image, strength=0.4)))
    after = treatments.luma(np.asarray(graded))
    diff = np.abs(before.astype(np.int16) - after.astype(np.int16))
    assert diff.mean() < 1.5 and np.percentile(diff, 99) <= 6
    # The colour did move: shadows lean navy (blue up), highlights lean orange (red up vs blue).
    src, out = np.asarray(image).astype(np.int16), np.asarray(graded).astype(np.int16)
    dark, light = before < 60, before > 200
    assert (out[dark][:, 2] - out[dark][:, 0]).mean() > (src[dark][:, 2] - src[dark][:, 0]).mean()
    assert (out[light][:, 0] - out[light][:, 2]).mean() > (src[light][:, 0] - src[light][:, 2]).mean()


def test_natural_is_a_light_touch() -> None:
    rng = np.random.default_rng(0)
    flat = (rng.random((64, 64, 3)) * 100 + 60).astype(np.uint8)  # a low-contrast image, values 60..160
    out = np.asarray(treatments.natural(Image.fromarray(flat))).astype(np.int16)
    assert out.std() > flat.std()  # more contrast …
    assert out.min() > 0 and out.max() < 255  # … but nothing crushed or blown out
    grey = np.full((16, 16, 3), 128, dtype=np.uint8)
    g = np.asarray(treatments.natural(Image.fromarray(grey)))
    assert (g[..., 0] == g[..., 1]).all() and (g[..., 1] == g[..., 2]).all()  # no colour cast


def test_luma_matches_rec709() -> None:
    px = np.array([[[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 255]]], dtype=np.uint8)
    assert treatments.luma(px).tolist() == [[54, 182, 19, 255]]

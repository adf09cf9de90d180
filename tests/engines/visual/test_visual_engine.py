"""The built-in visual engine end to end: sizes, determinism, variation, metadata and input errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from assetline.engines.base import VisualEngine, VisualRequest, VisualResult
from assetline.engines.visual import ProceduralVisualEngine
from assetline.errors import EngineError

SIZES = [(320, 50), (300, 250), (728, 90), (1080, 1080), (1080, 1920)]
STYLES = ["gradient", "mesh", "pattern", "texture", "photo"]
HEX = "0123456789ABCDEF"

MakeRequest = Callable[..., VisualRequest]


def test_engine_satisfies_the_protocol(engine: ProceduralVisualEngine) -> None:
    assert isinstance(engine, VisualEngine)
    assert (engine.id, engine.version, engine.modality) == ("builtin.visual", "1", "visual")


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
@pytest.mark.parametrize("style", STYLES)
def test_every_style_gives_an_rgb_image_of_exactly_the_requested_size(
        engine: ProceduralVisualEngine, make_request: MakeRequest, style: str, size: tuple[int, int]) -> None:
    result = engine.generate(make_request(style, *size, seed=3))
    assert isinstance(result, VisualResult)
    assert result.image.mode == "RGB"
    assert result.image.size == size


@pytest.mark.parametrize("size", [(1, 1), (3, 400), (2000, 8)], ids=["1x1", "3x400", "2000x8"])
@pytest.mark.parametrize("style", STYLES)
def test_degenerate_sizes_still_work(engine: ProceduralVisualEngine, make_request: MakeRequest, style: str,
                                     size: tuple[int, int]) -> None:
    result = engine.generate(make_request(style, *size, photo="astronaut.png", treatment="duotone"))
    assert result.image.size == size and result.image.mode == "RGB"
    assert not np.isnan(np.asarray(result.metadata["luminance_grid"])).any()


@pytest.mark.parametrize("pattern", ["dots", "stripes", "grid", "waves", "circles", "triangles"])
def test_every_pattern_renders(engine: ProceduralVisualEngine, make_request: MakeRequest,
                               pattern: str) -> None:
    result = engine.generate(make_request("pattern", 300, 250, seed=1, pattern=pattern))
    assert result.image.size == (300, 250)
    assert result.metadata["pattern"] == pattern


@pytest.mark.parametrize("style", STYLES)
def test_same_request_gives_identical_bytes_even_from_a_fresh_engine(
        engine: ProceduralVisualEngine, make_request: MakeRequest, style: str) -> None:
    request = make_request(style, 300, 250, seed=11, treatment="graded")
    first = engine.generate(request)
    again = ProceduralVisualEngine().generate(request)
    assert first.image.tobytes() == again.image.tobytes()
    assert first.metadata == again.metadata


@pytest.mark.parametrize("style", ["gradient", "mesh", "pattern", "texture"])
def test_different_seeds_give_visibly_different_results(
        engine: ProceduralVisualEngine, make_request: MakeRequest, style: str) -> None:
    images = [np.asarray(engine.generate(make_request(style, 240, 240, seed=s)).image, dtype=np.float32)
              for s in range(4)]
    for i in range(len(images)):
        for j in range(i + 1, len(images)):
            assert np.abs(images[i] - images[j]).mean() > 3.0, f"seeds {i} and {j} look the same"


def test_one_seed_gives_the_same_design_in_every_format(engine: ProceduralVisualEngine,
                                                         make_request: MakeRequest) -> None:
    recipes = [engine.generate(make_request("mesh", w, h, seed=5)).metadata["recipe"] for w, h in SIZES]
    assert all(r == recipes[0] for r in recipes)


def test_metadata_tells_the_composer_what_it_needs(engine: ProceduralVisualEngine,
                                                   make_request: MakeRequest) -> None:
    request = make_request("photo", 1080, 1920, photo="astronaut.png", treatment="duotone")
    meta = engine.generate(request).metadata
    assert meta["style"] == "photo" and meta["treatment"] == "duotone"
    grid = meta["luminance_grid"]
    assert len(grid) == 4 and all(len(row) == 4 for row in grid)
    assert all(0.0 <= v <= 1.0 for row in grid for v in row)
    assert 0.0 <= meta["mean_luminance"] <= 1.0
    assert abs(meta["mean_luminance"] - float(np.mean(grid))) < 0.05
    assert meta["palette_used"] and all(h[0] == "#" and len(h) == 7 and set(h[1:]) <= set(HEX)
                                        for h in meta["palette_used"])
    left, top, right, bottom = meta["subject_box"]
    assert 0 <= left < right <= 1080 and 0 <= top < bottom <= 1920
    x0, y0, x1, y1 = meta["crop_box"]
    assert 0 <= x0 < x1 <= 512 and 0 <= y0 < y1 <= 512


def test_generated_styles_have_no_subject_and_report_their_recipe(engine: ProceduralVisualEngine,
                                                                  make_request: MakeRequest) -> None:
    meta = engine.generate(make_request("gradient", 300, 250)).metadata
    assert meta["subject_box"] is None and meta["crop_box"] is None
    assert meta["tone"] in ("dark", "light")
    assert "angle" in meta["recipe"]


def test_tone_matches_measured_luminance(engine: ProceduralVisualEngine, make_request: MakeRequest) -> None:
    for seed in range(6):
        meta = engine.generate(make_request("mesh", 200, 200, seed=seed)).metadata
        assert (meta["mean_luminance"] < 0.3) == (meta["tone"] == "dark")


def test_photo_style_without_a_photo_is_a_clear_error(engine: ProceduralVisualEngine,
                                                      make_request: MakeRequest) -> None:
    request = make_request("photo", 300, 250)
    broken = VisualRequest(brand=request.brand, concept=request.concept, width=300, height=250, seed=0)
    with pytest.raises(EngineError, match=r"style 'photo'.*no photo file"):
        engine.generate(broken)


def test_missing_photo_file_is_a_clear_error(engine: ProceduralVisualEngine, make_request: MakeRequest,
                                             tmp_path: Path) -> None:
    request = make_request("photo", 300, 250)
    broken = VisualRequest(brand=request.brand, concept=request.concept, width=300, height=250, seed=0,
                           photo=tmp_path / "nope.jpg")
    with pytest.raises(EngineError, match="photo file not found"):
        engine.generate(broken)


def test_unreadable_photo_is_a_clear_error(engine: ProceduralVisualEngine, make_request: MakeRequest,
                                           tmp_path: Path) -> None:
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"not an image")
    request = make_request("photo", 300, 250)
    broken = VisualRequest(brand=request.brand, concept=request.concept, width=300, height=250, seed=0,
                           photo=bad)
    with pytest.raises(EngineError, match="cannot read photo"):
        engine.generate(broken)


@pytest.mark.parametrize(("width", "height", "message"), [
    (0, 250, "positive integers"), (300, -1, "positive integers"), (9000, 250, "exceeds the 8192 px limit")])
def test_bad_sizes_are_refused(engine: ProceduralVisualEngine, make_request: MakeRequest, width: int,
                               height: int, message: str) -> None:
    with pytest.raises(EngineError, match=message):
        engine.generate(make_request("gradient", width, height))


def test_negative_seed_is_refused(engine: ProceduralVisualEngine, make_request: MakeRequest) -> None:
    with pytest.raises(EngineError, match="seed must be a non-negative integer"):
        engine.generate(make_request("gradient", 100, 100, seed=-1))


def test_backgrounds_stay_quiet_enough_for_type(engine: ProceduralVisualEngine,
                                                make_request: MakeRequest) -> None:
    """Tone-on-tone patterns and textures: the busiest 5 % of the canvas stays close to its median."""
    for style in ("pattern", "texture"):
        for seed in range(4):
            meta = engine.generate(make_request(style, 300, 300, seed=seed)).metadata
            grid = np.asarray(meta["luminance_grid"])
            assert grid.max() - grid.min() < 0.25, (style, seed, grid)

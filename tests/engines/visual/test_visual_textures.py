"""Textures tile seamlessly: across the wrap, neighbours differ no more than neighbours inside do."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from assetline.engines.base import VisualRequest
from assetline.engines.visual import ProceduralVisualEngine, textures
from assetline.engines.visual.palette import BrandPalette, make_scheme
from assetline.engines.visual.raster import cubic_matrix, upscale
from assetline.spec.loader import LoadedBrand

MakeRequest = Callable[..., VisualRequest]


def seam_ratios(img: np.ndarray) -> tuple[float, float]:
    """(left/right seam, top/bottom seam): mean |difference| across the wrap ÷ mean between interior
    neighbours. About 1 for a seamless tile, well above 1 for an image that does not wrap."""
    a = img.astype(np.float32)
    inner_x = np.abs(np.diff(a, axis=1)).mean()
    inner_y = np.abs(np.diff(a, axis=0)).mean()
    seam_x = np.abs(a[:, -1] - a[:, 0]).mean()
    seam_y = np.abs(a[-1, :] - a[0, :]).mean()
    return float(seam_x / inner_x), float(seam_y / inner_y)


@pytest.mark.parametrize("flavour", textures.TEXTURES)
@pytest.mark.parametrize("size", [(300, 250), (728, 90), (512, 512)])
def test_texture_fields_wrap_continuously(demo: LoadedBrand, flavour: str, size: tuple[int, int]) -> None:
    scheme = make_scheme(BrandPalette.from_kit(demo.kit), "dark")
    field, _ = textures.render(*size, scheme, np.random.default_rng(4), flavour)
    lum = field.mean(axis=0)  # planar (3, H, W) → (H, W)
    rx, ry = seam_ratios(lum)
    assert rx < 1.6 and ry < 1.6, (rx, ry)


@pytest.mark.parametrize("seed", range(4))
def test_engine_textures_tile_seamlessly(engine: ProceduralVisualEngine, make_request: MakeRequest,
                                         seed: int) -> None:
    image = np.asarray(engine.generate(make_request("texture", 400, 300, seed=seed)).image)
    rx, ry = seam_ratios(image)
    assert rx < 1.5 and ry < 1.5, (rx, ry)
    # Tiled 2 × 2, the middle seams are invisible in the same sense.
    tiled = np.tile(image, (2, 2, 1))
    mid_x = np.abs(tiled[:, 399].astype(np.float32) - tiled[:, 400]).mean()
    assert mid_x < 1.5 * np.abs(np.diff(image.astype(np.float32), axis=1)).mean()


def test_the_seam_measure_does_catch_a_seam(engine: ProceduralVisualEngine,
                                            make_request: MakeRequest) -> None:
    """A gradient does not wrap: the same measure must flag it, or the tests above prove nothing."""
    for seed in range(3):
        image = np.asarray(engine.generate(make_request("gradient", 400, 300, seed=seed)).image)
        assert max(seam_ratios(image)) > 3.0


def test_periodic_noise_is_normalised_and_periodic() -> None:
    noise = textures.periodic_noise(96, 64, np.random.default_rng(0), slope=2.0, feature=40, fine=2)
    assert abs(float(noise.mean())) < 1e-4 and abs(float(noise.std()) - 1.0) < 1e-3
    # A smooth periodic field: the wrap step is like any interior step.
    rx, ry = seam_ratios(noise)
    assert rx < 1.6 and ry < 1.6


def test_cubic_resampling_preserves_constants_and_periodicity() -> None:
    for periodic in (False, True):
        m = cubic_matrix(1000, 37, periodic=periodic)
        assert np.allclose(m.sum(axis=1), 1.0, atol=1e-5)
    field = np.sin(np.linspace(0, 2 * np.pi, 40, endpoint=False, dtype=np.float32))[None, :].repeat(8, 0)
    up = upscale(field, 400, 80, periodic=True)
    assert abs(float(up[0, -1] - up[0, 0])) < 2 * float(np.abs(np.diff(up[0])).max())

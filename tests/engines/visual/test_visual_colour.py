"""Colour maths: OKLab round trips, perceptual mixing, luminance, palette roles."""

from __future__ import annotations

import numpy as np

from assetline.engines.visual import colour
from assetline.engines.visual.palette import BrandPalette, make_scheme
from assetline.spec.brand import BrandKit
from assetline.spec.loader import LoadedBrand


def test_oklab_round_trip() -> None:
    rgb = np.random.default_rng(0).random((500, 3)).astype(np.float32)
    back = colour.oklab_to_srgb(colour.srgb_to_oklab(rgb))
    assert np.abs(back - rgb).max() < 2e-3


def test_oklab_reference_values() -> None:
    white = colour.srgb_to_oklab(np.ones(3, dtype=np.float32))
    assert abs(float(white[0]) - 1.0) < 1e-3 and abs(float(white[1])) < 1e-3 and abs(float(white[2])) < 1e-3
    red = colour.srgb_to_oklab(np.array([1, 0, 0], dtype=np.float32))  # Ottosson: (0.628, 0.225, 0.126)
    assert np.allclose(red, [0.6280, 0.2249, 0.1258], atol=2e-3)


def test_mix_keeps_endpoints_and_stays_colourful() -> None:
    navy, orange = colour.hex_to_float("#14213D"), colour.hex_to_float("#FCA311")
    assert colour.float_to_hex(colour.mix(navy, orange, 0.0)) == "#14213D"
    assert colour.float_to_hex(colour.mix(navy, orange, 1.0)) == "#FCA311"
    mid = colour.mix(navy, orange, 0.5)
    assert colour.lightness(navy) < colour.lightness(mid) < colour.lightness(orange)


def test_luminance_grid_and_map() -> None:
    img = np.zeros((40, 80, 3), dtype=np.uint8)
    img[:, 40:] = 255
    grid = colour.luminance_grid(img)
    assert grid[0] == [0.0, 0.0, 1.0, 1.0]
    assert abs(colour.relative_luminance(colour.hex_to_float("#777777")) - 0.1845) < 1e-3


def test_palette_fills_missing_roles(demo: LoadedBrand) -> None:
    full = BrandPalette.from_kit(demo.kit)
    assert full.hex["primary"] == "#14213D" and full.hex["accent"] == "#FCA311"
    sparse = BrandKit.model_validate({
        "id": "two", "name": "Two", "typography": {"headline": {"file": "x.ttf"}, "body": {"file": "x.ttf"}},
        "palette": [{"name": "teal", "hex": "#0F766E"}, {"name": "sand", "hex": "#F5E6C8"}]})
    p = BrandPalette.from_kit(sparse)
    assert set(p.hex) == {"primary", "secondary", "accent", "background", "text", "neutral"}
    assert p.hex["background"] == "#F5E6C8" and p.hex["text"] == "#0F766E"
    for mode in ("dark", "light"):
        scheme = make_scheme(p, mode)
        assert scheme.used_hex and all(h in p.hex.values() for h in scheme.used_hex)


def test_luminance_grid_of_a_tiny_image_has_no_gaps() -> None:
    grid = colour.luminance_grid(np.full((2, 3, 3), 255, dtype=np.uint8))
    assert grid == [[1.0] * 4] * 4

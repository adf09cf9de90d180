"""Patterns: anti-aliased marks, tone-on-tone contrast, every kind."""

from __future__ import annotations

import numpy as np
import pytest

from assetline.engines.visual import patterns
from assetline.engines.visual.colour import luminance_map
from assetline.engines.visual.palette import BrandPalette, make_scheme
from assetline.engines.visual.raster import quantise
from assetline.spec.loader import LoadedBrand


def wcag_ratio(a: float, b: float) -> float:
    hi, lo = max(a, b), min(a, b)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("mode", ["dark", "light"])
@pytest.mark.parametrize("kind", patterns.PATTERNS)
def test_patterns_are_low_contrast_tone_on_tone(demo: LoadedBrand, kind: str, mode: str) -> None:
    scheme = make_scheme(BrandPalette.from_kit(demo.kit), mode)
    field, params = patterns.render(400, 300, scheme, np.random.default_rng(1), kind)
    assert params["pattern"] == kind
    lum = luminance_map(np.asarray(quantise(field, np.random.default_rng(0))))
    lo, hi = np.percentile(lum, [1, 99])
    # Marks never compete with type: far below the 3:1 of large text against the field.
    assert wcag_ratio(float(lo), float(hi)) < 2.2, (kind, mode, lo, hi)


@pytest.mark.parametrize("kind", ["grid", "circles", "waves", "triangles", "dots"])
def test_marks_are_anti_aliased(demo: LoadedBrand, kind: str) -> None:
    """Edges carry intermediate values (partial coverage), not just 'mark' and 'no mark'."""
    x = (np.arange(400, dtype=np.float32) + 0.5)[None, :]
    y = (np.arange(300, dtype=np.float32) + 0.5)[:, None]
    if kind == "grid":
        cov = np.clip(0.5 - patterns.grid(x, y, 37.3, 0.7), 0, 1)
    elif kind == "circles":
        cov = np.clip(0.5 - patterns.circles(x, y, 23.1, 0.7, (-40.0, 130.0)), 0, 1)
    elif kind == "waves":
        cov = np.clip(0.5 - patterns.waves(x, y, 21.0, 0.7, 150.0, 0.3), 0, 1)
    elif kind == "dots":
        cov = np.clip(0.5 - patterns.dots(x, y, 19.0, np.full((300, 400), 0.5, np.float32)), 0, 1)
    else:
        tones = np.random.default_rng(0).choice(np.array([0.0, 1.0], np.float32), 64)
        cov = patterns.triangles(x, y, 90.0, 30.0, tones)
    partial = ((cov > 0.05) & (cov < 0.95)).mean()
    full = (cov >= 0.95).mean()
    assert partial > 0.002 and full > 0.0
    assert partial < 0.5  # edges, not a blur


def test_stripes_and_grid_have_the_requested_pitch() -> None:
    x = (np.arange(600, dtype=np.float32) + 0.5)[None, :]
    y = np.zeros((1, 1), dtype=np.float32) + 0.5
    cov = np.clip(0.5 - patterns.grid(x, y, 50.0, 0.8), 0, 1)[0]
    peaks = np.flatnonzero((cov[1:-1] > cov[:-2]) & (cov[1:-1] >= cov[2:]) & (cov[1:-1] > 0.5)) + 1
    assert np.allclose(np.diff(peaks), 50, atol=1)

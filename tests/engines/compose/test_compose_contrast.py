"""WCAG contrast maths, worst-case measurement, colour choice and scrims."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from assetline.engines.compose.contrast import (
    best_colour,
    contrast,
    luminance,
    required_ratio,
    worst_contrast,
)
from assetline.engines.compose.scrim import Scrim, TextNeed, composite, paint, solve
from assetline.spec import catalogue


def test_wcag_reference_values() -> None:
    assert luminance("#FFFFFF") == pytest.approx(1.0)
    assert luminance("#000000") == pytest.approx(0.0)
    assert contrast("#FFFFFF", "#000000") == pytest.approx(21.0)
    assert contrast("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)
    assert contrast("#767676", "#FFFFFF") == pytest.approx(4.54, abs=0.01)


def test_large_text_thresholds() -> None:
    assert required_ratio(16, 400) == 4.5
    assert required_ratio(24, 400) == 3.0
    assert required_ratio(19, 700) == 3.0
    assert required_ratio(18, 700) == 4.5


def test_worst_case_is_the_worst_pixel() -> None:
    pixels = np.zeros((10, 10, 3), dtype=np.uint8)
    pixels[5, 5] = (200, 200, 200)  # one light pixel under white text
    assert worst_contrast((255, 255, 255), pixels) == pytest.approx(contrast("#FFFFFF", "#C8C8C8"))
    colour, value = best_colour([(0, 0, 0), (255, 255, 255)], pixels, 4.5)
    assert colour == (255, 255, 255) and value < 4.5  # the best there is still fails: a scrim is needed
    pixels[5, 5] = (0, 0, 0)
    assert best_colour([(0, 0, 0), (255, 255, 255)], pixels, 4.5) == ((255, 255, 255), pytest.approx(21.0))


def test_scrim_solves_to_aa_on_a_hard_background() -> None:
    rng = np.random.default_rng(3)
    canvas = rng.integers(0, 256, (60, 200, 3), dtype=np.uint8)  # noise: no colour passes on its own
    need = TextNeed(box=(20, 20, 180, 40), candidates=[(255, 255, 255)], required=4.5)
    assert worst_contrast((255, 255, 255), canvas[20:40, 20:180]) < 4.5
    template = Scrim(box=(0, 0, 200, 60), colour=(20, 33, 61), fade="top", feather=0.3)
    solved, picks, ok = solve(canvas, template, [need])
    assert ok and 0 < solved.alpha < 1
    assert picks[0][1] >= 4.5
    measured = worst_contrast((255, 255, 255), composite(canvas, need.box, solved))
    paint(canvas, solved)
    assert worst_contrast((255, 255, 255), canvas[20:40, 20:180]) == pytest.approx(measured)
    assert measured >= 4.5


def test_composer_adds_a_scrim_over_noise(make_request, check) -> None:
    from assetline.engines.compose import LayoutComposer

    fmt = catalogue()["iab-300x250"]
    rng = np.random.default_rng(5)
    noise = Image.fromarray(rng.integers(0, 256, (250, 300, 3), dtype=np.uint8))
    for layout in ("hero", "typographic", "product"):
        result = LayoutComposer().compose(make_request(fmt, layout, noise))
        check(result, fmt)
        for e in result.elements:
            if e.kind in ("headline", "body", "cta"):
                assert e.contrast >= e.extra["required_contrast"]

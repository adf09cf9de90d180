"""CIEDE2000 against Sharma, Wu & Dalal (2005), and WCAG luminance/contrast."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from skimage.color import deltaE_ciede2000

from assetline.qc.colourmath import contrast_ratio, delta_e_2000, hex_to_lab, relative_luminance, rgb_to_hex

DATA = np.loadtxt(Path(__file__).parent / "data" / "ciede2000_sharma2005.tsv")


def test_sharma_table_has_34_pairs() -> None:
    assert DATA.shape == (34, 8)
    assert list(DATA[:, 0]) == list(range(1, 35))


def test_ciede2000_matches_all_34_published_pairs() -> None:
    lab1, lab2, expected = DATA[:, 1:4], DATA[:, 4:7], DATA[:, 7]
    got = delta_e_2000(lab1, lab2)
    worst = np.abs(got - expected)
    assert worst.max() < 1e-4, {int(i) + 1: (got[i], expected[i]) for i in np.flatnonzero(worst >= 1e-4)}


def test_ciede2000_is_symmetric_on_the_published_pairs() -> None:
    assert np.allclose(delta_e_2000(DATA[:, 4:7], DATA[:, 1:4]), DATA[:, 7], atol=1e-4)


def test_ciede2000_agrees_with_scikit_image_on_random_colours() -> None:
    rng = np.random.default_rng(0)
    lab1 = np.column_stack(
        [rng.uniform(0, 100, 2000), rng.uniform(-100, 100, 2000), rng.uniform(-100, 100, 2000)]
    )
    lab2 = lab1 + rng.normal(0, 8, lab1.shape)
    assert np.allclose(delta_e_2000(lab1, lab2), deltaE_ciede2000(lab1, lab2), atol=1e-9)


def test_ciede2000_broadcasts_one_colour_against_a_palette() -> None:
    palette = np.array([hex_to_lab(h) for h in ("#14213D", "#FCA311", "#FFFFFF")])
    de = delta_e_2000(hex_to_lab("#14213D")[None, :], palette)
    assert de.shape == (3,) and de[0] == pytest.approx(0.0, abs=1e-9) and de[1] > 30


def test_wcag_contrast_known_values() -> None:
    black, white = relative_luminance([0, 0, 0]), relative_luminance([255, 255, 255])
    assert float(contrast_ratio(black, white)) == pytest.approx(21.0)
    assert float(contrast_ratio(white, black)) == pytest.approx(21.0)
    # #767676 on white is the classic lightest grey that passes AA (4.54:1).
    assert float(contrast_ratio(relative_luminance([0x76] * 3), white)) == pytest.approx(4.54, abs=0.01)
    assert float(contrast_ratio(relative_luminance([0x77] * 3), white)) < 4.5


def test_rgb_to_hex_rounds_and_clips() -> None:
    assert rgb_to_hex([20.4, 33.6, 300]) == "#1422FF"

"""Taking real composed stills apart: the layers recompose the still, and each overlay is its element."""

from __future__ import annotations

import numpy as np
import pytest
from motion_support import Case, Demo

from assetline.engines.motion.layers import PAD, extract_layers, hex_rgb

LAYOUT_CONCEPT = {"hero": "morning-launch", "split": "morning-launch", "typographic": "nebula-roast",
                  "product": "lift-off", "quote": "crew-favourite", "banner": "nebula-roast"}


@pytest.fixture(scope="module")
def cases(demo: Demo) -> dict[str, Case]:
    return {layout: demo.case("meta-feed-1x1-video", layout, concept) for layout, concept in LAYOUT_CONCEPT.items()}


@pytest.mark.parametrize("layout", list(LAYOUT_CONCEPT))
def test_layers_recompose_the_still_at_rest(cases: dict[str, Case], layout: str) -> None:
    case = cases[layout]
    layers = extract_layers(case.background, case.result.image, case.elements)
    assert layers.rest_psnr_db > 45, layers.modes
    assert set(layers.kinetic) and all(mode in ("exact", "flat", "estimated") for mode in layers.modes.values())


def test_hero_moves_the_photo_under_a_separate_scrim(cases: dict[str, Case]) -> None:
    case = cases["hero"]
    layers = extract_layers(case.background, case.result.image, case.elements)
    assert layers.camera_region == (0, 0, 1080, 1080)
    assert layers.source.tobytes() == case.background.tobytes(), "the camera moves the visual itself"
    assert layers.static is None and len(layers.scrims) == 1
    scrim_element = next(e for e in case.elements if e.kind == "scrim")
    (scrim,) = layers.scrims.values()
    # The solved alpha peaks at the composer's recorded alpha (its fade is 'top': strongest at the bottom).
    assert float(scrim.alpha.max()) == pytest.approx(scrim_element.extra["alpha"], abs=0.01)
    assert set(layers.modes.values()) == {"exact"}


def test_the_headline_overlay_is_its_text_and_nothing_else(cases: dict[str, Case]) -> None:
    case = cases["hero"]
    layers = extract_layers(case.background, case.result.image, case.elements)
    index = next(i for i, e in enumerate(case.elements) if e.kind == "headline")
    headline, layer = case.elements[index], layers.kinetic[index]
    assert layer.colour == hex_rgb(headline.colour)
    left, top = layer.box[:2]
    ys, xs = np.nonzero(layer.alpha > 0.02)
    box = headline.box
    assert xs.min() + left >= box[0] - PAD and xs.max() + left < box[2] + PAD
    assert ys.min() + top >= box[1] - PAD and ys.max() + top < box[3] + PAD
    # Fully inked pixels of the still (the text colour itself) are opaque in the overlay.
    still = np.asarray(case.result.image, dtype=np.int16)[top: top + layer.alpha.shape[0],
                                                          left: left + layer.alpha.shape[1]]
    ink = np.abs(still - np.array(layer.colour)).max(axis=-1) <= 2
    assert ink.sum() > 1000 and float(layer.alpha[ink].min()) > 0.95


def test_a_picture_panel_moves_inside_its_box_and_painted_layouts_hold_still(cases: dict[str, Case]) -> None:
    split = cases["split"]
    layers = extract_layers(split.background, split.result.image, split.elements)
    picture = next(e.box for e in split.elements if e.kind == "subject" and e.extra.get("role") == "picture")
    region = layers.camera_region
    assert region is not None and region != (0, 0, 1080, 1080)
    assert all(abs(a - b) <= 1 for a, b in zip(region, picture, strict=True))
    assert set(layers.modes.values()) == {"flat"}, "split's copy sits on a flat panel"
    quote = cases["quote"]
    assert extract_layers(quote.background, quote.result.image, quote.elements).camera_region is None

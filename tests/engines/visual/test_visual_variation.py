"""A reviewer's "new image" request reframes a photo (variation n > 0); variation 0 is the brief's own image."""

from __future__ import annotations

import numpy as np

from assetline.api import example_dir
from assetline.engines.base import VisualRequest
from assetline.engines.visual.procedural import ProceduralVisualEngine
from assetline.spec.loader import load_campaign


def test_variation_reframes_the_photo_and_is_deterministic() -> None:
    loaded = load_campaign(example_dir() / "campaign.yaml")
    kit = loaded.brand.kit
    concept = next(c for c in loaded.campaign.concepts if c.visual.photo)
    photo = loaded.brand.file(kit.asset(concept.visual.photo).file)  # type: ignore[union-attr]
    engine = ProceduralVisualEngine()

    def render(variation: int) -> np.ndarray:
        req = VisualRequest(brand=kit, concept=concept, width=320, height=320, seed=5, photo=photo,
                            variation=variation)
        return np.asarray(engine.generate(req).image, dtype=np.float32)

    base, again, first, second = render(0), render(0), render(1), render(2)
    assert np.array_equal(base, again)
    assert np.array_equal(first, render(1))
    assert np.abs(first - base).mean() > 5 and np.abs(second - first).mean() > 2

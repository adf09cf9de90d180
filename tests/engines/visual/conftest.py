"""Shared fixtures for the visual engine tests: the demo brand kit and one engine (one cascade load)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assetline.engines.base import VisualRequest
from assetline.engines.visual import ProceduralVisualEngine
from assetline.spec import load_brand_kit
from assetline.spec.campaign import Concept
from assetline.spec.loader import LoadedBrand

DEMO = Path(__file__).resolve().parents[3] / "src" / "assetline" / "examples" / "orbit-coffee" / "brand.yaml"


@pytest.fixture(scope="session")
def demo() -> LoadedBrand:
    return load_brand_kit(DEMO)


@pytest.fixture(scope="session")
def engine() -> ProceduralVisualEngine:
    return ProceduralVisualEngine()


@pytest.fixture(scope="session")
def photo_path(demo: LoadedBrand) -> Callable[[str], Path]:
    return lambda name: demo.files[f"skimage:{name}"]


@pytest.fixture(scope="session")
def make_request(demo: LoadedBrand, photo_path: Callable[[str], Path]) -> Callable[..., VisualRequest]:
    def make(style: str, width: int, height: int, seed: int = 0, photo: str | None = None,
             **visual: Any) -> VisualRequest:
        if style == "photo":
            visual.setdefault("photo", (photo or "coffee.png").split(".")[0])
        concept = Concept(id="c", copy={"headline": ["Hello"]}, visual={"style": style, **visual})
        path = photo_path(photo or "coffee.png") if style == "photo" else None
        return VisualRequest(brand=demo.kit, concept=concept, width=width, height=height, seed=seed,
                             photo=path)

    return make

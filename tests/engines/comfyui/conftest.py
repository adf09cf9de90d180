"""Fixtures for the ComfyUI engine tests: a fake ComfyUI server per test, the demo kit, a request factory."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from comfyui_kit import KIT, SEGMENT, WORKFLOW

from assetline.engines.base import VisualRequest
from assetline.engines.comfyui import ComfyUISettings, ComfyUIVisualEngine
from assetline.spec import load_brand_kit
from assetline.spec.campaign import Concept
from assetline.spec.loader import LoadedBrand
from comfyui_fake import FakeComfyUI


@pytest.fixture(scope="session")
def demo() -> LoadedBrand:
    return load_brand_kit(KIT)


@pytest.fixture
def server() -> Iterator[FakeComfyUI]:
    with FakeComfyUI() as fake:
        yield fake


@pytest.fixture
def engine() -> Iterator[ComfyUIVisualEngine]:
    eng = ComfyUIVisualEngine()
    yield eng
    eng.close()


@pytest.fixture
def settings_for(server: FakeComfyUI) -> Callable[..., ComfyUISettings]:
    """Settings pointing at the fake server, with short timeouts and backoff."""

    def make(**overrides: Any) -> ComfyUISettings:
        values: dict[str, Any] = {"url": server.url, "workflow": WORKFLOW, "timeout_s": 5.0,
                                  "connect_timeout_s": 2.0, "retries": 2, "retry_backoff_s": 0.01,
                                  "poll_interval_s": 0.05}
        values.update(overrides)
        return ComfyUISettings.model_validate(values)

    return make


@pytest.fixture
def make_request(demo: LoadedBrand) -> Callable[..., VisualRequest]:
    def make(settings: ComfyUISettings, *, width: int = 64, height: int = 48, seed: int = 7,
             photo: str | None = None, **kw: Any) -> VisualRequest:
        visual: dict[str, Any] = {"style": "mesh", "prompt": "a nebula over a coffee cup"}
        if photo:
            visual = {"style": "photo", "photo": photo, "prompt": "a coffee cup on a table"}
        concept = Concept.model_validate({"id": "c", "copy": {"headline": ["Hello"]}, "visual": visual})
        path = demo.files[f"skimage:{photo}.png"] if photo else None
        return VisualRequest(brand=demo.kit, concept=concept, width=width, height=height, seed=seed,
                             segment=SEGMENT, settings=settings, photo=path, **kw)

    return make

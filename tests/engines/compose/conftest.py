"""Fixtures for the layout composer tests: the demo brand kit, its fonts and logos, a request factory."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from compose_support import BACKGROUNDS, ENGLISH, KIT, check_composition
from PIL import Image

from assetline.engines.base import ComposeRequest, CopyResult
from assetline.spec import ChannelFormat, load_brand_kit
from assetline.spec.loader import LoadedBrand


@pytest.fixture(scope="session")
def kit() -> LoadedBrand:
    return load_brand_kit(KIT)


@pytest.fixture(scope="session")
def fonts(kit: LoadedBrand) -> dict[str, Path]:
    typo = kit.kit.typography
    out = {"headline": kit.files[typo.headline.file], "body": kit.files[typo.body.file]}
    if typo.cta is not None:
        out["cta"] = kit.files[typo.cta.file]
    for script, ref in typo.scripts.items():
        out[script] = kit.files[ref.file]
    return out


@pytest.fixture(scope="session")
def logos(kit: LoadedBrand) -> dict[str, Path]:
    return {logo.id: kit.files[logo.file] for logo in kit.kit.logos}


@pytest.fixture(scope="session")
def make_request(
    kit: LoadedBrand, fonts: dict[str, Path], logos: dict[str, Path]
) -> Callable[..., ComposeRequest]:
    def make(
        fmt: ChannelFormat,
        layout: str | None,
        background: Image.Image | None = None,
        copy: CopyResult = ENGLISH,
        seed: int = 0,
        meta: dict[str, Any] | None = None,
    ) -> ComposeRequest:
        bg = background if background is not None else BACKGROUNDS["light"](fmt.size)
        return ComposeRequest(
            brand=kit.kit,
            format=fmt,
            copy=copy,
            background=bg,
            background_meta=meta or {},
            layout=layout,
            fonts=fonts,
            logos=logos,
            seed=seed,
        )

    return make


@pytest.fixture(scope="session")
def check() -> Callable[[Any, ChannelFormat], None]:
    return check_composition

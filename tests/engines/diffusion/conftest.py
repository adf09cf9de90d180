"""Shared fixtures for the diffusion engine tests: tiny random models built once per session (CPU, < 2 s),
the demo brand kit, one warm engine, and a request factory (tiny sizes, 2–3 steps)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assetline.engines.base import VisualRequest
from assetline.engines.diffusion.settings import DiffusionSettings
from assetline.spec import load_brand_kit
from assetline.spec.campaign import Concept, Segment
from assetline.spec.loader import LoadedBrand

DEMO = Path(__file__).resolve().parents[3] / "src" / "assetline" / "examples" / "orbit-coffee" / "brand.yaml"


@pytest.fixture(scope="session", autouse=True)
def _one_torch_thread() -> None:
    """Tiny models gain nothing from threads; on a shared 2-core machine they only oversubscribe it."""
    try:
        import torch
    except ImportError:
        return
    torch.set_num_threads(1)


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("diffusers", reason="the diffusion extra is not installed")
    pytest.importorskip("peft", reason="peft (diffusion extra) is not installed")
    return tmp_path_factory.mktemp("diffusion-models")


@pytest.fixture(scope="session")
def tiny_sd(models_dir: Path) -> Path:
    from assetline.engines.diffusion.tiny import save_tiny_sd

    return save_tiny_sd(models_dir / "tiny-sd", seed=0)


def write_lora(sd_folder: Path, out: Path, seed: int) -> Path:
    """A random (non-zero) LoRA for the tiny UNet, saved as one .safetensors file at ``out``."""
    from assetline.engines.diffusion.tiny import save_tiny_lora

    return save_tiny_lora(sd_folder, out, seed)


@pytest.fixture(scope="session")
def lora_file(tiny_sd: Path, models_dir: Path) -> Path:
    return write_lora(tiny_sd, models_dir / "brand-lora.safetensors", seed=1)


@pytest.fixture(scope="session")
def tiny_controlnet(tiny_sd: Path, models_dir: Path) -> Path:
    from assetline.engines.diffusion.tiny import save_tiny_controlnet

    return save_tiny_controlnet(tiny_sd, models_dir / "tiny-controlnet", seed=1)


@pytest.fixture(scope="session")
def demo() -> LoadedBrand:
    return load_brand_kit(DEMO)


@pytest.fixture(scope="session")
def engine(models_dir: Path) -> Any:
    from assetline.engines.diffusion.engine import DiffusionVisualEngine

    return DiffusionVisualEngine()


@pytest.fixture(scope="session")
def settings(tiny_sd: Path) -> Callable[..., DiffusionSettings]:
    def make(**overrides: Any) -> DiffusionSettings:
        return DiffusionSettings(**{"model": str(tiny_sd), "steps": 3, "resolution": 64, **overrides})

    return make


@pytest.fixture(scope="session")
def make_request(demo: LoadedBrand, settings: Callable[..., DiffusionSettings]) -> Callable[..., VisualRequest]:
    def make(width: int = 64, height: int = 64, seed: int = 0, style: str = "gradient",
             cfg: DiffusionSettings | None = None, segment: Segment | None = None, **kwargs: Any) -> VisualRequest:
        visual: dict[str, Any] = {"style": style, "prompt": "a warm coffee cup"}
        photo = None
        if style == "photo":
            visual["photo"] = "coffee"
            photo = demo.files["skimage:coffee.png"]
        concept = Concept(id="c", copy={"headline": ["Hello"]}, visual=visual)
        return VisualRequest(brand=demo.kit, concept=concept, width=width, height=height, seed=seed, photo=photo,
                             segment=segment, settings=cfg or settings(), **kwargs)

    return make

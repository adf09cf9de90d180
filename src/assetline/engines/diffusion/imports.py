"""The optional ``diffusion`` extra, checked once: importing Assetline never needs torch or diffusers."""

from __future__ import annotations

from functools import cache
from importlib.util import find_spec
from typing import Any

from assetline.errors import EngineError

EXTRA_HINT = ("pip install torch==2.13.0 && pip install 'torch==2.13.0' 'assetline[diffusion]' "
              "(install torch first with the pin, or pip pulls a multi-GB CUDA build)")


@cache
def diffusion_available() -> bool:
    return all(find_spec(name) is not None for name in ("torch", "diffusers", "transformers", "safetensors"))


def require_diffusion(feature: str = "the diffusion engine") -> None:
    """Raise EngineError naming the extra when torch/diffusers/transformers are not installed."""
    if not diffusion_available():
        raise EngineError(f"{feature} needs torch, diffusers and transformers, which are not installed",
                          hint=EXTRA_HINT)


def require_peft(feature: str = "LoRA training") -> None:
    require_diffusion(feature)
    if find_spec("peft") is None:
        raise EngineError(f"{feature} needs peft, which is not installed", hint=EXTRA_HINT)


def quiet_libraries() -> None:
    """Silence diffusers/transformers progress bars and advice (CLI output stays Assetline's own)."""
    require_diffusion()
    import importlib

    dlog: Any = importlib.import_module("diffusers.utils.logging")
    tlog: Any = importlib.import_module("transformers.utils.logging")

    dlog.set_verbosity_error()
    dlog.disable_progress_bar()
    tlog.set_verbosity_error()
    tlog.disable_progress_bar()

"""Blended latents with every scheduler: the model's own (SD 1.5 folders ship PNDM; Euler works in sigma space and
scales the UNet's input) and each name the ``scheduler`` setting switches to. Tiny SD, CPU, 64 px, 4 steps."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assetline.engines.base import VisualRequest
from assetline.engines.diffusion.settings import SCHEDULERS, DiffusionSettings

Make = Callable[..., VisualRequest]
BOX = (0, 32, 64, 64)


@pytest.fixture(scope="module", params=["pndm", "euler"])
def own_scheduler_sd(request: pytest.FixtureRequest, models_dir: Path) -> Path:
    from assetline.engines.diffusion.tiny import save_tiny_sd

    return save_tiny_sd(models_dir / f"tiny-sd-{request.param}", seed=0, scheduler=str(request.param))


def busyness(region: np.ndarray) -> float:
    a = region.astype(np.float64)
    return float(np.abs(np.diff(a, axis=0)).mean() + np.abs(np.diff(a, axis=1)).mean())


def calm_ratio(engine: Any, make_request: Make, cfg: DiffusionSettings) -> tuple[float, list[tuple[int, int]]]:
    """Busyness inside the reserved box over busyness outside it, nothing pasted after decoding (calm_strength 0),
    so what is calm was made by the blended latents; and the progress calls."""
    calls: list[tuple[int, int]] = []
    result = engine.generate(make_request(seed=3, reserved=(BOX,), cfg=cfg,
                                          progress=lambda done, total: calls.append((done, total))))
    arr = np.asarray(result.image, np.int16)
    return busyness(arr[40:]) / busyness(arr[:24]), calls


@pytest.mark.parametrize("scheduler", [None, *SCHEDULERS])
def test_blending_keeps_boxes_calm_with_every_scheduler(engine: Any, make_request: Make, own_scheduler_sd: Path,
                                                        scheduler: str | None) -> None:
    cfg = DiffusionSettings(model=str(own_scheduler_sd), steps=4, resolution=64, scheduler=scheduler,
                            calm_strength=0.0)
    ratio, calls = calm_ratio(engine, make_request, cfg)
    assert ratio < 0.3, ratio
    total = calls[-1][1]
    assert calls == [(i, total) for i in range(1, total + 1)]
    # one call per loop step: 4, PLMS's extra first step, or Heun's two evaluations per step (2N - 1)
    assert total in (4, 5, 7)
    free = DiffusionSettings(model=str(own_scheduler_sd), steps=4, resolution=64, scheduler=scheduler,
                             layout_guidance="none")
    free_ratio, _ = calm_ratio(engine, make_request, free)
    assert free_ratio > 3 * ratio, (free_ratio, ratio)


def test_the_folders_own_scheduler_is_used_and_named(engine: Any, make_request: Make, own_scheduler_sd: Path) -> None:
    cfg = DiffusionSettings(model=str(own_scheduler_sd), steps=2, resolution=64)
    meta = engine.generate(make_request(seed=1, cfg=cfg)).metadata
    expected = "PNDMScheduler" if own_scheduler_sd.name.endswith("pndm") else "EulerDiscreteScheduler"
    assert meta["scheduler"] == expected


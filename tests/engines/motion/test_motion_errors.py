"""Bad requests get one clear EngineError naming the fix, never a traceback from deep inside."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from motion_support import Case, tone

from assetline.engines.base import Element
from assetline.engines.motion import KineticMotionEngine, extract_stills, probe
from assetline.engines.voice.base import Cue
from assetline.errors import EngineError
from assetline.spec.formats import catalogue


def _still_format() -> Any:
    return catalogue()["meta-feed-1x1"]


@pytest.mark.parametrize(("change", "message"), [
    (lambda c: {"format": _still_format()}, "not a motion format"),
    (lambda c: {"background": c.background.resize((1080, 1000))}, "background is 1080×1000"),
    (lambda c: {"composed": c.result.image.convert("RGBA")}, "RGBA image"),
    (lambda c: {"fps": 25}, "fps 25 does not match"),
    (lambda c: {"duration": 500.0}, "outside format"),
    (lambda c: {"duration": float("nan")}, "outside format"),
    (lambda c: {"duration": 2.0, "end_card": 1.8}, "less than 0.5 s of animation"),
    (lambda c: {"end_card": -1.0}, "end card"),
    (lambda c: {"container": "webm"}, "does not accept webm"),
    (lambda c: {"max_bitrate_kbps": 50_000}, "max_bitrate_kbps 50000"),
    (lambda c: {"audio": tone(5.0)}, "audio must be float32 (288000, 2)"),
    (lambda c: {"audio": tone(6.0).astype(np.float64)}, "float64"),
    (lambda c: {"audio": tone(6.0)[:, 0]}, "audio must be"),
    (lambda c: {"audio": np.full((288_000, 2), np.nan, dtype=np.float32)}, "NaN"),
    (lambda c: {"cues": (Cue(5.0, 7.5, "late"),)}, "cue 1 runs 5–7.5 s"),
    (lambda c: {"cues": (Cue(2.0, 1.0, "backwards"),)}, "backwards"),
    (lambda c: {"elements": (*c.elements, Element("headline", (900, 900, 1200, 1000), text="x"))},
     "outside the 1080×1080 frame"),
    (lambda c: {"subject": (10, 10, 5, 5)}, "subject box"),
])
def test_bad_requests_raise_engine_error(engine: KineticMotionEngine, square: Case, change: Any,
                                         message: str) -> None:
    with pytest.raises(EngineError) as caught:
        engine.animate(square.request(**change(square)))
    assert message in str(caught.value)


def test_a_silent_placement_or_a_gif_refuses_audio(engine: KineticMotionEngine, square: Case) -> None:
    assert square.format.video is not None
    silent = square.format.model_copy(update={"video": square.format.video.model_copy(update={"audio": False})})
    with pytest.raises(EngineError, match="plays no sound"):
        engine.animate(square.request(format=silent, audio=tone(6.0)))
    gif = square.format.model_copy(update={"file_types": ["gif"]})
    with pytest.raises(EngineError, match="GIF cannot carry audio"):
        engine.animate(square.request(format=gif, container="gif", audio=tone(6.0)))


def test_reading_back_garbage_raises_engine_error() -> None:
    with pytest.raises(EngineError, match="not a readable video"):
        probe(b"certainly not a video")
    with pytest.raises(EngineError, match="not a readable video"):
        extract_stills(b"\x00" * 64)
    with pytest.raises(EngineError, match="within 0…1"):
        extract_stills(b"", (0.5, 1.5))

"""Fixtures for the voice engine tests: the engine, a test music bed, a request factory."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from voice_support import write_music

from assetline.engines.voice import EspeakVoiceEngine, VoiceoverRequest

SCRIPT = "Summer sale. Everything must go, while stocks last. Shop now at our stores."


@pytest.fixture(scope="session")
def engine() -> EspeakVoiceEngine:
    return EspeakVoiceEngine()


@pytest.fixture(scope="session")
def music(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 10-second chord bed: longer than the test videos, so no loop seam falls in a measurement."""
    return write_music(tmp_path_factory.mktemp("music") / "bed.wav", 10.0)


@pytest.fixture(scope="session")
def make_request() -> Callable[..., VoiceoverRequest]:
    def make(**overrides: Any) -> VoiceoverRequest:
        fields: dict[str, Any] = {"script": SCRIPT, "language": "en", "voice": "en-gb", "duration": 8.0,
                                  "speech_window": (0.4, 6.0)}
        fields.update(overrides)
        return VoiceoverRequest(**fields)

    return make

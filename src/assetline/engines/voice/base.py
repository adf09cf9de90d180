"""Voice-over contract: what the voice engine is asked for and what it returns.

The voice engine turns a script into speech (espeak-ng, per language), times the captions to the speech,
mixes a music bed that ducks under the voice, and normalises the mix to the format's loudness target.
Everything is deterministic: the same request gives the same samples.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Protocol, runtime_checkable

import numpy as np

from assetline.errors import EngineError


class SpeechTooLongError(EngineError):
    """The script does not fit the speech window even at the fastest allowed rate (the caller may try a shorter
    script)."""


SAMPLE_RATE = 48_000
"""Every track the voice engine returns is 48 kHz float32 stereo, shape (samples, 2), within [-1, 1]."""


@dataclass(frozen=True)
class Cue:
    """One caption: shown from ``start`` to ``end`` seconds (end exclusive), one or two lines of text."""

    start: float
    end: float
    text: str

    def as_dict(self) -> dict[str, Any]:
        return {"start": round(self.start, 3), "end": round(self.end, 3), "text": self.text}


@dataclass(frozen=True)
class VoiceoverRequest:
    script: str
    """What is said (already built from the copy, see voice/script.py)."""
    language: str
    """BCP-47 language of the copy ('en', 'ar', 'hi' …)."""
    voice: str
    """espeak-ng voice name (from VoiceoverOptions.voices, else the language code)."""
    duration: float
    """Length of the video in seconds: the mix is exactly this long (samples = round(duration × 48000))."""
    speech_window: tuple[float, float]
    """(start, latest end) seconds within which the speech must fit; the rate is raised up to ``max_rate_wpm``
    to fit, and an EngineError says so when it still cannot."""
    rate_wpm: int = 165
    max_rate_wpm: int = 210
    pitch: int = 50
    music: Path | None = None
    """A licensed music file (WAV/MP3/OGG/FLAC), looped or trimmed to the duration, faded in and out."""
    music_gain_db: float = -18.0
    duck_db: float = 12.0
    loudness_lufs: float = -16.0
    true_peak_dbtp: float = -1.0


@dataclass(frozen=True)
class VoiceoverResult:
    audio: np.ndarray
    """float32 (samples, 2) at SAMPLE_RATE: the final normalised mix."""
    cues: tuple[Cue, ...]
    """Captions timed to the speech (each cue starts when its words start and ends when they end)."""
    speech: tuple[tuple[float, float], ...]
    """Intervals (seconds) where the voice speaks."""
    measurements: dict[str, float] = field(default_factory=dict)
    """'integrated_lufs', 'true_peak_dbtp', 'speech_seconds', 'rate_wpm', 'duck_db' (measured music dip)."""
    metadata: dict[str, Any] = field(default_factory=dict)
    """Engine, voice, espeak-ng version, script — recorded in lineage."""


@runtime_checkable
class VoiceEngine(Protocol):
    """What the runner calls for a voice-over (the built-in one is voiceover.EspeakVoiceEngine)."""

    id: ClassVar[str]
    version: ClassVar[str]
    modality: ClassVar[str]

    def speak(self, request: VoiceoverRequest) -> VoiceoverResult: ...

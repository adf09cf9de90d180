"""Voice-over: espeak-ng speech, timed captions, music bed with ducking, loudness normalisation.

The contract (``base``), the script builder and the caption formats import light; the engine, which needs
scipy.signal, PyAV and pyloudnorm (about a second to import), loads on first use of ``EspeakVoiceEngine``, so
modules that only need ``Cue`` (motion, QC, storyboard) do not pay for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from assetline.engines.voice.base import SAMPLE_RATE, Cue, VoiceEngine, VoiceoverRequest, VoiceoverResult
from assetline.engines.voice.captions import parse_srt, parse_vtt, split_captions, to_srt, to_vtt
from assetline.engines.voice.script import build_script, count_words

if TYPE_CHECKING:
    from assetline.engines.voice.voiceover import EspeakVoiceEngine

__all__ = [
    "SAMPLE_RATE", "Cue", "EspeakVoiceEngine", "VoiceEngine", "VoiceoverRequest", "VoiceoverResult", "build_script",
    "count_words", "parse_srt", "parse_vtt", "split_captions", "to_srt", "to_vtt",
]


def __getattr__(name: str) -> Any:
    if name == "EspeakVoiceEngine":
        from assetline.engines.voice.voiceover import EspeakVoiceEngine

        return EspeakVoiceEngine
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

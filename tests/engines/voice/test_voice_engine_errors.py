"""The voice engine under pressure: rate raised to fit, scripts that cannot fit, and bad requests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from assetline.engines.voice import EspeakVoiceEngine, VoiceoverRequest, split_captions
from assetline.engines.voice.espeak import synthesize
from assetline.errors import EngineError

MakeRequest = Callable[..., VoiceoverRequest]
PAUSE = 0.15


def _needed(script: str, rate: int) -> float:
    """Seconds the script takes at ``rate``: its caption chunks spoken one by one, with the pauses between."""
    chunks = split_captions(script)
    speech = sum(synthesize(c.replace("\n", " "), "en-gb", rate, 50).size / 48_000 for c in chunks)
    return speech + PAUSE * (len(chunks) - 1)


def test_rate_is_raised_until_the_speech_fits(engine: EspeakVoiceEngine, make_request: MakeRequest) -> None:
    request = make_request()
    at_165, at_210 = _needed(request.script, 165), _needed(request.script, 210)
    window_end = 0.4 + (at_165 + at_210) / 2  # too short at 165 wpm, long enough at 210
    result = engine.speak(make_request(speech_window=(0.4, window_end)))
    assert 165 < result.measurements["rate_wpm"] <= 210
    assert result.metadata["rate_wpm"] == result.measurements["rate_wpm"]
    assert result.cues[-1].end <= window_end
    # slower than needed: the engine stops at the first step that fits, not at the maximum
    relaxed = engine.speak(make_request(speech_window=(0.4, 0.4 + at_165 + 0.01)))
    assert relaxed.measurements["rate_wpm"] == 165


def test_script_that_cannot_fit_says_so(engine: EspeakVoiceEngine, make_request: MakeRequest) -> None:
    with pytest.raises(EngineError, match=r"voice-over needs \d+\.\d s but the video leaves 1\.6 s: shorten the "
                                          r"script or lengthen the video") as caught:
        engine.speak(make_request(duration=2.5, speech_window=(0.4, 2.0)))
    assert "210 wpm" in (caught.value.hint or "")


@pytest.mark.parametrize("script", ["", "   ", " . , ! "])
def test_empty_script(engine: EspeakVoiceEngine, make_request: MakeRequest, script: str) -> None:
    with pytest.raises(EngineError, match="script is empty") as caught:
        engine.speak(make_request(script=script))
    assert "motion.voiceover" in (caught.value.hint or "")


def test_unknown_voice(engine: EspeakVoiceEngine, make_request: MakeRequest) -> None:
    with pytest.raises(EngineError, match="espeak-ng has no voice 'qq-nope'") as caught:
        engine.speak(make_request(voice="qq-nope"))
    assert "en-gb" in (caught.value.hint or "")


def test_missing_music_file(engine: EspeakVoiceEngine, make_request: MakeRequest, tmp_path: Path) -> None:
    with pytest.raises(EngineError, match="music file not found"):
        engine.speak(make_request(music=tmp_path / "missing.ogg"))


def test_corrupt_music_file(engine: EspeakVoiceEngine, make_request: MakeRequest, tmp_path: Path) -> None:
    broken = tmp_path / "bed.mp3"
    broken.write_bytes(b"ID3" + bytes(range(256)) * 40)
    with pytest.raises(EngineError, match=r"cannot decode music file bed\.mp3|holds 0\.00 s"):
        engine.speak(make_request(music=broken))


def test_missing_espeak(make_request: MakeRequest, tmp_path: Path) -> None:
    engine = EspeakVoiceEngine(executable=str(tmp_path / "espeak-ng"))
    with pytest.raises(EngineError, match="espeak-ng is not installed"):
        engine.check_ready()
    with pytest.raises(EngineError, match="espeak-ng is not installed") as caught:
        engine.speak(make_request())
    assert "apt-get install -y espeak-ng" in (caught.value.hint or "")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [({"duration": 0.2, "speech_window": (0.0, 0.2)}, "at least 0.5 s"),
     ({"speech_window": (3.0, 2.0)}, "speech window 3.0–2.0 s"),
     ({"speech_window": (0.4, 9.0)}, "within the video's 0–8.0 s"),
     ({"rate_wpm": 230, "max_rate_wpm": 210}, "rate_wpm \\(230\\) ≤ max_rate_wpm \\(210\\)"),
     ({"loudness_lufs": 3.0}, "loudness target 3.0 LUFS"),
     ({"duck_db": -3.0}, "duck_db must be 0 or more")],
)
def test_bad_requests_are_refused_before_any_work(engine: EspeakVoiceEngine, make_request: MakeRequest,
                                                  overrides: dict[str, object], message: str) -> None:
    with pytest.raises(EngineError, match=message):
        engine.speak(make_request(**overrides))

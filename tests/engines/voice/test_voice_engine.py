"""The voice engine end to end: loudness (FFmpeg's meter), ducking depth, caption timing, languages, determinism.

Every check re-measures the engine's audio independently: loudness and true peak with FFmpeg's ebur128
filter, the music level on a marker tone above espeak-ng's band, speech onsets from frame energy.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from voice_support import RATE, ebur128, first_sound, frame_db, last_sound, tone_level_db, write_wav

from assetline.engines.voice import EspeakVoiceEngine, VoiceoverRequest, parse_srt, parse_vtt, to_srt, to_vtt
from assetline.engines.voice.base import VoiceEngine

MakeRequest = Callable[..., VoiceoverRequest]
SCRIPTS = {
    "en": "Summer sale. Everything must go, while stocks last. Shop now at our stores.",
    "ar": "تخفيضات الصيف. كل شيء يجب أن يذهب، حتى نفاد الكمية. تسوق الآن في متاجرنا.",
    "hi": "गर्मियों की सेल। सब कुछ बिकना है, स्टॉक रहने तक। अभी हमारे स्टोर पर खरीदें।",
}


def test_engine_is_a_voice_engine(engine: EspeakVoiceEngine) -> None:
    assert isinstance(engine, VoiceEngine)
    assert (engine.id, engine.version, engine.modality) == ("builtin.voice", "1", "voice")


@pytest.mark.parametrize("with_music", [False, True], ids=["speech", "speech+music"])
def test_mix_meets_loudness_and_true_peak_by_ffmpeg(
    engine: EspeakVoiceEngine, make_request: MakeRequest, music: Path, tmp_path: Path, with_music: bool
) -> None:
    result = engine.speak(make_request(music=music if with_music else None))
    assert result.audio.shape == (8 * RATE, 2) and result.audio.dtype == np.float32
    lufs, peak = ebur128(write_wav(tmp_path / "mix.wav", result.audio))
    assert lufs == pytest.approx(-16.0, abs=1.0)
    assert peak <= -1.0 + 0.2
    # the engine's own measurements agree with FFmpeg's
    assert result.measurements["integrated_lufs"] == pytest.approx(lufs, abs=0.3)
    assert result.measurements["true_peak_dbtp"] == pytest.approx(peak, abs=0.3)
    assert result.measurements["true_peak_dbtp"] <= -1.0


def test_other_targets_are_met_too(engine: EspeakVoiceEngine, make_request: MakeRequest, music: Path,
                                   tmp_path: Path) -> None:
    result = engine.speak(make_request(music=music, loudness_lufs=-23.0, true_peak_dbtp=-2.0))
    lufs, peak = ebur128(write_wav(tmp_path / "ebu.wav", result.audio))
    assert lufs == pytest.approx(-23.0, abs=1.0) and peak <= -2.0 + 0.2


@pytest.mark.parametrize("depth", [12.0, 6.0, 20.0])
def test_music_dips_by_duck_db_under_speech(
    engine: EspeakVoiceEngine, make_request: MakeRequest, music: Path, depth: float
) -> None:
    result = engine.speak(make_request(music=music, duck_db=depth, duration=9.0))
    under = [tone_level_db(result.audio, start + 0.05, end - 0.05) for start, end in result.speech]
    last_end = result.speech[-1][1]
    outside = tone_level_db(result.audio, last_end + 0.5, 9.0 - 1.1)  # after the release, before the fade-out
    for level in under:
        assert outside - level == pytest.approx(depth, abs=1.5)
    assert result.measurements["duck_db"] == pytest.approx(depth, abs=1.5)


def test_music_sits_music_gain_db_below_the_voice(engine: EspeakVoiceEngine, make_request: MakeRequest,
                                                   music: Path, tmp_path: Path) -> None:
    """With no ducking, music alone measures about music_gain_db below the voice alone (FFmpeg's meter)."""
    quiet = engine.speak(make_request(music=music, duck_db=0.0, music_gain_db=-60.0))
    mixed = engine.speak(make_request(music=music, duck_db=0.0, music_gain_db=-10.0))
    # the two mixes normalise to the same loudness; the speech part differs only by a gain, so the music is
    # what remains once the (scaled) speech-only mix is taken away
    speech = quiet.audio.astype(np.float64)
    scale = float(np.dot(mixed.audio[:, 0], speech[:, 0]) / np.dot(speech[:, 0], speech[:, 0]))
    music_only = mixed.audio - scale * speech
    voice, bed = (ebur128(write_wav(tmp_path / f"{n}.wav", a))[0] for n, a in (("v", scale * speech),
                                                                                ("m", music_only)))
    assert voice - bed == pytest.approx(10.0, abs=1.5)


def test_cues_are_ordered_within_the_video_and_start_on_the_speech(
    engine: EspeakVoiceEngine, make_request: MakeRequest
) -> None:
    result = engine.speak(make_request())
    cues = result.cues
    assert [c.text for c in cues] == ["Summer sale.", "Everything must go, while stocks last.",
                                      "Shop now at our stores."]
    assert cues[0].start == pytest.approx(0.4) and cues[-1].end <= 6.0
    for before, after in itertools.pairwise(cues):
        assert before.end < after.start and after.start - before.end == pytest.approx(0.15, abs=0.0011)
    levels = frame_db(result.audio)
    assert first_sound(levels, 0.0, cues[0].start - 0.06) is None  # silence before the first cue
    for i, cue in enumerate(cues):
        previous_end = cues[i - 1].end if i else 0.0
        onset = first_sound(levels, previous_end + 0.03, cue.end)
        offset = last_sound(levels, cue.start, cue.end + 0.12)
        assert onset is not None and offset is not None
        assert onset == pytest.approx(cue.start, abs=0.06)
        assert offset == pytest.approx(cue.end, abs=0.06)
    assert result.speech == tuple((c.start, c.end) for c in cues)
    assert result.measurements["speech_seconds"] == pytest.approx(cues[-1].end - cues[0].start)


def test_cue_times_are_whole_milliseconds_and_round_trip(engine: EspeakVoiceEngine,
                                                         make_request: MakeRequest) -> None:
    cues = engine.speak(make_request(speech_window=(0.4004, 6.0))).cues
    assert all(round(c.start * 1000) == c.start * 1000 and round(c.end * 1000) == c.end * 1000 for c in cues)
    assert parse_srt(to_srt(cues)) == cues
    assert parse_vtt(to_vtt(cues)) == cues


@pytest.mark.parametrize("language", sorted(SCRIPTS))
def test_languages_speak(engine: EspeakVoiceEngine, make_request: MakeRequest, music: Path, language: str,
                         tmp_path: Path) -> None:
    result = engine.speak(make_request(script=SCRIPTS[language], language=language, voice=language,
                                       duration=9.0, speech_window=(0.4, 8.0), music=music))
    assert len(result.cues) == 3 and result.cues[-1].end <= 8.0
    assert all(c.end - c.start > 0.3 for c in result.cues)
    assert result.measurements["speech_seconds"] > 2.0
    lufs, peak = ebur128(write_wav(tmp_path / f"{language}.wav", result.audio))
    assert lufs == pytest.approx(-16.0, abs=1.0) and peak <= -0.8
    assert result.metadata["voice"] == language and result.metadata["language"] == language


def test_voice_falls_back_to_the_language(engine: EspeakVoiceEngine, make_request: MakeRequest) -> None:
    assert engine.speak(make_request(voice="", language="de", script="Sommerschlussverkauf.")).metadata[
        "voice"] == "de"


def test_metadata_and_measurements(engine: EspeakVoiceEngine, make_request: MakeRequest, music: Path) -> None:
    result = engine.speak(make_request(music=music))
    assert result.metadata["engine"] == "builtin.voice" and result.metadata["version"] == "1"
    assert result.metadata["espeak_ng"][0].isdigit() and result.metadata["music"] == "bed.wav"
    assert result.metadata["voice"] == "en-gb" and result.metadata["script"].startswith("Summer sale.")
    assert result.metadata["rate_wpm"] == 165 and result.measurements["rate_wpm"] == 165.0
    assert {"integrated_lufs", "true_peak_dbtp", "speech_seconds", "rate_wpm", "duck_db"} <= set(result.measurements)


def test_same_request_same_samples(make_request: MakeRequest, music: Path) -> None:
    request = make_request(music=music)
    first, second = EspeakVoiceEngine().speak(request), EspeakVoiceEngine().speak(request)
    assert hashlib.sha256(first.audio.tobytes()).digest() == hashlib.sha256(second.audio.tobytes()).digest()
    assert first.cues == second.cues and first.measurements == second.measurements

"""Music bed (decode, resample, loop, fades), ducking envelope, loudness normalisation with a true-peak limiter.

Loudness and true peak are checked with FFmpeg's own EBU R128 meter, not with the code under test.
"""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
from voice_support import RATE, chord, ebur128, frame_db, write_music, write_wav

from assetline.engines.voice.mix import (
    duck,
    ducking_depth,
    limiter_gain,
    load_music,
    merge_intervals,
    normalise,
)
from assetline.errors import EngineError

DEMO_BED = Path(__file__).resolve().parents[3] / "src" / "assetline" / "examples" / "orbit-coffee" / "music-bed.ogg"


def _encode(path: Path, codec: str, rate: int, seconds: float = 2.0, hz: float = 440.0) -> Path:
    """A mono tone encoded by FFmpeg's own encoders (through PyAV): MP3, FLAC, Ogg/Opus."""
    tone = 0.3 * np.sin(2 * np.pi * hz * np.arange(round(seconds * rate)) / rate)
    with av.open(str(path), "w") as out:
        stream = out.add_stream(codec, rate=rate, layout="mono")
        frame = av.AudioFrame.from_ndarray((tone * 32767).astype(np.int16)[None, :], format="s16", layout="mono")
        frame.rate = rate
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            out.mux(packet)
    return path


def _peak_hz(signal: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(signal * np.hanning(signal.size)))
    return float(np.fft.rfftfreq(signal.size, 1 / RATE)[int(np.argmax(spectrum))])


# ---------------------------------------------------------------- load_music
@pytest.mark.parametrize(("codec", "suffix", "rate"), [("libmp3lame", "mp3", 44_100), ("flac", "flac", 44_100),
                                                        ("libopus", "ogg", 48_000), ("pcm_s16le", "wav", 22_050)])
def test_decodes_each_format_to_48k_stereo(tmp_path: Path, codec: str, suffix: str, rate: int) -> None:
    bed = load_music(_encode(tmp_path / f"tone.{suffix}", codec, rate), 1.5)
    assert bed.shape == (72_000, 2) and bed.dtype == np.float32
    assert np.array_equal(bed[:, 0], bed[:, 1])
    assert abs(_peak_hz(bed[12_000:60_000, 0]) - 440.0) < 2.0
    # a mono file is up-mixed with equal power (FFmpeg's default): −3 dB per side
    assert float(np.abs(bed[24_000:48_000]).max()) == pytest.approx(0.3 / np.sqrt(2), abs=0.02)


def test_trims_a_long_file_and_fades_both_ends(music: Path) -> None:
    bed = load_music(music, 3.0)
    source = chord(3.0)
    assert bed.shape == (144_000, 2)
    assert np.allclose(bed[30_000:90_000], source[30_000:90_000], atol=1e-6)  # between the fades: untouched
    assert abs(float(bed[0, 0])) < 1e-6 and abs(float(bed[-1, 0])) < 1e-3
    levels = frame_db(bed, 0.05)
    assert levels[0] < levels[4] - 6 and levels[-1] < levels[-12] - 6


def test_loops_a_short_file_with_a_seamless_crossfade(tmp_path: Path) -> None:
    seconds = 1.01234  # no partial of the chord has whole cycles in it: a hard splice would click
    clip = write_music(tmp_path / "short.wav", seconds)
    bed = load_music(clip, 5.0)
    source = chord(seconds)
    crossfade = RATE // 4
    period = source.shape[0] - crossfade
    assert bed.shape == (240_000, 2)
    # the second pass repeats the file exactly, once its crossfade is over
    assert np.allclose(bed[period + crossfade:2 * period], source[crossfade:period], atol=1e-6)
    # no click at a seam: the waveform's steepest step stays near the file's own (a hard splice doubles it)
    assert float(np.abs(np.diff(bed[:4 * RATE, 0])).max()) <= 1.25 * float(np.abs(np.diff(source[:, 0])).max())
    # and no gap or doubling: 0.1 s levels stay within a few dB of the file's own
    levels, own = frame_db(bed[RATE:4 * RATE], 0.1), frame_db(source, 0.1)
    assert own.min() - 3 < levels.min() and levels.max() < own.max() + 3


def test_demo_music_bed_loops_to_any_length() -> None:
    bed = load_music(DEMO_BED, 20.0)
    assert bed.shape == (960_000, 2) and float(np.abs(bed[13 * RATE:15 * RATE]).max()) > 0.05


def test_missing_music_file(tmp_path: Path) -> None:
    with pytest.raises(EngineError, match="music file not found"):
        load_music(tmp_path / "nope.mp3", 2.0)


@pytest.mark.parametrize("data", [bytes(range(256)) * 64, b"not audio at all\n" * 100, b""])
def test_corrupt_music_file(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "broken.mp3"
    path.write_bytes(data)
    with pytest.raises(EngineError, match=r"cannot decode music file broken\.mp3|holds 0\.00 s") as caught:
        load_music(path, 2.0)
    assert caught.value.hint


def test_a_music_file_too_short_to_loop(tmp_path: Path) -> None:
    with pytest.raises(EngineError, match="too short to loop"):
        load_music(write_music(tmp_path / "blip.wav", 0.05), 2.0)


# ---------------------------------------------------------------- duck
def test_ducking_is_fully_down_under_speech_and_glides_back() -> None:
    music = np.ones((6 * RATE, 2), dtype=np.float32)
    ducked, gain = duck(music, [(1.0, 2.0), (2.15, 3.0)], depth_db=12.0, attack=0.08, release=0.35)
    level = 20 * np.log10(gain)
    at = lambda t: float(level[round(t * RATE)])  # noqa: E731
    assert at(0.5) == 0.0 and at(4.0) == 0.0
    for t in (1.0, 1.5, 2.07, 2.9999):  # down by the time the voice starts; held across the 0.15 s pause
        assert at(t) == pytest.approx(-12.0, abs=1e-4)
    assert -12 < at(0.96) < 0 and -12 < at(3.2) < 0
    assert np.all(np.diff(level[round(0.9 * RATE):round(1.0 * RATE)]) <= 1e-9)  # ramps are monotonic
    assert np.all(np.diff(level[round(3.0 * RATE):round(3.36 * RATE)]) >= -1e-9)
    assert float(np.abs(np.diff(level)).max()) < 12 / (0.08 * RATE) * 2  # smooth: no step
    assert np.allclose(ducked[:, 0], gain) and ducking_depth(gain, [(1.0, 2.0), (2.15, 3.0)]) == pytest.approx(12)


def test_merge_intervals_joins_only_close_ones() -> None:
    assert merge_intervals([(3.0, 4.0), (0.0, 1.0), (1.2, 2.0)], 0.43) == [(0.0, 2.0), (3.0, 4.0)]


# ---------------------------------------------------------------- normalise
def test_brings_a_quiet_mix_to_target(tmp_path: Path) -> None:
    quiet = chord(4.0) * 0.02
    result = normalise(quiet, -16.0, -1.0)
    lufs, peak = ebur128(write_wav(tmp_path / "n.wav", result.audio))
    assert lufs == pytest.approx(-16.0, abs=0.2) and peak <= -0.8
    assert result.integrated_lufs == pytest.approx(-16.0, abs=0.1) and result.limited_db == 0.0


def test_limits_peaks_and_keeps_the_loudness(tmp_path: Path) -> None:
    """A quiet tone with loud clicks: gain to −16 LUFS alone would clip the clicks by about 15 dB."""
    t = np.arange(6 * RATE) / RATE
    signal = 0.05 * np.sin(2 * np.pi * 300 * t)
    for start in range(RATE // 4, signal.size - RATE, RATE // 2):
        signal[start:start + 96] += 0.9 * np.hanning(96) * np.sign(np.sin(np.arange(96)))
    stereo = np.stack([signal, signal], axis=1)
    result = normalise(stereo, -16.0, -1.0)
    assert result.limited_db > 3.0
    lufs, peak = ebur128(write_wav(tmp_path / "clicks.wav", result.audio))
    assert lufs == pytest.approx(-16.0, abs=0.5) and peak <= -1.0 + 0.2
    assert result.true_peak_dbtp <= -1.0


def test_limiter_gain_keeps_every_peak_under_the_ceiling() -> None:
    rng = np.random.default_rng(7)
    peaks = rng.uniform(0.0, 0.4, 20_000)
    peaks[5_000] = peaks[12_345] = 2.0
    gain = limiter_gain(peaks, 0.5)
    assert np.all(gain * peaks <= 0.5 + 1e-12) and np.all(gain <= 1.0)
    assert float(gain[5_000]) == pytest.approx(0.25) and float(gain[12_345]) == pytest.approx(0.25)
    assert np.all(gain[:4_500] == 1.0) and np.all(gain[7_000:12_000] == 1.0)  # only near the peaks


@pytest.mark.parametrize("audio", [np.zeros((RATE, 2)), np.full((RATE // 10, 2), 0.1)])
def test_silent_or_too_short_mixes_are_refused(audio: np.ndarray) -> None:
    with pytest.raises(EngineError, match=r"silent|too short"):
        normalise(audio)

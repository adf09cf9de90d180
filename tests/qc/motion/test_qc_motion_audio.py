"""motion.audio: integrated loudness and true peak of the decoded audio, checked against FFmpeg's own meter."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest
from qc_motion_kit import RATE, encode, motion_asset, solid, tone, video_format

from assetline.qc.base import CheckContext
from assetline.qc.checks.motion import MotionAudioCheck
from assetline.qc.motion.decode import DecodeCache, decode_video
from assetline.qc.motion.loudness import measure_loudness, true_peak

CHECK = MotionAudioCheck()
BLUE = solid((30, 60, 90))


def run(data: bytes, fmt=None, speech=(), **settings: float):
    asset = motion_asset(data, fmt or video_format(), speech=speech)
    return CHECK.run(asset, CheckContext(settings={CHECK.id: settings}))


def with_clicks(audio: np.ndarray) -> np.ndarray:
    """Three 20 ms full-scale 3 kHz bursts: a clipping peak on a quiet bed."""
    out = audio.copy()
    t = np.arange(round(0.02 * RATE)) / RATE
    burst = np.clip(1.2 * np.sin(2 * np.pi * 3000 * t), -1, 1)[:, None]
    for start in (0.5, 1.0, 1.5):
        i = round(start * RATE)
        out[i : i + len(burst)] = burst
    return out


def test_a_tone_at_minus_16_lufs_passes() -> None:
    result = run(encode(BLUE, audio=tone(2.0, -16)))
    assert result.status == "pass", result.message
    assert result.evidence["integrated_lufs"] == pytest.approx(-16, abs=0.2)
    assert result.evidence["true_peak_dbtp"] < -1 and abs(result.score) < 0.2


def test_a_tone_at_minus_24_lufs_fails() -> None:
    result = run(encode(BLUE, audio=tone(2.0, -24)))
    assert result.status == "fail"
    assert result.evidence["checks"]["loudness"]["status"] == "fail"
    assert result.score == pytest.approx(-8, abs=0.3)
    assert "LUFS, target -16 ± 1 LU" in result.message


def test_the_tolerance_and_target_come_from_the_policy_or_the_format() -> None:
    quiet = encode(BLUE, audio=tone(2.0, -24))
    assert run(quiet, loudness_tolerance_lu=9).status == "pass"
    assert run(quiet, video_format(loudness_lufs=-24)).status == "pass"


def test_a_clipping_peak_fails() -> None:
    result = run(encode(BLUE, audio=with_clicks(tone(2.0, -20))), loudness_tolerance_lu=10)
    assert result.status == "fail"
    assert result.evidence["checks"]["true_peak"]["status"] == "fail"
    assert result.evidence["true_peak_dbtp"] > -1.0
    assert "true peak" in result.message


def test_true_peak_sees_between_the_samples() -> None:
    # A sine at a quarter of the sample rate, sampled at ±45°: samples at 0.707, the wave peaks at 1.0.
    # Ramped in and out over 10 ms: an abrupt start would ring in any band-limited oversampler.
    n = np.arange(4800)
    ramp = np.minimum(1.0, np.minimum(n, n[::-1]) / 480.0)
    wave = (np.sin(np.pi / 2 * n + np.pi / 4) * ramp).astype(np.float32)
    assert 20 * np.log10(np.max(np.abs(wave))) == pytest.approx(-3.01, abs=0.01)
    assert true_peak(wave[:, None]) == pytest.approx(0.0, abs=0.05)


def test_silence_and_missing_audio() -> None:
    silent = encode(BLUE)
    assert run(silent).status == "na"
    missing = run(silent, speech=((0.2, 1.0),))
    assert missing.status == "fail" and "no audio stream" in missing.message
    digital_silence = encode(BLUE, audio=np.zeros((96_000, 2), dtype=np.float32))
    assert run(digital_silence).status == "warn"
    assert run(digital_silence, speech=((0.2, 1.0),)).status == "fail"


def test_audio_too_short_to_measure_fails() -> None:
    m = measure_loudness(np.zeros((RATE // 10, 2), dtype=np.float32), RATE)
    assert not m.measurable and m.seconds == pytest.approx(0.1)


def test_our_meter_agrees_with_ffmpeg_ebur128(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    music = tone(3.0, -19, hz=440) + 0.02 * rng.standard_normal((3 * RATE, 2)).astype(np.float32)
    data = encode(BLUE, seconds=3.0, audio=with_clicks(music))
    path = tmp_path / "clip.mp4"
    path.write_bytes(data)
    report = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostats", "-i", str(path), "-af", "ebur128=peak=true",
         "-f", "null", "-"], capture_output=True, text=True, check=True).stderr
    summary = report[report.rindex("Summary:"):]
    ffmpeg_lufs = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))
    ffmpeg_peak = float(re.search(r"Peak:\s+(-?[\d.]+) dBFS", summary).group(1))
    video = decode_video(data, DecodeCache())
    ours = measure_loudness(video.audio, video.audio_rate)
    assert ours.integrated_lufs == pytest.approx(ffmpeg_lufs, abs=0.1)
    assert ours.true_peak_dbtp == pytest.approx(ffmpeg_peak, abs=0.2)
    assert ours.true_peak_dbtp > -1.0  # the bursts make this a real true-peak comparison

"""Independent measurements for the voice tests: FFmpeg's EBU R128 meter, tone levels, speech onsets.

Nothing here calls the voice engine's own loudness or ducking code, so these checks can catch its mistakes:
loudness and true peak come from the separate FFmpeg binary that imageio-ffmpeg ships (``-af ebur128``),
the music level from a narrow-band projection onto a marker tone the speech cannot contain.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import scipy.io.wavfile

RATE = 48_000
MARKER_HZ = 16_000.0
"""A partial of the test chord above espeak-ng's band: espeak-ng speaks at 22.05 kHz, so its speech holds
nothing above 11.025 kHz, and the level of this tone in a mix is the level of the music alone."""
CHORD_HZ = (220.0, 277.18, 329.63, MARKER_HZ)


def write_wav(path: Path, audio: np.ndarray, rate: int = RATE) -> Path:
    """A float32 WAV (what FFmpeg then reads back)."""
    scipy.io.wavfile.write(path, rate, np.asarray(audio, dtype=np.float32))
    return path


def chord(seconds: float, rate: int = RATE, amplitude: float = 0.12) -> np.ndarray:
    """An A-major chord with a high 'shimmer' partial (the marker), stereo float32: our test music bed."""
    t = np.arange(round(seconds * rate)) / rate
    mono = sum(amplitude * np.sin(2 * np.pi * f * t + i) for i, f in enumerate(CHORD_HZ))
    return np.stack([mono, mono], axis=1).astype(np.float32)


def write_music(path: Path, seconds: float, rate: int = RATE) -> Path:
    """'Licensed' test music: the chord as a WAV file (CC0, written by the test itself)."""
    return write_wav(path, chord(seconds, rate), rate)


def ebur128(path: Path) -> tuple[float, float]:
    """(integrated loudness LUFS, true peak dBTP) of an audio file, by FFmpeg's ebur128 filter."""
    argv = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostats", "-i", str(path),
            "-af", "ebur128=peak=true", "-f", "null", "-"]
    log = subprocess.run(argv, capture_output=True, text=True, check=True, timeout=120).stderr
    summary = log[log.rindex("Summary:"):]
    integrated = re.search(r"I:\s+(-?[\d.]+|-inf) LUFS", summary)
    peak = re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    assert integrated and peak, summary
    return float(integrated.group(1)), float(peak.group(1))


def tone_level_db(audio: np.ndarray, start: float, end: float, hz: float = MARKER_HZ,
                  window: float = 0.04) -> float:
    """Median level (dB) of the ``hz`` tone in ``window``-second slices of [start, end), left channel.

    Projection onto sine and cosine at ``hz`` over a whole number of the tone's cycles: exact for the tone,
    blind to everything else; the median ignores the odd slice a limiter touched.
    """
    n = round(window * RATE)
    t = np.arange(n) / RATE
    basis = np.exp(-2j * np.pi * hz * t)
    levels = []
    for s in range(round(start * RATE), round(end * RATE) - n, n):
        amplitude = 2 * abs(np.dot(audio[s:s + n, 0].astype(np.float64), basis)) / n
        levels.append(20 * np.log10(max(amplitude, 1e-12)))
    assert levels, f"no {window} s slice fits in {start}–{end} s"
    return float(np.median(levels))


def frame_db(audio: np.ndarray, frame: float = 0.005) -> np.ndarray:
    """RMS level (dBFS) of consecutive ``frame``-second frames of the left channel."""
    n = round(frame * RATE)
    usable = audio[: audio.shape[0] // n * n, 0].astype(np.float64).reshape(-1, n)
    return 20 * np.log10(np.maximum(np.sqrt((usable**2).mean(axis=1)), 1e-12))


def first_sound(levels: np.ndarray, start: float, end: float, threshold_db: float = -45.0,
                frame: float = 0.005) -> float | None:
    """Time (s) of the first frame in [start, end) louder than ``threshold_db``, or None."""
    lo, hi = max(int(start / frame), 0), min(int(end / frame), levels.size)
    loud = np.flatnonzero(levels[lo:hi] > threshold_db)
    return None if loud.size == 0 else (lo + int(loud[0])) * frame


def last_sound(levels: np.ndarray, start: float, end: float, threshold_db: float = -45.0,
               frame: float = 0.005) -> float | None:
    """End time (s) of the last frame in [start, end) louder than ``threshold_db``, or None."""
    lo, hi = max(int(start / frame), 0), min(int(end / frame), levels.size)
    loud = np.flatnonzero(levels[lo:hi] > threshold_db)
    return None if loud.size == 0 else (lo + int(loud[-1]) + 1) * frame

"""The music bed and the final mix: decode and fit the music, duck it under the voice, normalise loudness.

Usage::

    bed = load_music(Path("bed.mp3"), seconds=6.0)               # (288000, 2) float32, 48 kHz, faded
    bed, gain = duck(bed, [(0.4, 2.1), (2.25, 4.0)], depth_db=12)
    result = normalise(speech + bed, target_lufs=-16, true_peak_dbtp=-1)
    result.audio, result.integrated_lufs, result.true_peak_dbtp

Loudness is ITU-R BS.1770 integrated loudness (pyloudnorm, K-weighted, gated); the true peak is the sample
peak of the signal oversampled 4× (BS.1770 annex 2), which catches the peaks that fall between samples and
that a DAC or a lossy encoder would clip. Gain brings the mix to its target; where that pushes the true peak
over the ceiling, a look-ahead limiter lowers only the peaks, and the gain is raised again until the loudness
is back on target (a few rounds; each round re-measures both).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from assetline.engines.voice.base import SAMPLE_RATE
from assetline.errors import EngineError

Interval = tuple[float, float]

CROSSFADE = 0.25
"""Seconds the end of the music overlaps its start when it loops (equal-power, so the seam does not dip)."""
FADE_IN = 0.5
FADE_OUT = 1.0
LIMITER_LOOKAHEAD = 0.0025
"""Seconds the limiter's gain starts falling before a peak (and takes to recover after its hold)."""
LIMITER_HOLD = 0.03
"""Seconds the limiter keeps its gain down after a peak, so it does not flutter on every waveform cycle."""
TOLERANCE_LU = 0.1
"""The loudness the normaliser aims for (well within the ±0.5 LU it promises)."""
MAX_ROUNDS = 10


@dataclass(frozen=True)
class Normalised:
    """The mix at its loudness target, and what was measured on the result (not predicted)."""

    audio: np.ndarray
    """float32 (samples, 2), true peak ≤ the ceiling."""
    integrated_lufs: float
    true_peak_dbtp: float
    gain_db: float
    """Static gain applied before limiting."""
    limiter_gain: np.ndarray
    """Per-sample gain of the limiter (1.0 where it did nothing)."""
    limited_db: float
    """Deepest limiter gain reduction, in dB (0.0 when the peaks were already under the ceiling)."""


# ---------------------------------------------------------------- music
def load_music(path: Path, seconds: float, *, fade_in: float = FADE_IN, fade_out: float = FADE_OUT) -> np.ndarray:
    """The music file as exactly round(seconds × 48000) stereo samples: looped or trimmed, faded in and out.

    Decodes WAV, MP3, OGG, FLAC (anything FFmpeg reads) with PyAV and resamples with av.AudioResampler.
    Raises EngineError for a missing file, one FFmpeg cannot decode, or one without audio.
    """
    total = round(seconds * SAMPLE_RATE)
    clip = _decode(Path(path), limit=total + round(CROSSFADE * SAMPLE_RATE))
    bed = _loop(clip, total, round(CROSSFADE * SAMPLE_RATE))
    for length, ramp_in in ((round(min(fade_in, seconds / 4) * SAMPLE_RATE), True),
                            (round(min(fade_out, seconds / 4) * SAMPLE_RATE), False)):
        if length:
            ramp = np.sin(np.linspace(0.0, np.pi / 2, length, dtype=np.float64)).astype(np.float32)[:, None]
            if ramp_in:
                bed[:length] *= ramp
            else:
                bed[total - length:] *= ramp[::-1]
    return bed


def _decode(path: Path, limit: int) -> np.ndarray:
    """Up to ``limit`` samples of the first audio stream, as float32 (n, 2) at 48 kHz."""
    if not path.is_file():
        raise EngineError(f"music file not found: {path}", hint="check the brand kit's audio asset path")
    resampler = av.AudioResampler(format="fltp", layout="stereo", rate=SAMPLE_RATE)
    parts: list[np.ndarray] = []
    got = 0
    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                raise EngineError(f"music file has no audio stream: {path}")
            for frame in container.decode(container.streams.audio[0]):
                for resampled in resampler.resample(frame):
                    parts.append(resampled.to_ndarray().T)
                    got += parts[-1].shape[0]
                if got >= limit:
                    break
            else:
                parts.extend(rest.to_ndarray().T for rest in resampler.resample(None))
    except av.FFmpegError as exc:
        raise EngineError(f"cannot decode music file {path.name}: {exc}",
                          hint="use a WAV, MP3, OGG or FLAC file that plays") from exc
    clip = np.concatenate(parts).astype(np.float32) if parts else np.zeros((0, 2), np.float32)
    if clip.shape[0] < SAMPLE_RATE // 10:
        raise EngineError(f"music file {path.name} holds {clip.shape[0] / SAMPLE_RATE:.2f} s of audio, too short "
                          "to loop as a bed", hint="use a music file of at least a few seconds")
    return np.ascontiguousarray(clip[:limit])


def _loop(clip: np.ndarray, total: int, crossfade: int) -> np.ndarray:
    """Repeat ``clip`` until ``total`` samples, each seam a crossfade of ``crossfade`` samples.

    The crossfade keeps the power constant whatever the file: equal-power (sine/cosine) when the overlapping
    ends are unrelated, flattened towards equal-gain as they correlate (a loop whose ends match would
    otherwise swell by up to 3 dB at every seam).
    """
    if clip.shape[0] >= total:
        return clip[:total].copy()
    crossfade = min(crossfade, clip.shape[0] // 4)
    tail, head = clip[clip.shape[0] - crossfade:].astype(np.float64), clip[:crossfade].astype(np.float64)
    energy = float(np.sqrt((tail**2).sum() * (head**2).sum()))
    correlation = min(max(float((tail * head).sum()) / energy, 0.0), 1.0) if energy > 0 else 0.0
    theta = np.linspace(0.0, np.pi / 2, crossfade, dtype=np.float64)
    norm = np.sqrt(1.0 + 2.0 * correlation * np.sin(theta) * np.cos(theta))
    rise = (np.sin(theta) / norm)[:, None].astype(np.float32)
    fall = (np.cos(theta) / norm)[:, None].astype(np.float32)
    out = np.zeros((total, 2), dtype=np.float32)
    pos = 0
    while pos < total:
        n = min(clip.shape[0], total - pos)
        if pos and crossfade:
            out[pos:pos + min(crossfade, n)] *= fall[:n]
            piece = clip[:n].copy()
            piece[:crossfade] *= rise[:n]
            out[pos:pos + n] += piece
        else:
            out[pos:pos + n] = clip[:n]
        pos += clip.shape[0] - crossfade
    return out


# ---------------------------------------------------------------- ducking
def duck(
    music: np.ndarray, speech: Sequence[Interval], depth_db: float, attack: float = 0.08, release: float = 0.35
) -> tuple[np.ndarray, np.ndarray]:
    """Dip the music by ``depth_db`` under speech: (ducked music, per-sample linear gain).

    The dip is fully down when the voice starts (it begins ``attack`` seconds early) and comes back over
    ``release`` seconds after it stops; both ramps are raised cosines in dB, so the level glides rather than
    steps. Speech intervals closer than attack + release count as one, so the music does not pump in the
    short pauses between caption chunks.
    """
    n = music.shape[0]
    gain_db = np.zeros(n, dtype=np.float64)
    a, r = round(attack * SAMPLE_RATE), round(release * SAMPLE_RATE)
    for start, end in merge_intervals(speech, attack + release):
        s, e = round(start * SAMPLE_RATE), round(end * SAMPLE_RATE)
        curve = np.full(e - s + a + r, -float(depth_db), dtype=np.float64)
        curve[:a] *= _raised_cosine(a)
        curve[len(curve) - r:] *= _raised_cosine(r)[::-1]
        lo, hi = max(s - a, 0), min(e + r, n)
        if lo < hi:
            segment = curve[lo - (s - a):hi - (s - a)]
            gain_db[lo:hi] = np.minimum(gain_db[lo:hi], segment)
    gain = (10.0 ** (gain_db / 20.0)).astype(np.float32)
    return music * gain[:, None], gain


def merge_intervals(intervals: Sequence[Interval], gap: float) -> list[Interval]:
    """Sorted intervals, those less than ``gap`` seconds apart joined into one."""
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start - merged[-1][1] < gap:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def ducking_depth(gain: np.ndarray, speech: Sequence[Interval], attack: float = 0.08,
                  release: float = 0.35) -> float:
    """How far the music sits lower under speech than away from it, in dB, measured on a gain curve.

    Median gain inside the speech intervals against the median where no ramp reaches (at least ``attack``
    before and ``release`` after any speech); 0 dB is the reference when speech leaves no such place.
    """
    inside = np.zeros(gain.shape[0], dtype=bool)
    near = np.zeros(gain.shape[0], dtype=bool)
    for start, end in speech:
        inside[round(start * SAMPLE_RATE):round(end * SAMPLE_RATE)] = True
        near[max(round((start - attack) * SAMPLE_RATE), 0):round((end + release) * SAMPLE_RATE)] = True
    if not inside.any():
        return 0.0
    level_db = 20 * np.log10(np.maximum(gain, 1e-9))
    outside = float(np.median(level_db[~near])) if (~near).any() else 0.0
    return outside - float(np.median(level_db[inside]))


def _raised_cosine(length: int) -> np.ndarray:
    """0 → 1 over ``length`` samples, smooth at both ends."""
    return 0.5 - 0.5 * np.cos(np.pi * (np.arange(length) + 0.5) / max(length, 1))


# ---------------------------------------------------------------- loudness
def integrated_loudness(audio: np.ndarray) -> float:
    """BS.1770 integrated loudness in LUFS (−inf for silence). EngineError when under one 0.4 s block."""
    if audio.shape[0] < round(0.4 * SAMPLE_RATE):
        raise EngineError(f"audio of {audio.shape[0] / SAMPLE_RATE:.2f} s is too short to measure loudness "
                          "(BS.1770 needs at least 0.4 s)")
    import pyloudnorm  # local, like scipy below: engine discovery must stay light (the CLI lists engines)

    return float(pyloudnorm.Meter(SAMPLE_RATE).integrated_loudness(audio.astype(np.float64)))


def true_peak(audio: np.ndarray) -> float:
    """True peak in dBTP: the sample peak of the 4× oversampled signal."""
    return _db(float(np.max(_peaks(audio), initial=0.0)))


def normalise(mix: np.ndarray, target_lufs: float = -16.0, true_peak_dbtp: float = -1.0) -> Normalised:
    """Bring ``mix`` to ``target_lufs`` with its true peak at or under ``true_peak_dbtp``.

    Raises EngineError for a silent mix (there is nothing to bring up) or one shorter than 0.4 s.
    """
    source = mix.astype(np.float64)
    measured = integrated_loudness(source)
    if not np.isfinite(measured):
        raise EngineError("the mix is silent: nothing to normalise", hint="check the script and the music file")
    source_peaks = _peaks(source)  # peaks scale with gain: measured once, re-measured only after limiting
    ceiling_db = true_peak_dbtp
    gain_db = target_lufs - measured
    best: tuple[float, np.ndarray, np.ndarray, float, float] | None = None
    for _ in range(MAX_ROUNDS):
        scale = 10 ** (gain_db / 20)
        limiter = limiter_gain(source_peaks * scale, 10 ** (ceiling_db / 20))
        out = source * (scale * limiter)[:, None]
        limited = bool(limiter.min() < 1.0)
        peak = true_peak(out) if limited else _db(float(source_peaks.max()) * scale)
        loudness = integrated_loudness(out)
        if peak > true_peak_dbtp:
            ceiling_db -= peak - true_peak_dbtp + 0.01  # intersample overshoot of the gain curve: aim lower
            continue
        if best is None or abs(loudness - target_lufs) < abs(best[3] - target_lufs):
            best = (gain_db, out, limiter, loudness, peak)
        if abs(loudness - target_lufs) <= TOLERANCE_LU:
            break
        gain_db += target_lufs - loudness
    if best is None:  # the limiter never got under the ceiling: scale the last attempt down onto it
        down = 10 ** ((true_peak_dbtp - peak) / 20)
        best = (gain_db, out * down, limiter * down, integrated_loudness(out * down), true_peak(out * down))
    gain_db, out, limiter, loudness, peak = best
    return Normalised(out.astype(np.float32), loudness, peak, gain_db, limiter.astype(np.float32),
                      max(0.0, -_db(float(limiter.min()))))


def limiter_gain(peaks: np.ndarray, ceiling: float) -> np.ndarray:
    """Per-sample gain ≤ 1 that keeps every peak (``_peaks``: 4× oversampled, per sample) under ``ceiling``.

    The needed gain per sample is spread by a min filter (look-ahead + hold), then smoothed by a moving average
    no wider than that spread, so the smoothed gain never exceeds what any nearby peak needs.
    """
    needed = np.minimum(1.0, ceiling / np.maximum(peaks, 1e-12))
    if needed.min() >= 1.0:
        return np.ones(peaks.shape[0])
    look, hold = round(LIMITER_LOOKAHEAD * SAMPLE_RATE), round(LIMITER_HOLD * SAMPLE_RATE)
    # window [k - look - hold, k + look] for each k: an average over [n - look, n + look] only sees minima of
    # windows that contain n.
    from scipy.ndimage import minimum_filter1d, uniform_filter1d

    spread = minimum_filter1d(needed, size=2 * look + hold + 1, origin=hold // 2, mode="nearest")
    smooth: np.ndarray = np.minimum(uniform_filter1d(spread, size=2 * look + 1, mode="nearest"), 1.0)
    return smooth


def _db(linear: float) -> float:
    return 20 * float(np.log10(linear)) if linear > 0 else float("-inf")


def _peaks(audio: np.ndarray) -> np.ndarray:
    """Per original sample, the largest magnitude among it and its three oversampled neighbours (all channels)."""
    channels = np.ascontiguousarray(audio.reshape(audio.shape[0], -1).T)
    if channels.shape[1] == 0:
        return np.zeros(0)
    from scipy.signal import resample_poly

    over = np.abs(resample_poly(channels, 4, 1, axis=1))
    # in-place elementwise maxima: numpy's .max(axis=…) over tiny axes, or reduce over a list, is slow
    peaks = np.abs(channels)
    for phase in range(4):
        np.maximum(peaks, over[:, phase::4], out=peaks)
    result: np.ndarray = peaks[0].copy()
    for row in peaks[1:]:
        np.maximum(result, row, out=result)
    return result

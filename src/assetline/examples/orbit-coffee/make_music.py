"""Synthesises the demo's music bed, music-bed.ogg (run once; the file is committed). Our own work: CC0.

A 12-second loop at 80 bpm (C – G – Am – F, one bar each): a soft detuned pad, a plucked arpeggio and a round
bass, mastered to about −20 LUFS so the voice-over sits well above it before ducking. Deterministic.
"""

from pathlib import Path

import av
import numpy as np

HERE = Path(__file__).parent
RATE = 48_000
BAR = 3.0  # seconds (4 beats at 80 bpm)
CHORDS = [(60, 64, 67), (55, 59, 62), (57, 60, 64), (53, 57, 60)]  # C, G, Am, F (MIDI notes)


def hz(note: float) -> float:
    return 440.0 * 2 ** ((note - 69) / 12)


def envelope(n: int, attack: float, release: float) -> np.ndarray:
    t = np.arange(n) / RATE
    env = np.minimum(1.0, t / attack) * np.minimum(1.0, (n / RATE - t) / release)
    return np.clip(env, 0.0, 1.0)


def pad(chord: tuple[int, ...], n: int) -> np.ndarray:
    t = np.arange(n) / RATE
    out = np.zeros((n, 2))
    for note in chord:
        for side, detune in ((0, -0.07), (1, 0.07)):
            f = hz(note + detune)
            out[:, side] += np.sin(2 * np.pi * f * t) + 0.3 * np.sin(4 * np.pi * f * t + 0.5)
    return out * envelope(n, 0.6, 0.8)[:, None] * 0.08


def pluck(note: int, n: int) -> np.ndarray:
    t = np.arange(n) / RATE
    f = hz(note + 12)
    tone = np.sin(2 * np.pi * f * t) + 0.4 * np.sin(6 * np.pi * f * t)
    return tone * np.exp(-t * 7.0) * envelope(n, 0.004, 0.05) * 0.10


def bass(note: int, n: int) -> np.ndarray:
    t = np.arange(n) / RATE
    return np.sin(2 * np.pi * hz(note - 24) * t) * np.exp(-t * 1.6) * envelope(n, 0.01, 0.2) * 0.22


def song() -> np.ndarray:
    bar = int(BAR * RATE)
    beat = bar // 4
    eighth = beat // 2
    out = np.zeros((bar * len(CHORDS), 2))
    for i, chord in enumerate(CHORDS):
        start = i * bar
        out[start:start + bar] += pad(chord, bar)
        for k in range(8):  # arpeggio up and down the chord, panned gently
            note = (*chord, chord[0] + 12)[[0, 1, 2, 3, 2, 1, 2, 3][k]]
            s = start + k * eighth
            p = pluck(note, min(beat * 2, len(out) - s))
            pan = 0.35 + 0.3 * (k % 2)
            out[s:s + len(p), 0] += p * (1 - pan)
            out[s:s + len(p), 1] += p * pan
        for k in (0, 2):
            s = start + k * beat
            b = bass(chord[0], min(beat * 2, len(out) - s))
            out[s:s + len(b)] += b[:, None]
    return (out / np.max(np.abs(out)) * 0.45).astype(np.float32)


def write(samples: np.ndarray, path: Path) -> None:
    with av.open(str(path), "w", format="ogg") as container:
        stream = container.add_stream("libopus", rate=RATE, layout="stereo")
        stream.bit_rate = 96_000
        frame_size = 960
        for i in range(0, len(samples), frame_size):
            chunk = np.ascontiguousarray(samples[i:i + frame_size].T)
            if chunk.shape[1] < frame_size:
                chunk = np.pad(chunk, ((0, 0), (0, frame_size - chunk.shape[1])))
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
            frame.sample_rate = RATE
            frame.pts = i
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)


if __name__ == "__main__":
    write(song(), HERE / "music-bed.ogg")

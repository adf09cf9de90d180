"""espeak-ng as a subprocess: text in on stdin, 22.05 kHz WAV out on stdout, 48 kHz float32 back to Python.

Usage::

    samples = synthesize("Summer sale.", voice="en-gb", rate_wpm=165, pitch=50)   # float32 mono, 48 kHz
    espeak_version()                                                              # '1.51'

espeak-ng is a formant synthesiser: no model files, no network, and the same text, voice, rate and pitch give
the same samples on every run, which is what lets voice-overs enter content keys. It is a system package
(Debian ``espeak-ng``; ``scripts/ensure_espeak.sh`` installs it), found on PATH or at /usr/bin/espeak-ng.
The text goes in on stdin (never through a shell), so nothing in the copy is read as an option.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from pathlib import Path

import numpy as np

from assetline.engines.voice.base import SAMPLE_RATE
from assetline.errors import EngineError

DEFAULT_EXECUTABLE = "/usr/bin/espeak-ng"
INSTALL_HINT = "install it with scripts/ensure_espeak.sh (or: apt-get install -y espeak-ng)"
RATE_RANGE = (80, 450)
"""Words per minute espeak-ng accepts (it clamps outside this range; we refuse instead)."""
SILENCE = 10 ** (-50 / 20)
"""Samples quieter than −50 dBFS at either end are trimmed: the cue then starts on the first sound."""
EDGE_FADE = 0.002
"""Seconds of fade at each trimmed edge, so the cut never clicks."""
TIMEOUT = 60.0


def find_espeak(executable: str | Path | None = None) -> str:
    """The espeak-ng binary to run: ``executable`` if given, else PATH, else /usr/bin/espeak-ng."""
    candidate = str(executable) if executable else shutil.which("espeak-ng") or DEFAULT_EXECUTABLE
    if not Path(candidate).is_file():
        raise EngineError(f"espeak-ng is not installed (looked for {candidate})", hint=INSTALL_HINT)
    return candidate


def espeak_version(executable: str | Path | None = None) -> str:
    """The espeak-ng version ('1.51'), recorded in lineage: a new espeak-ng may say things differently."""
    out = _run([find_espeak(executable), "--version"], b"").stdout.decode("utf-8", "replace")
    words = out.split()
    try:
        return words[words.index("text-to-speech:") + 1]
    except (ValueError, IndexError):
        return out.strip() or "unknown"


def list_voices(executable: str | Path | None = None) -> list[tuple[str, str]]:
    """(language, voice file) pairs from ``espeak-ng --voices``, in its order (for hints)."""
    out = _run([find_espeak(executable), "--voices"], b"").stdout.decode("utf-8", "replace")
    voices: list[tuple[str, str]] = []
    for line in out.splitlines()[1:]:
        columns = line.split()
        if len(columns) >= 5:
            voices.append((columns[1], columns[4]))
    return voices


def synthesize(
    text: str, voice: str, rate_wpm: int, pitch: int, *, executable: str | Path | None = None
) -> np.ndarray:
    """Speak ``text``: float32 mono at 48 kHz, leading and trailing silence trimmed (may be empty).

    Raises EngineError when espeak-ng is missing, the voice is unknown (the hint lists voices it has), the
    rate or pitch is out of range, or espeak-ng fails.
    """
    if not voice or voice.startswith("-") or any(ch.isspace() for ch in voice):
        raise EngineError(f"'{voice}' is not an espeak-ng voice name", hint="e.g. en-gb, ar, hi, de, fr, es")
    if not RATE_RANGE[0] <= rate_wpm <= RATE_RANGE[1]:
        raise EngineError(f"speaking rate {rate_wpm} wpm is outside espeak-ng's {RATE_RANGE[0]}–{RATE_RANGE[1]}")
    if not 0 <= pitch <= 99:
        raise EngineError(f"pitch {pitch} is outside espeak-ng's 0–99")
    exe = find_espeak(executable)
    # -b 1: the text is UTF-8 (Arabic, Devanagari); --stdout: a WAV on stdout rather than the sound card.
    argv = [exe, "--stdout", "-b", "1", "-v", voice, "-s", str(rate_wpm), "-p", str(pitch)]
    done = _run(argv, text.encode("utf-8"))
    message = done.stderr.decode("utf-8", "replace").strip()
    if done.returncode != 0:
        if "voice" in message.lower():
            raise EngineError(f"espeak-ng has no voice '{voice}'", hint=_voice_hint(voice, exe))
        raise EngineError(f"espeak-ng failed (exit {done.returncode}): {message or 'no message'}")
    rate, pcm = parse_wav(done.stdout)
    return trim_silence(to_48k(pcm, rate))


def parse_wav(data: bytes) -> tuple[int, np.ndarray]:
    """(sample rate, float32 mono) from espeak-ng's 16-bit PCM WAV.

    espeak-ng streams to stdout, so its RIFF and data sizes are placeholders (≈2 GiB): the data chunk is read
    to the end of what arrived instead of trusting its size.
    """
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise EngineError("espeak-ng did not write a WAV file")
    pos, rate, channels, bits = 12, 0, 0, 0
    while pos + 8 <= len(data):
        chunk, size = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
        body = data[pos + 8:pos + 8 + size]
        if chunk == b"fmt ":
            fmt, channels, rate, _, _, bits = struct.unpack("<HHIIHH", body[:16])
            if fmt != 1 or bits != 16:
                raise EngineError(f"espeak-ng wrote WAV format {fmt} with {bits}-bit samples, expected 16-bit PCM")
        elif chunk == b"data":
            if not rate:
                raise EngineError("espeak-ng's WAV has no format chunk before its data")
            usable = len(body) - len(body) % (2 * channels)
            pcm = np.frombuffer(body[:usable], dtype="<i2").reshape(-1, channels)
            return rate, (pcm[:, 0].astype(np.float32) / 32768.0)
        pos += 8 + size + (size & 1)
    raise EngineError("espeak-ng's WAV has no data chunk")


def to_48k(samples: np.ndarray, rate: int) -> np.ndarray:
    """Resample to 48 kHz with a polyphase filter (22050 → 48000 is ×320/147), clipped to [−1, 1]."""
    if rate == SAMPLE_RATE or samples.size == 0:
        return samples.astype(np.float32)
    divisor = int(np.gcd(rate, SAMPLE_RATE))
    from scipy.signal import resample_poly  # local: importing scipy.signal costs ~1 s; discovery stays light

    out: np.ndarray = resample_poly(samples.astype(np.float64), SAMPLE_RATE // divisor, rate // divisor)
    clipped: np.ndarray = np.clip(out, -1.0, 1.0)
    return clipped.astype(np.float32)


def trim_silence(samples: np.ndarray, threshold: float = SILENCE) -> np.ndarray:
    """Cut leading and trailing silence (below ``threshold``) and fade the cut edges over 2 ms."""
    loud = np.flatnonzero(np.abs(samples) > threshold)
    if loud.size == 0:
        return np.zeros(0, dtype=np.float32)
    out = samples[loud[0]:loud[-1] + 1].copy()
    fade = min(int(EDGE_FADE * SAMPLE_RATE), out.size // 2)
    if fade:
        ramp = np.linspace(0.0, 1.0, fade, endpoint=False, dtype=np.float32)
        out[:fade] *= ramp
        out[out.size - fade:] *= ramp[::-1]
    return out


def _voice_hint(voice: str, executable: str) -> str:
    """A few voices espeak-ng does have: those of the same language first, then the common ones."""
    voices = list_voices(executable)
    prefix = re.split(r"[-_+/.]", voice)[0].lower()
    same = [lang for lang, _ in voices if lang.lower().split("-")[0] == prefix]
    common = [lang for lang, _ in voices if lang in ("en-gb", "en-us", "ar", "hi", "de", "fr-fr", "es")]
    names = list(dict.fromkeys([*same, *common]))[:8]
    return (
        f"voices espeak-ng has include {', '.join(names)} ({len(voices)} in all: espeak-ng --voices); "
        "set motion.voiceover.voices.<language> in the campaign"
    )


def _run(argv: list[str], stdin: bytes) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(argv, input=stdin, capture_output=True, timeout=TIMEOUT, check=False)
    except FileNotFoundError as exc:
        raise EngineError(f"espeak-ng is not installed ({argv[0]})", hint=INSTALL_HINT) from exc
    except subprocess.TimeoutExpired as exc:
        raise EngineError(f"espeak-ng did not finish within {TIMEOUT:.0f} s") from exc
    except OSError as exc:
        raise EngineError(f"cannot run espeak-ng ({argv[0]}): {exc}") from exc

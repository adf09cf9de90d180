"""The built-in voice engine: espeak-ng speech, captions timed to it, a ducked music bed, a normalised mix.

Usage::

    from assetline.engines.voice import EspeakVoiceEngine, VoiceoverRequest
    result = EspeakVoiceEngine().speak(VoiceoverRequest(
        script="Summer sale. Everything must go.", language="en", voice="en-gb",
        duration=6.0, speech_window=(0.4, 4.0), music=Path("bed.wav")))
    result.audio          # (288000, 2) float32 at 48 kHz, −16 LUFS, true peak ≤ −1 dBTP
    result.cues           # captions, each timed to exactly when its words are heard

Components: ``captions`` (the script cut into caption chunks; SRT/WebVTT), ``espeak`` (espeak-ng as a
subprocess), ``mix`` (music bed, ducking, loudness). Each caption chunk is spoken on its own and the chunks are
laid end to end with a short pause, so a cue starts on the first sound of its words and ends on the last: the
captions need no forced alignment. Times are whole milliseconds, so SRT and WebVTT carry them exactly.
"""

from __future__ import annotations

import math
from typing import ClassVar

import numpy as np

from assetline.engines.voice.base import SAMPLE_RATE, Cue, SpeechTooLongError, VoiceoverRequest, VoiceoverResult
from assetline.engines.voice.captions import split_captions
from assetline.engines.voice.espeak import RATE_RANGE, espeak_version, find_espeak, synthesize
from assetline.engines.voice.mix import duck, ducking_depth, integrated_loudness, load_music, normalise
from assetline.engines.voice.script import count_words
from assetline.errors import EngineError

PAUSE = 0.15
"""Seconds of silence between caption chunks (a breath; short enough that the music stays ducked)."""
RATE_STEP = 10
"""Words per minute added each time the speech does not fit its window."""
MIN_DURATION = 0.5
"""Seconds: loudness (BS.1770) cannot be measured on less than one 0.4 s block."""
_MS = SAMPLE_RATE // 1000


def check_inputs(request: VoiceoverRequest) -> None:
    """Raise EngineError with the exact fix for a request the engine cannot serve."""
    if not count_words(request.script):
        raise EngineError("the voice-over script is empty: there is nothing to say",
                          hint="fill the copy fields motion.voiceover.script names, or set "
                               "motion.voiceover.enabled: false")
    if not math.isfinite(request.duration) or request.duration < MIN_DURATION:
        raise EngineError(f"a voice-over needs a video of at least {MIN_DURATION} s, not {request.duration} s")
    start, end = request.speech_window
    if not 0 <= start < end <= request.duration + 1e-9:
        raise EngineError(f"speech window {start}–{end} s must lie within the video's 0–{request.duration} s "
                          "and end after it starts")
    low, high = RATE_RANGE
    if not low <= request.rate_wpm <= request.max_rate_wpm <= high:
        raise EngineError(f"speaking rates must satisfy {low} ≤ rate_wpm ({request.rate_wpm}) ≤ max_rate_wpm "
                          f"({request.max_rate_wpm}) ≤ {high}")
    if not -70 < request.loudness_lufs < 0 or request.true_peak_dbtp > 0:
        raise EngineError(f"loudness target {request.loudness_lufs} LUFS / true peak {request.true_peak_dbtp} dBTP "
                          "is out of range", hint="broadcast and web targets lie between −31 and −9 LUFS, peaks ≤ 0")
    if request.duck_db < 0 or not math.isfinite(request.music_gain_db):
        raise EngineError("duck_db must be 0 or more and music_gain_db a number of dB")
    if request.music is not None and not request.music.is_file():
        raise EngineError(f"music file not found: {request.music}", hint="check the brand kit's audio asset path")


class EspeakVoiceEngine:
    """Speaks a script with espeak-ng, times its captions, mixes a ducked music bed, normalises loudness.

    Components: ``executable`` (the espeak-ng binary; default: PATH, then /usr/bin/espeak-ng). Deterministic:
    the same request gives the same samples. Bump ``version`` whenever the output for a request changes.
    """

    id: ClassVar[str] = "builtin.voice"
    version: ClassVar[str] = "1"
    modality: ClassVar[str] = "voice"

    def __init__(self, executable: str | None = None) -> None:
        self._executable = executable

    def check_ready(self, settings: object = None) -> None:
        """Raise EngineError when espeak-ng is not installed here (called before a run writes anything)."""
        find_espeak(self._executable)

    def speak(self, request: VoiceoverRequest) -> VoiceoverResult:
        # 1. Check inputs.
        check_inputs(request)
        voice = request.voice or request.language

        # 2. Cut the script into caption chunks.
        chunks = split_captions(request.script)

        # 3. Speak each chunk, raising the rate until the speech fits its window.
        rate, clips = self._fit(request, voice, chunks)

        # 4. Lay the chunks end to end from the window's start; each cue spans its chunk's sound.
        total = round(request.duration * SAMPLE_RATE)
        speech = np.zeros(total, dtype=np.float32)
        cues: list[Cue] = []
        at = _ms(request.speech_window[0])
        for text, clip in zip(chunks, clips, strict=True):
            speech[at * _MS:at * _MS + clip.size] = clip
            cues.append(Cue(at / 1000, (at + clip.size // _MS) / 1000, text))
            at += clip.size // _MS + _ms(PAUSE)
        intervals = tuple((cue.start, cue.end) for cue in cues)
        mix = np.repeat(speech[:, None], 2, axis=1)

        # 5. Music bed: levelled against the speech, ducked under it.
        duck_gain = None
        if request.music is not None:
            bed = load_music(request.music, request.duration)[:total]
            bed_lufs = integrated_loudness(bed)
            if not math.isfinite(bed_lufs):
                raise EngineError(f"music file {request.music.name} is silent")
            level_db = integrated_loudness(mix) + request.music_gain_db - bed_lufs
            bed, duck_gain = duck(bed * np.float32(10 ** (level_db / 20)), intervals, request.duck_db)
            mix = mix + bed

        # 6. Normalise to the loudness target under the true-peak ceiling.
        final = normalise(mix, request.loudness_lufs, request.true_peak_dbtp)

        # 7. Result: what was measured on the final mix, and what lineage records.
        measured_duck = 0.0 if duck_gain is None else ducking_depth(duck_gain * final.limiter_gain, intervals)
        measurements = {
            "integrated_lufs": final.integrated_lufs,
            "true_peak_dbtp": final.true_peak_dbtp,
            "speech_seconds": cues[-1].end - cues[0].start,
            "rate_wpm": float(rate),
            "duck_db": measured_duck,
            "gain_db": final.gain_db,
            "limited_db": final.limited_db,
        }
        metadata = {
            "engine": self.id, "version": self.version, "espeak_ng": espeak_version(self._executable),
            "voice": voice, "language": request.language, "rate_wpm": rate, "pitch": request.pitch,
            "script": request.script, "chunks": len(chunks), "pause": PAUSE,
            "music": request.music.name if request.music is not None else None,
        }
        return VoiceoverResult(
            audio=np.clip(final.audio, -1.0, 1.0), cues=tuple(cues), speech=intervals,
            measurements={k: round(float(v), 3) for k, v in measurements.items()}, metadata=metadata,
        )

    def _fit(self, request: VoiceoverRequest, voice: str, chunks: list[str]) -> tuple[int, list[np.ndarray]]:
        """The first rate (from rate_wpm, in RATE_STEP steps up to max_rate_wpm) at which the speech fits."""
        start, end = _ms(request.speech_window[0]), int(request.speech_window[1] * 1000 + 1e-6)
        rates = [*range(request.rate_wpm, request.max_rate_wpm, RATE_STEP), request.max_rate_wpm]
        for rate in rates:
            clips = [self._say(text, voice, rate, request.pitch) for text in chunks]
            needed = sum(clip.size // _MS for clip in clips) + _ms(PAUSE) * (len(clips) - 1)
            if start + needed <= end:
                return rate, clips
        raise SpeechTooLongError(
            f"voice-over needs {needed / 1000:.1f} s but the video leaves {(end - start) / 1000:.1f} s: shorten "
            "the script or lengthen the video",
            hint=f"even at {request.max_rate_wpm} wpm (max_rate_wpm) the script does not fit the speech window "
                 f"{request.speech_window[0]}–{request.speech_window[1]} s",
        )

    def _say(self, text: str, voice: str, rate: int, pitch: int) -> np.ndarray:
        """One chunk's speech, padded with silence to whole milliseconds (so cue times are exact)."""
        clip = synthesize(text.replace("\n", " "), voice, rate, pitch, executable=self._executable)
        if clip.size == 0:
            raise EngineError(f"espeak-ng voice '{voice}' said nothing for '{text}'",
                              hint="is the voice right for the script's language? (motion.voiceover.voices)")
        return np.pad(clip, (0, -clip.size % _MS))


def _ms(seconds: float) -> int:
    """Seconds to whole milliseconds (rounded)."""
    return round(seconds * 1000)

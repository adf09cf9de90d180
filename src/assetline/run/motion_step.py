"""The motion half of a compose step on a motion format: speak, animate, encode, and describe for the gates.

The composer has set the layout on the background as a still; that still is the end card. Here the voice engine
speaks the script built from the copy (timed captions, music bed ducked under the voice, loudness-normalised),
the motion engine animates the layout over the format's duration, and the video, its poster frame and its caption
sidecars are written as blobs. The per-asset gates then look at the poster (the still checks) and at the video as
delivered (the motion checks, via ``MotionUnderCheck``).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PIL import Image

from assetline.engines.base import ComposeResult, CopyResult
from assetline.engines.compose.scripts import detect_script
from assetline.engines.motion.base import MotionRequest
from assetline.engines.voice.base import Cue, SpeechTooLongError, VoiceoverRequest, VoiceoverResult
from assetline.engines.voice.captions import to_srt, to_vtt
from assetline.engines.voice.script import build_script
from assetline.errors import EngineError
from assetline.qc.base import MotionUnderCheck
from assetline.spec.formats import ChannelFormat

if TYPE_CHECKING:
    from assetline.run.steps import WorkerContext

SPEECH_TAIL = 0.3
"""Seconds of silence the voice leaves before the video ends."""
CODEC_HEADROOM_DB = 1.0
"""The mix is limited this far below the format's true-peak ceiling: AAC encoding raises peaks by up to ~0.5 dB,
and the motion gate measures the decoded audio of the file as delivered."""
MAX_CPS = 20.0
"""Caption reading speed the motion.captions gate allows by default (characters a second)."""


@dataclass(frozen=True)
class Animated:
    data: bytes
    media_type: str
    poster: Image.Image
    meta: dict[str, Any]
    """Stored as the artifact's ``meta['motion']``: timeline, cues, blobs of the poster and captions, voice."""
    under_check: MotionUnderCheck


def animate(job: dict[str, Any], ctx: WorkerContext, fmt: ChannelFormat, copy: CopyResult,
            background: Image.Image, composed: ComposeResult, background_meta: dict[str, Any]) -> Animated:
    """Voice-over + animation + encoding for one motion cell (``job``: the compose step's job)."""
    assert fmt.video is not None
    motion = ctx.loaded.campaign.motion
    engines = ctx.loaded.campaign.engines
    params = job["motion"]
    duration, fps = float(params["duration"]), fmt.video.fps
    audio, cues, speech, voice_meta = None, (), (), {}
    if fmt.video.audio and motion.voiceover.enabled:
        spoken, script = _speak(ctx, fmt, copy, duration)
        if spoken is not None:
            audio, cues, speech = spoken.audio, spoken.cues, spoken.speech
            voice_meta = {**_plain(spoken.metadata), "script": script,
                          "measurements": _rounded(spoken.measurements)}
    burn = motion.captions in ("burned", "both") and bool(cues)
    engine = ctx.registry.get(engines.motion, "motion")
    subject = background_meta.get("subject_box")
    result = engine.animate(MotionRequest(
        format=fmt, background=background, composed=composed.image.convert("RGB"), elements=composed.elements,
        duration=duration, fps=fps, seed=int(job["seed"]), subject=tuple(subject) if subject else None,
        end_card=motion.end_card, audio=audio, cues=tuple(cues), burn_captions=burn,
        caption_font=_caption_font(ctx, cues), container="mp4", max_bitrate_kbps=fmt.video.max_bitrate_kbps))
    if result.media_type not in ("video/mp4", "video/webm"):
        raise EngineError(f"motion engine {engines.motion} returned {result.media_type}, not a video")
    poster_sha = ctx.blobs.put(_jpeg(result.poster))
    captions: dict[str, str] = {}
    if cues and motion.captions in ("sidecar", "both"):
        captions = {"srt": ctx.blobs.put(to_srt(list(cues)).encode("utf-8")),
                    "vtt": ctx.blobs.put(to_vtt(list(cues)).encode("utf-8"))}
    cue_dicts = tuple(c.as_dict() for c in cues)
    mode = motion.captions if cues else "none"
    if burn and result.metadata.get("captions_not_burned"):  # no free band: the sidecar files carry them
        mode = "sidecar"
        if not captions:
            captions = {"srt": ctx.blobs.put(to_srt(list(cues)).encode("utf-8")),
                        "vtt": ctx.blobs.put(to_vtt(list(cues)).encode("utf-8"))}
    meta = {"timeline": result.timeline, "cues": list(cue_dicts), "speech": [list(s) for s in speech],
            "poster_sha": poster_sha, "captions": captions, "captions_mode": mode,
            "duration": duration, "fps": fps, "voiceover": voice_meta, "encoding": _plain(result.metadata)}
    under_check = MotionUnderCheck(data=result.data, timeline=result.timeline, cues=cue_dicts,
                                   captions_mode=meta["captions_mode"], speech=tuple(speech),
                                   target_duration=duration)
    return Animated(result.data, result.media_type, result.poster, meta, under_check)


def _speak(ctx: WorkerContext, fmt: ChannelFormat, copy: CopyResult,
           duration: float) -> tuple[VoiceoverResult | None, str]:
    """The voice-over of the first script (the campaign's, then its shorter ones) that fits the video."""
    assert fmt.video is not None
    vo = ctx.loaded.campaign.motion.voiceover
    voice = ctx.registry.get(ctx.loaded.campaign.engines.voice, "voice")
    music: Path | None = None
    if vo.music:
        asset = ctx.loaded.brand.kit.asset(vo.music)
        assert asset is not None  # checked by the spec loader
        music = ctx.loaded.brand.file(asset.file)
    scripts = [s for s in dict.fromkeys(build_script(t, dict(copy.fields)) for t in (vo.script, *vo.shorter)) if s]
    max_cps = float(ctx.check_context.for_check("motion.captions").get("max_cps", MAX_CPS))
    spoken: VoiceoverResult | None = None
    for i, script in enumerate(scripts):
        try:
            spoken = voice.speak(VoiceoverRequest(
                script=script, language=copy.language, voice=vo.voices.get(copy.language, copy.language),
                duration=duration, speech_window=(vo.lead_in, duration - SPEECH_TAIL), rate_wpm=vo.rate_wpm,
                max_rate_wpm=vo.max_rate_wpm, pitch=vo.pitch, music=music, music_gain_db=vo.music_gain_db,
                duck_db=vo.duck_db, loudness_lufs=fmt.video.loudness_lufs,
                true_peak_dbtp=fmt.video.true_peak_dbtp - CODEC_HEADROOM_DB))
        except SpeechTooLongError:
            if i == len(scripts) - 1:
                raise
            continue
        # Spoken fast enough to fit, the captions may be too fast to read: then a shorter script is better.
        if _fastest_cps(spoken.cues) <= max_cps or i == len(scripts) - 1:
            return spoken, script
    return None, ""


def _fastest_cps(cues: tuple[Cue, ...]) -> float:
    """The highest reading speed (characters a second) of any caption."""
    return max((len(c.text.replace("\n", " ")) / max(c.end - c.start, 1e-3) for c in cues), default=0.0)


def _caption_font(ctx: WorkerContext, cues: tuple[Cue, ...] | list[Cue]) -> Path | None:
    """The kit's font for the captions' script (Arabic, Devanagari …), else its body font."""
    if not cues:
        return None
    fonts = ctx.fonts()
    script = detect_script(" ".join(c.text for c in cues))
    return fonts.get(str(script), fonts["body"])


def _jpeg(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.convert("RGB").save(buf, "JPEG", quality=88, optimize=True)
    return buf.getvalue()


def _rounded(values: dict[str, float]) -> dict[str, float]:
    return {k: round(float(v), 3) for k, v in values.items()}


def _plain(value: Any) -> Any:
    """JSON-able copy of engine metadata (tuples → lists, numpy scalars → numbers, paths → strings)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "item") and callable(value.item):
        return value.item()
    return value

"""The built-in motion engine: a composed layout → a short kinetic video whose last seconds are the still.

Usage::

    from assetline.engines.motion import KineticMotionEngine, MotionRequest
    result = KineticMotionEngine().animate(MotionRequest(format=fmt, background=bg, composed=still,
                                                         elements=composed.elements, duration=6, fps=30, seed=7))
    Path("ad.mp4").write_bytes(result.data); result.timeline["shots"]

Components (one module each): ``layers`` (the still taken apart into picture, scrims, panels and one overlay
per element), ``timeline`` (camera, staggered entrances, logo sting, shots; the contract with QC and the
storyboard), ``captions`` (burned-in cues placed clear of the layout), ``frames`` (rendering on YUV planes),
``encode`` (MP4 / WebM / GIF with PyAV) and ``probe`` (reading videos back).
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import av
import numpy as np

from assetline.engines.base import Box
from assetline.engines.motion.base import MotionRequest, MotionResult
from assetline.engines.motion.captions import CaptionPlan, caption_font, plan_captions
from assetline.engines.motion.encode import MEDIA_TYPES, EncodeSettings, encode_gif, encode_video, gif_rate
from assetline.engines.motion.frames import FrameRenderer
from assetline.engines.motion.layers import extract_layers
from assetline.engines.motion.timeline import KINETIC_KINDS, Timeline, plan_timeline
from assetline.engines.voice.base import SAMPLE_RATE
from assetline.errors import EngineError

MIN_ANIMATION = 0.5
"""Seconds of animation the video must have before its end card."""
_CODEC_FOR = {"mp4": "h264", "webm": "vp9"}


def _box_error(name: str, box: Any, width: int, height: int) -> str | None:
    try:
        left, top, right, bottom = (int(v) for v in box)
    except (TypeError, ValueError):
        return f"{name} box {box!r} is not (left, top, right, bottom)"
    if right <= left or bottom <= top:
        return f"{name} box {tuple(box)} is empty"
    if left < 0 or top < 0 or right > width or bottom > height:
        return f"{name} box {tuple(box)} lies outside the {width}×{height} frame"
    return None


def check_inputs(request: MotionRequest) -> None:
    """Raise EngineError with the exact fix for a request the motion engine cannot serve."""
    fmt, video = request.format, request.format.video
    if video is None:
        raise EngineError(f"format '{fmt.id}' is not a motion format (it has no 'video' spec)",
                          hint="animate formats whose id ends in -video, e.g. meta-feed-1x1-video")
    for name, image in (("background", request.background), ("composed", request.composed)):
        if image.size != fmt.size:
            raise EngineError(f"{name} is {image.width}×{image.height}, but format '{fmt.id}' is "
                              f"{fmt.width}×{fmt.height}", hint="render the visual and the layout at the format size")
        if image.mode != "RGB":
            raise EngineError(f"{name} is a {image.mode} image; the motion engine takes RGB",
                              hint="pass image.convert('RGB')")
    if request.container not in fmt.file_types:
        raise EngineError(f"format '{fmt.id}' does not accept {request.container} files",
                          hint=f"it accepts: {', '.join(fmt.file_types)}")
    codec = _CODEC_FOR.get(request.container)
    if codec is not None and codec not in video.codecs:
        raise EngineError(f"format '{fmt.id}' does not accept {codec} video", hint=f"codecs: {', '.join(video.codecs)}")
    if request.container != "gif" and (fmt.width % 2 or fmt.height % 2):
        raise EngineError(f"{fmt.width}×{fmt.height} cannot be encoded as 4:2:0 video: width and height must be even")
    if request.fps != video.fps:
        raise EngineError(f"fps {request.fps} does not match format '{fmt.id}' ({video.fps} fps)",
                          hint=f"pass fps={video.fps}")
    if not math.isfinite(request.duration) or not video.min_duration <= request.duration <= video.max_duration:
        raise EngineError(f"duration {request.duration:g} s is outside format '{fmt.id}''s "
                          f"{video.min_duration:g}–{video.max_duration:g} s")
    if not math.isfinite(request.end_card) or request.end_card < 0 \
            or request.duration - request.end_card < MIN_ANIMATION:
        raise EngineError(f"end card of {request.end_card:g} s leaves less than {MIN_ANIMATION:g} s of animation "
                          f"in a {request.duration:g} s video",
                          hint=f"use end_card ≤ {max(0.0, request.duration - MIN_ANIMATION):g} s")
    limit = request.max_bitrate_kbps
    if limit is not None and not 200 <= limit <= video.max_bitrate_kbps:
        raise EngineError(f"max_bitrate_kbps {limit} is outside 200–{video.max_bitrate_kbps} (format '{fmt.id}')")
    _check_audio(request)
    for i, cue in enumerate(request.cues):
        if not (0 <= cue.start < cue.end <= request.duration + 1e-6):
            raise EngineError(f"cue {i + 1} runs {cue.start:g}–{cue.end:g} s, outside the {request.duration:g} s "
                              "video or backwards")
    for i, element in enumerate(request.elements):
        if element.kind in (*KINETIC_KINDS, "scrim"):
            problem = _box_error(f"element {i} ({element.kind})", element.box, fmt.width, fmt.height)
            if problem:
                raise EngineError(problem, hint="pass the composer's elements for this very still")
    if request.subject is not None:
        problem = _box_error("subject", request.subject, fmt.width, fmt.height)
        if problem:
            raise EngineError(problem)


def _check_audio(request: MotionRequest) -> None:
    audio = request.audio
    if audio is None:
        return
    assert request.format.video is not None
    if not request.format.video.audio:
        raise EngineError(f"format '{request.format.id}' plays no sound: pass audio=None")
    if request.container == "gif":
        raise EngineError("a GIF cannot carry audio: pass audio=None or choose mp4/webm")
    samples = round(request.duration * SAMPLE_RATE)
    if not isinstance(audio, np.ndarray) or audio.dtype != np.float32 or audio.shape != (samples, 2):
        got = f"{audio.dtype} {audio.shape}" if isinstance(audio, np.ndarray) else type(audio).__name__
        raise EngineError(f"audio must be float32 ({samples}, 2) — {request.duration:g} s of 48 kHz stereo — "
                          f"got {got}", hint="pass the voice engine's mix for this duration")
    if not np.isfinite(audio).all():
        raise EngineError("audio contains NaN or infinite samples")


class KineticMotionEngine:
    """Ken Burns on the picture, kinetic type, a logo sting and an end card that is the composed still.

    Deterministic: the same request gives byte-identical bytes. Bump ``version`` whenever output changes.
    ``preset``/``crf``/``threads`` tune x264 (one thread: the runner renders one video per core).
    """

    id: ClassVar[str] = "builtin.motion"
    version: ClassVar[str] = "1"
    modality: ClassVar[str] = "motion"

    def __init__(self, preset: str = "veryfast", crf: int = 20, threads: int = 1) -> None:
        self.preset, self.crf, self.threads = preset, crf, threads

    def animate(self, request: MotionRequest) -> MotionResult:
        # 1. Check inputs.
        check_inputs(request)
        fmt = request.format
        assert fmt.video is not None
        zone = fmt.safe_zone
        safe: Box = (zone.left, zone.top, fmt.width - zone.right, fmt.height - zone.bottom)
        fps = gif_rate(request.fps) if request.container == "gif" else request.fps

        # 2. Take the still apart: picture, scrims, painted panels, one overlay per element.
        layers = extract_layers(request.background, request.composed, request.elements)

        # 3. Plan camera, entrances and shots.
        timeline = plan_timeline(request.elements, fmt.width, fmt.height, fps, request.duration, request.end_card,
                                 safe, request.seed, layers.camera_region, request.subject,
                                 animate_scrims=layers.scrims_animated)

        # 4. Captions: placed clear of everything that moves.
        plan = CaptionPlan((), True, 0)
        font = None
        unburned = ""
        if request.burn_captions and request.cues:
            font = caption_font(request.cues, request.caption_font)
            plan = plan_captions(request.cues, fmt.width, fmt.height, safe, _obstacles(timeline), font,
                                 _language(request))
            if not plan.clear:  # no band inside the safe zone is free of the layout: captions would cover copy
                unburned = "no room to burn captions inside the safe zone clear of the layout"
                plan = CaptionPlan((), True, 0)

        # 5. Render and encode.
        renderer = FrameRenderer(timeline, layers, request.composed, plan.captions)
        if request.container == "gif":
            end = min(timeline.frames - 1, math.ceil(timeline.end_card_start * fps))
            data, meta = encode_gif(renderer.rgb, timeline.frames, fps, fmt.size, (0, end // 2, end))
        else:
            settings = EncodeSettings(request.container, fmt.width, fmt.height, fps,
                                      request.max_bitrate_kbps or fmt.video.max_bitrate_kbps, crf=self.crf,
                                      preset=self.preset, threads=self.threads)
            data, meta = encode_video(renderer.planes, timeline.frames, settings, request.audio)

        # 6. Result.
        captions = _caption_dicts(request, plan)
        meta |= {"engine": self.id, "engine_version": self.version, "pyav": av.__version__,
                 "libavcodec": ".".join(str(v) for v in av.library_versions["libavcodec"]),
                 "camera": timeline.camera.kind, "layers": {str(k): v for k, v in layers.modes.items()},
                 "rest_psnr_db": layers.rest_psnr_db, "style": timeline.style, "bytes": len(data)}
        if unburned:
            meta["captions_not_burned"] = unburned
        if plan.captions:
            meta |= {"captions_clear": plan.clear, "caption_px": plan.px, "caption_font": font.name if font else None}
        return MotionResult(data=data, media_type=MEDIA_TYPES[request.container], poster=request.composed.copy(),
                            timeline=timeline.to_dict(captions), metadata=meta)


def _obstacles(timeline: Timeline) -> list[Box]:
    """Every box a text, button or logo occupies at any keyframe (captions keep clear of all of them)."""
    out = []
    for track in timeline.tracks:
        for kind, box in zip(track.kinds, track.boxes, strict=True):
            if kind not in KINETIC_KINDS:
                continue
            placed = [track.placed(box, t) for t in track.sample_times()]
            out.append((int(min(p[0] for p in placed)), int(min(p[1] for p in placed)),
                        math.ceil(max(p[2] for p in placed)), math.ceil(max(p[3] for p in placed))))
    return out


def _language(request: MotionRequest) -> str:
    return next((str(e.extra.get("language")) for e in request.elements if e.kind == "headline"
                 and e.extra.get("language")), "en")


def _caption_dicts(request: MotionRequest, plan: CaptionPlan) -> list[dict[str, Any]]:
    boxes = {(c.start, c.end, c.text): list(c.box) for c in plan.captions}
    return [{**cue.as_dict(), "box": boxes.get((cue.start, cue.end, cue.text))} for cue in request.cues]

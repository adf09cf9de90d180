"""Motion engine: ms per frame to animate and encode real demo layouts (1080×1080 and 1080×1920).

    .venv/bin/python -m bench --only motion [--quick]

For each format × layout the composed still is built as the runner builds it (bench/_fixture.py), then the
motion engine renders the format's default duration (6 s square, 10 s Reels) with a 2 s end card and a
silent track of the right length. Timed separately: taking the still apart (layers, once per video), rendering
every frame (YUV planes), and the whole ``animate`` call (render + x264 + mux); encode = whole − layers −
render. The process is pinned to one core while it measures (where the OS allows), as the runner gives one
video one core. Full: every layout on both formats, plus WebM and GIF for the square hero; --quick: hero only.
"""

from __future__ import annotations

import os
import statistics
import time
from typing import Any

import numpy as np

from assetline.engines.motion import KineticMotionEngine, MotionRequest
from assetline.engines.motion.frames import FrameRenderer
from assetline.engines.motion.layers import extract_layers
from assetline.engines.motion.timeline import plan_timeline
from assetline.spec.campaign import LAYOUTS
from assetline.spec.formats import ChannelFormat, catalogue
from bench._common import show
from bench._fixture import LAYOUT_CONCEPT, DemoFixture

NAME = "motion"
FORMATS = ("meta-feed-1x1-video", "meta-reels-9x16-video")


def _case(fx: DemoFixture, fmt: ChannelFormat, layout: str) -> tuple[Any, Any, tuple[int, int, int, int] | None]:
    concept = fx.concepts[LAYOUT_CONCEPT[layout]]
    segment = next(s for s in fx.loaded.campaign.segments if s.language == "en")
    copy = fx.copy_engine.generate(fx.copy_request(concept, segment, fmt, 0))
    visual = fx.visual_engine.generate(fx.visual_request(concept, fmt, 0))
    key = f"{concept.id}/{segment.id}/{fmt.id}/v0"
    result = fx.compose_engine.compose(fx.compose_request(fmt, copy, visual.image, {}, layout, key, segment.id))
    subject = visual.metadata.get("subject_box")
    return visual.image.convert("RGB"), result, tuple(subject) if subject else None


def _pin_one_core() -> set[int] | None:
    if not hasattr(os, "sched_setaffinity"):
        return None
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(before)})
    return before


def _measure(engine: KineticMotionEngine, fmt: ChannelFormat, background: Any, result: Any,
             subject: tuple[int, int, int, int] | None, container: str = "mp4") -> dict[str, Any]:
    assert fmt.video is not None
    duration = fmt.video.duration
    request = MotionRequest(format=fmt, background=background, composed=result.image.convert("RGB"),
                            elements=result.elements, duration=duration, fps=fmt.video.fps, seed=1, subject=subject,
                            container=container,  # type: ignore[arg-type]
                            audio=None if container == "gif" else np.zeros((round(duration * 48_000), 2), np.float32))
    t0 = time.perf_counter()
    layers = extract_layers(background, request.composed, result.elements)
    t1 = time.perf_counter()
    zone = fmt.safe_zone
    timeline = plan_timeline(result.elements, fmt.width, fmt.height, fmt.video.fps, duration, 2.0,
                             (zone.left, zone.top, fmt.width - zone.right, fmt.height - zone.bottom), 1,
                             layers.camera_region, subject, layers.scrims_animated)
    renderer = FrameRenderer(timeline, layers, request.composed)
    for index in range(timeline.frames):
        renderer.planes(index)
    t2 = time.perf_counter()
    out = engine.animate(request)
    t3 = time.perf_counter()
    frames = out.timeline["frames"]
    layers_ms, render_ms, total_ms = (t1 - t0) * 1000, (t2 - t1) * 1000, (t3 - t2) * 1000
    return {"format": fmt.id, "size": f"{fmt.width}x{fmt.height}", "container": container, "frames": frames,
            "layers_ms": round(layers_ms, 1), "render_ms_per_frame": round(render_ms / frames, 2),
            "encode_ms_per_frame": round(max(0.0, total_ms - layers_ms - render_ms) / frames, 2),
            "total_ms_per_frame": round(total_ms / frames, 2), "seconds": round(total_ms / 1000, 2),
            "video_s_per_wall_s_per_core": round(duration / ((layers_ms + total_ms) / 1000), 3),
            "kbytes": round(len(out.data) / 1024), "camera": out.metadata["camera"],
            "rest_psnr_db": out.metadata["rest_psnr_db"]}


def run(quick: bool = False) -> dict[str, Any]:
    fx = DemoFixture.load()
    cat = catalogue()
    engine = KineticMotionEngine()
    layouts = ("hero",) if quick else LAYOUTS
    cases = {(f, lay): _case(fx, cat[f], lay) for f in FORMATS for lay in layouts}
    before = _pin_one_core()
    rows: list[dict[str, Any]] = []
    try:
        for (format_id, layout), (background, result, subject) in cases.items():
            rows.append({"layout": layout, **_measure(engine, cat[format_id], background, result, subject)})
        if not quick:
            extra = cat[FORMATS[0]].model_copy(update={"file_types": ["mp4", "webm", "gif"]})
            assert extra.video is not None
            extra = extra.model_copy(update={"video": extra.video.model_copy(update={"codecs": ["h264", "vp9"]})})
            background, result, subject = cases[(FORMATS[0], "hero")]
            for container in ("webm", "gif"):
                rows.append({"layout": "hero", **_measure(engine, extra, background, result, subject, container)})
        cell = _whole_cell(engine, fx, cat, cases)
    finally:
        if before is not None:
            os.sched_setaffinity(0, before)

    show("Motion: ms per frame on one core (layers once per video; encode = x264/VP9/GIF + mux)",
         ["format", "layout", "container", "frames", "layers ms", "render/frame", "encode/frame", "total/frame",
          "KB", "camera"],
         [[r["format"], r["layout"], r["container"], r["frames"], r["layers_ms"], r["render_ms_per_frame"],
           r["encode_ms_per_frame"], r["total_ms_per_frame"], r["kbytes"], r["camera"]] for r in rows], 2)
    mp4 = [r for r in rows if r["container"] == "mp4"]
    by_size = {size: round(statistics.mean(r["total_ms_per_frame"] for r in mp4 if r["size"] == size), 2)
               for size in sorted({r["size"] for r in mp4})}
    speed = {size: round(sum(r["frames"] / 30 for r in mp4 if r["size"] == size)
                         / sum(r["seconds"] + r["layers_ms"] / 1000 for r in mp4 if r["size"] == size), 3)
             for size in sorted({r["size"] for r in mp4})}
    print(f"seconds of video per wall second per core (animate + encode): {speed}")
    print(f"whole motion cell (voice-over + animate + encode + motion gates), hero: {cell}")
    summary = {"videos": len(rows), "mean_ms_per_frame_by_size": by_size, "pinned_to_one_core": before is not None,
               "video_s_per_wall_s_per_core": speed, "whole_cell": cell,
               "slowest_mp4": "{format} {layout}".format(**max(mp4, key=lambda r: r["total_ms_per_frame"]))}
    print(f"mean ms/frame (MP4, all-in): {by_size}\n", flush=True)
    return {"summary": summary, "rows": rows,
            "notes": ["x264 preset veryfast, CRF 20, 1 thread; silent audio track encoded as AAC",
                      "render = YUV planes only; total = the engine's animate() call"]}


def _whole_cell(engine: KineticMotionEngine, fx: DemoFixture, cat: dict[str, ChannelFormat],
                cases: dict[tuple[str, str], Any]) -> dict[str, Any]:
    """Seconds of video per wall second per core for what a motion cell costs in the runner beyond its still:
    the voice-over (espeak-ng, music bed, loudness), animate + encode, and the five motion gates on the file."""
    from assetline.engines.voice.base import VoiceoverRequest
    from assetline.engines.voice.voiceover import EspeakVoiceEngine
    from assetline.qc.base import AssetUnderCheck, CheckContext, MotionUnderCheck
    from assetline.qc.registry import CheckRegistry

    voice = EspeakVoiceEngine()
    checks = [c for c in CheckRegistry.discover().per_asset() if c.id.startswith("motion.")]
    music = fx.loaded.brand.file(fx.loaded.brand.kit.asset("music-bed").file)  # type: ignore[union-attr]
    out: dict[str, Any] = {}
    for format_id in FORMATS:
        fmt = cat[format_id]
        assert fmt.video is not None
        background, result, subject = cases[(format_id, "hero")]
        duration = fmt.video.duration
        t0 = time.perf_counter()
        spoken = voice.speak(VoiceoverRequest(
            script="Fuel your morning launch. Order now.", language="en", voice="en-gb", duration=duration,
            speech_window=(0.4, duration - 0.3), music=music, loudness_lufs=fmt.video.loudness_lufs,
            true_peak_dbtp=fmt.video.true_peak_dbtp - 1.0))
        t1 = time.perf_counter()
        video = engine.animate(MotionRequest(
            format=fmt, background=background, composed=result.image.convert("RGB"), elements=result.elements,
            duration=duration, fps=fmt.video.fps, seed=1, subject=subject, audio=spoken.audio, cues=spoken.cues,
            burn_captions=True))
        t2 = time.perf_counter()
        asset = AssetUnderCheck(image=video.poster, data=video.data, file_type="mp4", format=fmt,
                                motion=MotionUnderCheck(data=video.data, timeline=video.timeline,
                                                        cues=tuple(c.as_dict() for c in spoken.cues),
                                                        captions_mode="both", speech=spoken.speech,
                                                        target_duration=duration))
        statuses = {c.id: c.run(asset, CheckContext()).status for c in checks}
        t3 = time.perf_counter()
        out[format_id] = {"video_s": duration, "voice_s": round(t1 - t0, 2), "animate_s": round(t2 - t1, 2),
                          "gates_s": round(t3 - t2, 2), "statuses": statuses,
                          "video_s_per_wall_s_per_core": round(duration / (t3 - t0), 3)}
    return out

"""Test videos for the motion gates, made with PyAV here (not by the motion engine): frames, tones, formats.

Everything is deterministic (x264 with one thread, seeded noise), so each helper gives the same bytes on
every run. Videos are small (320 × 240 unless asked) to keep the tests quick.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from typing import Any

import av
import numpy as np
import pyloudnorm
from PIL import Image

from assetline.qc.base import AssetUnderCheck, MotionUnderCheck
from assetline.spec.formats import ChannelFormat, SafeZone, VideoSpec

RATE = 48_000
Frame = Callable[[int], np.ndarray]
"""frame(index) -> (h, w, 3) uint8 RGB."""


def solid(colour: Sequence[int], size: tuple[int, int] = (320, 240)) -> Frame:
    image = np.empty((size[1], size[0], 3), dtype=np.uint8)
    image[:] = colour
    return lambda _i: image


def flashing(hz: float, fps: int = 30, size: tuple[int, int] = (320, 240), on: Sequence[int] = (255, 255, 255),
             off: Sequence[int] = (0, 0, 0), patch: tuple[int, int, int, int] | None = None) -> Frame:
    """Square-wave flashing at ``hz`` (on for half a period, off for the other half), whole frame or a patch."""
    w, h = size
    base = np.empty((h, w, 3), dtype=np.uint8)
    base[:] = off
    lit = base.copy()
    left, top, right, bottom = patch or (0, 0, w, h)
    lit[top:bottom, left:right] = on
    half = fps / (2.0 * hz)
    return lambda i: lit if int(i // half) % 2 == 0 else base


def tone(seconds: float, lufs: float, hz: float = 997.0) -> np.ndarray:
    """A stereo sine scaled (before encoding) to ``lufs`` integrated loudness."""
    t = np.arange(round(seconds * RATE)) / RATE
    mono = np.sin(2 * np.pi * hz * t)
    stereo = np.stack([mono, mono], axis=1)
    gain = 10 ** ((lufs - pyloudnorm.Meter(RATE).integrated_loudness(stereo)) / 20)
    return (stereo * gain).astype(np.float32)


def encode(
    frame: Frame,
    seconds: float = 2.0,
    fps: int = 30,
    size: tuple[int, int] = (320, 240),
    audio: np.ndarray | None = None,
    faststart: bool = True,
    container: str = "mp4",
    codec: str = "libx264",
    crf: int = 20,
) -> bytes:
    """Encode ``round(seconds × fps)`` frames (and ``audio``, float32 (samples, 2) at 48 kHz) to a file's bytes.

    Faststart makes the muxer re-read its output, so the file is written to a temporary path, not memory.
    """
    fd, path = tempfile.mkstemp(suffix="." + container)
    os.close(fd)
    try:
        options = {"movflags": "+faststart"} if faststart and container == "mp4" else {}
        with av.open(path, "w", format=container, options=options) as box:
            video = box.add_stream(codec, rate=fps)
            video.width, video.height, video.pix_fmt = size[0], size[1], "yuv420p"
            video.options = {"preset": "ultrafast", "crf": str(crf), "threads": "1"} if codec == "libx264" else {
                "crf": str(crf + 10), "b": "0", "threads": "1", "deadline": "realtime", "cpu-used": "8"}
            sound = None
            if audio is not None:
                sound = box.add_stream("aac" if container == "mp4" else "libopus", rate=RATE)
                sound.layout = "stereo"
            for i in range(round(seconds * fps)):
                picture = av.VideoFrame.from_ndarray(np.ascontiguousarray(frame(i)), format="rgb24")
                picture.pts = i
                box.mux(video.encode(picture))
            box.mux(video.encode())
            if sound is not None and audio is not None:
                step = 960 if container != "mp4" else 1024
                for start in range(0, len(audio), step):
                    chunk = np.ascontiguousarray(audio[start : start + step].T.astype(np.float32))
                    samples = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
                    samples.sample_rate, samples.pts = RATE, start
                    box.mux(sound.encode(samples))
                box.mux(sound.encode())
        with open(path, "rb") as fh:
            return fh.read()
    finally:
        os.remove(path)


def video_format(
    width: int = 320,
    height: int = 240,
    fps: int = 30,
    seconds: float = 2.0,
    safe_zone: SafeZone | None = None,
    **video: Any,
) -> ChannelFormat:
    """A small motion format for tests (the catalogue's are 1080 px and larger)."""
    spec = VideoSpec(fps=fps, duration=seconds, min_duration=video.pop("min_duration", 1.0),
                     max_duration=video.pop("max_duration", 6.0), **video)
    return ChannelFormat(id="test-video", name="Test video", channel="meta", width=width, height=height,
                         max_file_kb=4096, file_types=["mp4"], safe_zone=safe_zone or SafeZone(), video=spec)


def motion_asset(
    data: bytes,
    fmt: ChannelFormat | None = None,
    timeline: dict[str, Any] | None = None,
    cues: Sequence[dict[str, Any]] = (),
    speech: Sequence[tuple[float, float]] = (),
    captions_mode: str = "none",
    target: float | None = None,
) -> AssetUnderCheck:
    size = fmt.size if fmt is not None else (320, 240)
    motion = MotionUnderCheck(data=data, timeline=timeline or {"duration": 2.0, "elements": [], "captions": []},
                              cues=tuple(cues), captions_mode=captions_mode, speech=tuple(speech),
                              target_duration=target)
    return AssetUnderCheck(image=Image.new("RGB", size, (20, 40, 60)), data=data, file_type="mp4", format=fmt,
                           motion=motion)


Keyframes = Sequence[tuple[float, Sequence[float], float]]


def element(kind: str, text: str, box: Sequence[float], enter: float = 0.2, settled: float = 0.5,
            exit: float = 2.0, keyframes: Keyframes | None = None) -> dict[str, Any]:
    """One timeline element in the documented format (engines/motion/base.py)."""
    frames = keyframes if keyframes is not None else [(enter, box, 0.0), (settled, box, 1.0)]
    return {"kind": kind, "text": text, "box": list(box), "enter": enter, "settled": settled, "exit": exit,
            "animation": "fade", "keyframes": [[t, list(b), o] for t, b, o in frames]}


def timeline(elements: Sequence[dict[str, Any]] = (), captions: Sequence[dict[str, Any]] = (),
             duration: float = 2.0, size: tuple[int, int] = (320, 240)) -> dict[str, Any]:
    return {"fps": 30, "frames": round(duration * 30), "duration": duration, "width": size[0], "height": size[1],
            "end_card_start": duration - 0.5, "elements": list(elements), "captions": list(captions), "shots": []}

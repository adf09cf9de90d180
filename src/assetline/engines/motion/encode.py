"""Frames (+ optional audio) → MP4 (H.264 + AAC), WebM (VP9 + Opus) or GIF bytes, with PyAV.

- **MP4**: libx264 High profile, yuv420p BT.709 limited range (tagged), CRF ``crf`` capped by a VBV
  ``maxrate``/``bufsize`` from the format's bitrate limit (less the audio), a keyframe every 2 s (scene-cut
  off, so the GOP is regular), ``movflags +faststart`` (the index precedes the media: browsers play while
  downloading; the muxer needs a seekable file for that, hence a temporary file). Audio: AAC-LC 48 kHz
  stereo; FFmpeg records the encoder's 1024-sample priming in an edit list and trims the final frame, so
  the audio is exactly ``duration`` long in any conforming reader.
- **WebM**: VP9 (constrained quality, realtime speed 6: ~17 ms a 1080² frame; 'good' costs 80 ms) + Opus;
  **GIF**: one palette for the whole clip (median cut over sampled frames), Floyd–Steinberg dithered, at the
  highest rate ≤ fps that centiseconds can express (GIF delays are 1/100 s), no audio.

Byte-identical across runs: one encoder thread, a regular GOP (no scene-cut decisions), ``bitexact``
muxing (no library version strings, no creation time), and x264 kept off its AVX-512 code paths on CPUs that
have them: with AVX-512 the same frames encode differently from run to run in one process (x264 reads memory
it has not written; measured on PyAV 18's x264 core 165, AMD EPYC), with AVX2 they do not, at the same speed.
Frames reach x264 from our own buffer, rows padded to 128 bytes and zeroed, with slack rows after the last
plane, so its wide loads past the visible width read nothing that varies either.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import numpy as np
from numpy.typing import NDArray
from PIL import Image

from assetline.engines.motion.base import Container
from assetline.engines.motion.yuv import Planes
from assetline.engines.voice.base import SAMPLE_RATE
from assetline.errors import EngineError

MEDIA_TYPES: dict[str, str] = {"mp4": "video/mp4", "webm": "video/webm", "gif": "image/gif"}
GIF_RATES = (50, 25, 20, 10, 5, 4, 2, 1)
"""Frame rates whose frame delay is a whole number of centiseconds."""
AUDIO_KBPS = 128
AUDIO_FRAME = {"aac": 1024, "libopus": 960}
"""Samples per audio frame each encoder takes (AAC-LC: 1024; Opus at 48 kHz: 20 ms)."""
BT709, MPEG_RANGE = 1, 1
"""AVCOL_PRI/TRC/SPC_BT709 and AVCOL_RANGE_MPEG (limited)."""


@dataclass(frozen=True)
class EncodeSettings:
    container: Container
    width: int
    height: int
    fps: int
    max_bitrate_kbps: int
    """Peak video + audio bitrate the platform accepts."""
    crf: int = 20
    preset: str = "veryfast"
    """x264 preset: veryfast keeps a 1080×1080 frame near 15 ms on one core at CRF 20."""
    threads: int = 1
    audio_kbps: int = AUDIO_KBPS

    @property
    def video_maxrate_kbps(self) -> int:
        return max(100, self.max_bitrate_kbps - self.audio_kbps)


def x264_asm() -> str | None:
    """'AVX2' where the CPU has AVX-512 (see the module docstring), else None (x264's own detection)."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as fh:
            flags = next((line.split(":", 1)[1].split() for line in fh if line.startswith("flags")), [])
    except OSError:
        return None
    return "AVX2" if "avx2" in flags and any(f.startswith("avx512") for f in flags) else None


def gif_rate(fps: int) -> int:
    """The GIF frame rate used for a video of ``fps``: the highest ≤ fps with whole-centisecond delays."""
    return next((r for r in GIF_RATES if r <= fps), 1)


class _YuvBuffer:
    """One reusable yuv420p frame buffer: rows padded to a multiple of 128 bytes, padding zeroed, slack rows
    after the last plane; x264 copies the input immediately, so the buffer can be refilled per frame."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.stride = (width + 127) // 128 * 128
        rows = height * 3 // 2
        self.store = np.zeros((rows + 16, self.stride), dtype=np.uint8)
        self.view = self.store[:rows]
        flat = self.store.reshape(-1)
        y_size, c_size = height * self.stride, (height // 2) * (self.stride // 2)
        self.y = self.view[:height]
        self.u = flat[y_size: y_size + c_size].reshape(height // 2, self.stride // 2)
        self.v = flat[y_size + c_size: y_size + 2 * c_size].reshape(height // 2, self.stride // 2)

    def frame(self, planes: Planes) -> av.VideoFrame:
        w2 = self.width // 2
        self.y[:, : self.width] = np.asarray(planes.y)
        self.u[:, :w2] = np.asarray(planes.u)
        self.v[:, :w2] = np.asarray(planes.v)
        if self.height % 4 == 0:
            frame = av.VideoFrame.from_numpy_buffer(self.view, format="yuv420p", width=self.width)
        else:  # PyAV's buffer wrapper needs height % 4 == 0; copy into an FFmpeg-allocated frame instead
            frame = av.VideoFrame(self.width, self.height, "yuv420p")
            for plane, src in zip(frame.planes, (self.y, self.u, self.v), strict=True):
                dst = np.frombuffer(memoryview(plane), dtype=np.uint8).reshape(plane.height, plane.line_size)
                n = min(plane.line_size, src.shape[1])
                dst[:, :n] = src[:, :n]
                dst[:, n:] = 0
        frame.colorspace, frame.color_range = BT709, MPEG_RANGE
        return frame


def _video_stream(out: av.container.OutputContainer, settings: EncodeSettings) -> av.VideoStream:
    gop = str(2 * settings.fps)
    maxrate = settings.video_maxrate_kbps
    if settings.container == "mp4":
        options = {"preset": settings.preset, "crf": str(settings.crf), "profile": "high", "g": gop,
                   "keyint_min": gop, "sc_threshold": "0", "maxrate": f"{maxrate}k", "bufsize": f"{2 * maxrate}k",
                   "threads": str(settings.threads), "flags": "+bitexact"}
        asm = x264_asm()
        if asm:
            options["x264-params"] = f"asm={asm}"
        stream = out.add_stream("libx264", rate=settings.fps, options=options)
    else:
        options = {"crf": "33", "b": f"{maxrate}k", "maxrate": f"{maxrate}k", "bufsize": f"{2 * maxrate}k",
                   "g": gop, "deadline": "realtime", "cpu-used": "6", "row-mt": "0", "threads": str(settings.threads),
                   "flags": "+bitexact"}
        stream = out.add_stream("libvpx-vp9", rate=settings.fps, options=options)
    stream.width, stream.height, stream.pix_fmt = settings.width, settings.height, "yuv420p"
    ctx = stream.codec_context
    ctx.thread_count = settings.threads
    ctx.color_primaries, ctx.color_trc, ctx.colorspace, ctx.color_range = BT709, BT709, BT709, MPEG_RANGE
    return stream


def _audio_frames(audio: NDArray[np.float32], frame_size: int) -> list[av.AudioFrame]:
    planar = np.ascontiguousarray(audio.T.astype(np.float32))
    frames = []
    for start in range(0, planar.shape[1], frame_size):
        chunk = np.ascontiguousarray(planar[:, start: start + frame_size])
        frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
        frame.sample_rate, frame.pts = SAMPLE_RATE, start
        frames.append(frame)
    return frames


def encode_video(planes_at: Callable[[int], Planes], frames: int, settings: EncodeSettings,
                 audio: NDArray[np.float32] | None) -> tuple[bytes, dict[str, Any]]:
    """MP4 or WebM bytes of ``frames`` frames (``planes_at(i)``), with ``audio`` (samples, 2) if given."""
    fmt = "mp4" if settings.container == "mp4" else "webm"
    options = {"fflags": "+bitexact"} | ({"movflags": "+faststart"} if fmt == "mp4" else {})
    with tempfile.TemporaryDirectory(prefix="assetline-motion-") as tmp:
        path = Path(tmp) / f"video.{fmt}"
        try:
            with av.open(str(path), "w", format=fmt, options=options) as out:
                video = _video_stream(out, settings)
                sound: av.AudioStream | None = None
                pending: list[av.AudioFrame] = []
                if audio is not None:
                    codec = "aac" if fmt == "mp4" else "libopus"
                    added = out.add_stream(codec, rate=SAMPLE_RATE, layout="stereo", options={"flags": "+bitexact"})
                    assert isinstance(added, av.AudioStream)
                    added.bit_rate = settings.audio_kbps * 1000
                    sound = added
                    pending = _audio_frames(audio, AUDIO_FRAME[codec])
                buffer = _YuvBuffer(settings.width, settings.height)
                for index in range(frames):
                    picture = buffer.frame(planes_at(index))
                    picture.pts = index
                    out.mux(video.encode(picture))
                    # Interleave: audio up to the end of this video frame.
                    while sound is not None and pending and (pending[0].pts or 0) * settings.fps < \
                            (index + 1) * SAMPLE_RATE:
                        out.mux(sound.encode(pending.pop(0)))
                out.mux(video.encode(None))
                if sound is not None:
                    for chunk in pending:
                        out.mux(sound.encode(chunk))
                    out.mux(sound.encode(None))
            data = path.read_bytes()
        except (av.FFmpegError, OSError, ValueError) as exc:
            raise EngineError(f"encoding the {fmt.upper()} failed: {exc}") from exc
        finally:
            if path.exists():
                os.unlink(path)
    meta: dict[str, Any] = {"container": fmt, "frames": frames, "fps": settings.fps, "pix_fmt": "yuv420p",
                            "colour": "bt709/limited", "gop_frames": 2 * settings.fps, "threads": settings.threads,
                            "video_maxrate_kbps": settings.video_maxrate_kbps,
                            "max_bitrate_kbps": settings.max_bitrate_kbps}
    if fmt == "mp4":
        meta |= {"codec": "h264", "encoder": "libx264", "profile": "high", "preset": settings.preset,
                 "crf": settings.crf, "faststart": True, "x264_asm": x264_asm() or "auto"}
    else:
        meta |= {"codec": "vp9", "encoder": "libvpx-vp9", "crf": 33, "deadline": "realtime", "cpu_used": 6}
    if audio is not None:
        meta |= {"audio_codec": "aac" if fmt == "mp4" else "opus", "audio_kbps": settings.audio_kbps,
                 "audio_rate": SAMPLE_RATE, "audio_channels": 2, "audio_samples": int(audio.shape[0])}
    return data, meta


def encode_gif(rgb_at: Callable[[int], Image.Image], frames: int, fps: int, size: tuple[int, int],
               palette_from: tuple[int, ...]) -> tuple[bytes, dict[str, Any]]:
    """An endlessly looping GIF of ``frames`` frames at ``fps`` (a GIF_RATES value), one shared palette
    built from the frames at ``palette_from``."""
    samples = [rgb_at(i).reduce(2) for i in sorted(set(palette_from)) if 0 <= i < frames]
    sheet = Image.new("RGB", (samples[0].width, samples[0].height * len(samples)))
    for k, im in enumerate(samples):
        sheet.paste(im, (0, k * im.height))
    palette = sheet.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    rgb = np.asarray(palette.getpalette() or [], dtype=np.uint8).reshape(-1, 3)
    argb = np.zeros((256, 4), dtype=np.uint8)
    argb[:, 0] = 255
    argb[: len(rgb), 1:] = rgb
    with tempfile.TemporaryDirectory(prefix="assetline-motion-") as tmp:
        path = Path(tmp) / "video.gif"
        try:
            with av.open(str(path), "w", format="gif", options={"fflags": "+bitexact"}) as out:
                stream = out.add_stream("gif", rate=fps)
                stream.width, stream.height, stream.pix_fmt = size[0], size[1], "pal8"
                for index in range(frames):
                    indices = rgb_at(index).quantize(palette=palette, dither=Image.Dither.FLOYDSTEINBERG)
                    # PyAV takes pal8 as an (indices, ARGB palette) pair; its stubs do not say so.
                    frame = av.VideoFrame.from_ndarray((np.asarray(indices), argb), format="pal8")  # type: ignore[arg-type]
                    frame.pts = index
                    out.mux(stream.encode(frame))
                out.mux(stream.encode(None))
            data = path.read_bytes()
        except (av.FFmpegError, OSError, ValueError) as exc:
            raise EngineError(f"encoding the GIF failed: {exc}") from exc
    return data, {"container": "gif", "codec": "gif", "frames": frames, "fps": fps, "palette": "median-cut 256",
                  "dither": "floyd-steinberg"}

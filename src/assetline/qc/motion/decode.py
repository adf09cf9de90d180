"""Decode a delivered video once into what the motion gates measure.

Five checks look at the same file (spec, audio, captions, readability, flashing). Decoding an H.264 file is
the expensive part, so ``DecodeCache`` keeps the last few decodes keyed by the sha256 of the bytes: the
first check pays, the other four read the cached ``DecodedVideo``. The key is the content, so a cache hit
can never be a different file.

What is kept per file:

- the container as read from the bytes, the codecs, fps, frame size, frame count, duration and the average
  bitrate (file bits / duration, the figure platforms cap) with per-stream shares from the packet sizes;
- whether an MP4's index (moov) precedes its media data (progressive playback, "faststart");
- every frame downscaled to at most ``WORK_SIDE`` px on its longer side, as 8-bit sRGB — small enough to
  hold a minute of video in ~80 MB, large enough to measure flashing areas of a few per cent of the frame;
- the decoded audio as float32 (samples, channels) at its own rate (loudness is measured on what a viewer
  hears, not on the engine's pre-encode mix).

A file PyAV cannot open, a stream that stops decoding, or one that decodes fewer frames than its index
promises is an ``UnreadableVideoError`` (a CheckError); the checks turn it into a 'fail' verdict.
"""

from __future__ import annotations

import hashlib
import io
import threading
from collections import OrderedDict
from dataclasses import dataclass
from fractions import Fraction

import av
import numpy as np
from numpy.typing import NDArray

from assetline.errors import CheckError
from assetline.qc.motion.container import mp4_box_layout, sniff_container

WORK_SIDE = 160
"""Longer side (px) of the frames kept for flash analysis; frames are area-averaged down to it."""


class UnreadableVideoError(CheckError):
    """The delivered bytes are not a decodable video (corrupt, truncated, or no video stream)."""


@dataclass(frozen=True)
class DecodedVideo:
    """One decoded video file; arrays are read-only because cached copies are shared between checks."""

    sha256: str
    file_bytes: int
    container: str | None
    """'mp4', 'webm', 'mkv', 'mov', 'gif' from the magic bytes; None when unknown."""
    demuxer: str
    """FFmpeg's name for the demuxer that opened the file (e.g. 'mov,mp4,m4a,3gp,3g2,mj2')."""
    video_codec: str
    width: int
    height: int
    fps: float
    frame_count: int
    duration: float
    """Seconds from the first frame's start to the last frame's end."""
    bitrate_kbps: float
    """All streams together: file size × 8 / duration."""
    video_kbps: float
    audio_kbps: float
    faststart: bool | None
    """MP4 only: True when moov precedes mdat; None for other containers."""
    frames: NDArray[np.uint8]
    """(frames, h, w, 3) sRGB, downscaled so that max(h, w) ≤ WORK_SIDE."""
    frame_times: NDArray[np.float64]
    """Presentation time (s) of each frame, from the first frame."""
    audio_codec: str | None = None
    audio: NDArray[np.float32] | None = None
    """(samples, channels) in [-1, 1] as decoded, or None when the file has no audio stream."""
    audio_rate: int | None = None

    @property
    def has_audio(self) -> bool:
        return self.audio is not None

    def summary(self) -> dict[str, object]:
        """The measured numbers, JSON-ready, for a check's evidence."""
        return {
            "container": self.container,
            "video_codec": self.video_codec,
            "audio_codec": self.audio_codec,
            "width": self.width,
            "height": self.height,
            "fps": round(self.fps, 3),
            "frames": self.frame_count,
            "duration_s": round(self.duration, 3),
            "bitrate_kbps": round(self.bitrate_kbps, 1),
            "file_kb": round(self.file_bytes / 1024.0, 1),
        }


def _working_size(width: int, height: int) -> tuple[int, int]:
    scale = min(1.0, WORK_SIDE / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _read_only(array: NDArray[np.generic]) -> NDArray[np.generic]:
    array.setflags(write=False)
    return array


def _why(exc: Exception) -> str:
    """FFmpeg's reason without the errno and the '<none>' file name PyAV appends for in-memory files."""
    reason = exc.strerror if isinstance(exc, av.FFmpegError) and exc.strerror else str(exc)
    return str(reason).strip().rstrip(".").lower() or type(exc).__name__


def _decode(data: bytes, digest: str) -> DecodedVideo:
    """Demux and decode every packet of the first video and first audio stream in one pass."""
    # 1. Open and pick the streams.
    try:
        box = av.open(io.BytesIO(data), mode="r")
    except (av.FFmpegError, ValueError, OSError) as exc:
        raise UnreadableVideoError(f"the file cannot be opened as a video: {_why(exc)}") from exc
    with box:
        if not box.streams.video:
            raise UnreadableVideoError("the file has no video stream")
        video = box.streams.video[0]
        audio = box.streams.audio[0] if box.streams.audio else None
        video.thread_type = "AUTO"  # decoded pixels are identical for any thread count
        width, height = video.codec_context.width, video.codec_context.height
        if width <= 0 or height <= 0:
            raise UnreadableVideoError("the video stream has no frame size")
        small_w, small_h = _working_size(width, height)
        promised = int(video.frames or 0)
        rate = video.average_rate or video.guessed_rate
        nominal = float(Fraction(rate)) if rate else None
        resampler = (
            av.AudioResampler(format="fltp", layout=audio.layout.name, rate=audio.sample_rate) if audio else None
        )

        # 2. Decode, keeping small frames and all audio samples.
        frames: list[NDArray[np.uint8]] = []
        times: list[float] = []
        chunks: list[NDArray[np.float32]] = []
        sizes = {"video": 0, "audio": 0}
        streams = [s for s in (video, audio) if s is not None]
        try:
            for packet in box.demux(*streams):
                if packet.size:
                    sizes[packet.stream.type] += packet.size
                for frame in packet.decode():
                    if isinstance(frame, av.VideoFrame):
                        small = frame.reformat(width=small_w, height=small_h, format="rgb24", interpolation="AREA")
                        frames.append(np.asarray(small.to_ndarray(), dtype=np.uint8))
                        stamp = frame.time if frame.time is not None else len(times) / (nominal or 1.0)
                        times.append(float(stamp))
                    elif isinstance(frame, av.AudioFrame) and resampler is not None:
                        for converted in resampler.resample(frame):
                            chunks.append(converted.to_ndarray().astype(np.float32, copy=False))
            for converted in resampler.resample(None) if resampler is not None else ():
                chunks.append(converted.to_ndarray().astype(np.float32, copy=False))  # what the resampler held back
        except (av.FFmpegError, ValueError, OSError) as exc:
            raise UnreadableVideoError(f"the video stops decoding after {len(frames)} frame(s): {_why(exc)}") from exc
        if not frames:
            raise UnreadableVideoError("no frame of the video decodes")
        if promised and len(frames) < promised:
            raise UnreadableVideoError(
                f"the file is truncated: {len(frames)} of the {promised} frames its index lists decode"
            )

        # 3. Rates and durations.
        order = np.argsort(np.asarray(times), kind="stable")
        stamps = np.asarray(times, dtype=np.float64)[order]
        if nominal:
            fps = nominal
        elif len(stamps) > 1 and stamps[-1] > stamps[0]:
            fps = (len(stamps) - 1) / float(stamps[-1] - stamps[0])
        else:
            raise UnreadableVideoError("the video stream has no frame rate")
        duration = float(stamps[-1] - stamps[0]) + 1.0 / fps
        samples = np.concatenate(chunks, axis=1).T.copy() if chunks else None
        kbps = {k: v * 8 / duration / 1000.0 for k, v in sizes.items()}
        container = sniff_container(data)
        return DecodedVideo(
            sha256=digest,
            file_bytes=len(data),
            container=container,
            demuxer=str(box.format.name),
            video_codec=str(video.codec_context.name),
            width=int(width),
            height=int(height),
            fps=fps,
            frame_count=len(frames),
            duration=duration,
            bitrate_kbps=len(data) * 8 / duration / 1000.0,
            video_kbps=kbps["video"],
            audio_kbps=kbps["audio"],
            faststart=mp4_box_layout(data).faststart if container in ("mp4", "mov") else None,
            frames=_read_only(np.stack([frames[i] for i in order])),  # type: ignore[arg-type]
            frame_times=_read_only(stamps - stamps[0]),  # type: ignore[arg-type]
            audio_codec=str(audio.codec_context.name) if audio is not None else None,
            audio=_read_only(samples) if samples is not None else None,  # type: ignore[arg-type]
            audio_rate=int(audio.sample_rate) if audio is not None else None,
        )


class DecodeCache:
    """A small LRU of decoded videos keyed by the sha256 of their bytes (failures are remembered too).

    Pass one in ``CheckContext.resources['motion_decode_cache']`` to scope it to a run; otherwise the
    checks share ``default_cache()``. Thread-safe; two threads missing at once both decode (same result).
    """

    def __init__(self, max_entries: int = 3) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[str, DecodedVideo | str] = OrderedDict()
        self._lock = threading.Lock()
        self.decodes = 0
        """How many times a file was actually decoded (a test seam: five checks, one decode)."""

    def decode(self, data: bytes) -> DecodedVideo:
        """The decoded video, from the cache when these exact bytes were decoded recently."""
        digest = hashlib.sha256(data).hexdigest()
        with self._lock:
            entry = self._entries.get(digest)
            if entry is not None:
                self._entries.move_to_end(digest)
        if entry is None:
            try:
                entry = _decode(data, digest)
            except UnreadableVideoError as exc:
                entry = exc.message
            with self._lock:
                self.decodes += 1
                self._entries[digest] = entry
                while len(self._entries) > self.max_entries:
                    self._entries.popitem(last=False)
        if isinstance(entry, str):
            raise UnreadableVideoError(entry)
        return entry


_SHARED = DecodeCache()


def default_cache() -> DecodeCache:
    """The process-wide cache the checks use when the context brings none (holds at most 3 videos)."""
    return _SHARED


def decode_video(data: bytes, cache: DecodeCache | None = None) -> DecodedVideo:
    """Decode ``data`` (or fetch it from ``cache``, default: the shared one). Raises UnreadableVideoError."""
    return (cache or _SHARED).decode(data)

"""Read an encoded video back: what it is (``probe``) and what it shows (``extract_stills``), with PyAV.

``probe`` reads the container index and counts packets — nothing is decoded — so it is cheap enough to run
on every render. Durations come from the streams as muxed (an MP4's edit lists already exclude the AAC
priming), the frame count from the demuxed video packets.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import av
from PIL import Image

from assetline.errors import EngineError

_CONTAINERS = {"mov,mp4,m4a,3gp,3g2,mj2": "mp4", "matroska,webm": "webm", "gif": "gif"}


@dataclass(frozen=True)
class VideoInfo:
    container: str
    """'mp4', 'webm', 'gif' (else FFmpeg's demuxer name)."""
    codec: str
    profile: str | None
    pix_fmt: str | None
    fps: float
    frames: int
    duration: float
    """Seconds: the longest stream."""
    video_duration: float
    width: int
    height: int
    bitrate_kbps: float
    """Average over the file (video + audio + container)."""
    audio_codec: str | None = None
    audio_channels: int | None = None
    audio_rate: int | None = None
    audio_duration: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _open(data: bytes) -> av.container.InputContainer:
    try:
        return av.open(io.BytesIO(data), "r")
    except (av.FFmpegError, ValueError) as exc:
        raise EngineError(f"not a readable video: {exc}") from exc


def _seconds(stream: av.stream.Stream) -> float | None:
    if stream.duration is None or stream.time_base is None:
        return None
    return float(stream.duration * stream.time_base)


def _decoded_seconds(data: bytes) -> float | None:
    with _open(data) as container:
        stream = container.streams.audio[0]
        try:
            samples = sum(frame.samples for frame in container.decode(stream))
        except av.FFmpegError:
            return None
        return samples / stream.codec_context.sample_rate if stream.codec_context.sample_rate else None


def probe(data: bytes) -> VideoInfo:
    """Container, codecs, frame count, rates and durations of ``data``. EngineError if unreadable."""
    with _open(data) as container:
        if not container.streams.video:
            raise EngineError("the file has no video stream")
        video = container.streams.video[0]
        audio = container.streams.audio[0] if container.streams.audio else None
        ctx = video.codec_context
        name, profile, pix_fmt = ctx.name, ctx.profile, ctx.format.name if ctx.format else None
        width, height = ctx.width, ctx.height
        rate = video.average_rate or video.guessed_rate
        try:
            frames = sum(1 for packet in container.demux(video) if packet.size)
        except av.FFmpegError as exc:
            raise EngineError(f"the video stops demuxing: {exc}") from exc
        total = container.duration / av.time_base if container.duration else 0.0
        seconds = _seconds(video)
        fps = float(rate) if rate else (frames / total if total else 0.0)
        if not fps or container.format.name == "gif":
            fps = frames / total if total else 0.0
        video_duration = seconds if seconds else (frames / fps if fps else total)
        audio_info: dict[str, Any] = {}
        if audio is not None:
            actx = audio.codec_context
            audio_info = {"audio_codec": actx.name, "audio_channels": actx.channels, "audio_rate": actx.sample_rate,
                          "audio_duration": _seconds(audio)}
        kind = _CONTAINERS.get(container.format.name, container.format.name)
    if audio_info and audio_info["audio_duration"] is None:  # Matroska keeps no stream durations: count samples
        audio_info["audio_duration"] = _decoded_seconds(data)
    duration = max(total, video_duration)
    return VideoInfo(container=kind, codec=name, profile=profile, pix_fmt=pix_fmt, fps=round(fps, 4), frames=frames,
                     duration=round(duration, 4), video_duration=round(video_duration, 4), width=width,
                     height=height, bitrate_kbps=round(len(data) * 8 / 1000 / duration, 1) if duration else 0.0,
                     **audio_info)


def extract_stills(data: bytes, fractions: Sequence[float] = (0.0, 0.5, 1.0)) -> list[Image.Image]:
    """RGB frames at ``fractions`` of the video (0 = first frame, 1 = last), decoded in one pass."""
    if any(not 0.0 <= f <= 1.0 for f in fractions):
        raise EngineError(f"still positions must lie within 0…1, got {list(fractions)}")
    total = probe(data).frames
    if total == 0:
        raise EngineError("the video has no frames")
    wanted = {round(f * (total - 1)) for f in fractions}
    found: dict[int, Image.Image] = {}
    with _open(data) as container:
        try:
            for index, frame in enumerate(container.decode(video=0)):
                if index in wanted:
                    found[index] = frame.to_image()  # type: ignore[no-untyped-call]
                if len(found) == len(wanted):
                    break
        except av.FFmpegError as exc:
            raise EngineError(f"the video stops decoding after {len(found)} still(s): {exc}") from exc
    missing = sorted(wanted - set(found))
    if missing:
        raise EngineError(f"the video decodes fewer frames than its index lists (frame {missing[0]} missing)")
    return [found[round(f * (total - 1))] for f in fractions]

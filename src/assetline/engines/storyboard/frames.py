"""Stills from an MP4 with PyAV: for each time, the frame a viewer sees then (the last one shown at or before it).

The video is decoded forward once, in time order; a still more than ``SEEK_AHEAD`` seconds past the last one
seeks to the keyframe before it instead, so a long video with few shots is not decoded whole (measured: eight
stills of a 15 s 1080×1920 H.264 in 0.6 s, where a seek per still took 1.1 s). Decoding is exact and the JPEG
settings are fixed: the same video and times give byte-identical stills.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import av
from PIL import Image

from assetline.errors import EngineError

JPEG_QUALITY = 90
EPSILON = 1e-6
SEEK_AHEAD = 5.0
"""Seconds: a still further ahead than this is reached by seeking rather than decoding through."""


@dataclass(frozen=True)
class Still:
    at: float
    """The requested time, seconds."""
    shown: float
    """The presentation time of the frame that was taken."""
    image: Image.Image


@dataclass(frozen=True)
class VideoInfo:
    width: int
    height: int
    duration: float | None
    codec: str


class _Cursor:
    """Walks the video forward once, seeking only to jump a long way ahead (or back)."""

    def __init__(self, container: av.container.InputContainer, stream: av.VideoStream) -> None:
        self.container, self.stream = container, stream
        self.frames: Iterator[av.VideoFrame] | None = None
        self.shown: av.VideoFrame | None = None
        """The last frame decoded at or before the current position."""
        self.ahead: av.VideoFrame | None = None
        """The first frame decoded past it (read, not yet shown)."""

    def _seek(self, at: float) -> None:
        tb = self.stream.time_base
        if tb is None:
            raise EngineError("the video stream has no time base")
        self.container.seek(max(0, int(at / tb)), stream=self.stream, backward=True, any_frame=False)
        self.frames, self.shown, self.ahead = iter(self.container.decode(self.stream)), None, None

    def frame_at(self, at: float) -> av.VideoFrame | None:
        shown_time = None if self.shown is None else self.shown.time
        if self.frames is None or (shown_time is not None and not 0 <= at - shown_time <= SEEK_AHEAD):
            self._seek(at)
        assert self.frames is not None
        while True:
            frame = self.ahead if self.ahead is not None else next(self.frames, None)
            self.ahead = None
            if frame is None:  # end of the stream: the last frame stays on screen
                break
            if frame.time is None:
                continue
            if frame.time > at + EPSILON:
                self.ahead = frame
                break
            self.shown = frame
        return self.shown if self.shown is not None else self.ahead  # before the first frame: that one


def grab_stills(video: bytes, times: Sequence[float]) -> tuple[list[Still], VideoInfo]:
    """The still shown at each of ``times`` (seconds), in the order given; EngineError for an unreadable file."""
    try:
        container = av.open(io.BytesIO(video), mode="r")
    except av.FFmpegError as exc:
        raise EngineError(f"cannot read the motion asset's video: {exc}",
                          hint="re-run the campaign to render the video again") from exc
    with container:
        if not container.streams.video:
            raise EngineError("the motion asset's file has no video stream")
        stream = container.streams.video[0]
        info = VideoInfo(width=stream.codec_context.width, height=stream.codec_context.height,
                         duration=None if container.duration is None else container.duration / 1_000_000,
                         codec=stream.codec_context.name)
        cursor = _Cursor(container, stream)
        found: dict[int, Still] = {}
        try:
            for index in sorted(range(len(times)), key=lambda i: times[i]):
                frame = cursor.frame_at(times[index])
                if frame is None or frame.time is None:
                    raise EngineError(f"the video has no frame at {times[index]:g} s")
                image = Image.fromarray(frame.to_ndarray(format="rgb24"))
                found[index] = Still(at=times[index], shown=float(frame.time), image=image)
        except av.FFmpegError as exc:
            raise EngineError(f"cannot decode the motion asset's video: {exc}") from exc
    return [found[i] for i in range(len(times))], info


def encode_still(image: Image.Image, max_side: int) -> tuple[bytes, tuple[int, int]]:
    """``image`` scaled down to fit ``max_side`` (never up), as JPEG bytes, with its size."""
    img = image.convert("RGB")
    if max(img.size) > max_side:
        img = img.copy()
        img.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=JPEG_QUALITY, optimize=False, progressive=False, subsampling="4:2:0")
    return buf.getvalue(), img.size

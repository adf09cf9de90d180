"""The channel-format catalogue (shipped as data in spec/data/formats.yaml)."""

from __future__ import annotations

import difflib
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from assetline.spec.common import Identifier, SpecModel
from assetline.spec.yamlio import read_yaml, validate


class SafeZone(SpecModel):
    """Pixels at each edge that platform UI covers (keep text, logo and CTA out)."""

    top: int = Field(default=0, ge=0)
    bottom: int = Field(default=0, ge=0)
    left: int = Field(default=0, ge=0)
    right: int = Field(default=0, ge=0)


class TextLimits(SpecModel):
    """Character limits the platform imposes (or recommends) for text fields; None = no limit."""

    headline: int | None = Field(default=None, ge=1)
    body: int | None = Field(default=None, ge=1)
    cta: int | None = Field(default=None, ge=1)


class VideoSpec(SpecModel):
    """What a platform accepts for a video placement (present only on motion formats)."""

    fps: int = Field(default=30, ge=1, le=120, description="Frames per second the engine renders.")
    duration: float = Field(default=6, gt=0, le=600, description="Default length in seconds (a campaign's "
                                                                  "motion.durations may override it).")
    min_duration: float = Field(default=1, gt=0, le=600)
    max_duration: float = Field(default=60, gt=0, le=600)
    codecs: list[Literal["h264", "vp9"]] = Field(default_factory=lambda: ["h264"], min_length=1)
    max_bitrate_kbps: int = Field(default=8000, ge=100, description="Peak average video+audio bitrate accepted.")
    audio: bool = Field(default=True, description="Placement plays sound (voice-over and music).")
    loudness_lufs: float = Field(default=-16, ge=-40, le=-5, description="Integrated loudness target (EBU R128 "
                                                                         "/ ITU-R BS.1770) for the mix.")
    true_peak_dbtp: float = Field(default=-1, ge=-12, le=0, description="Highest true peak allowed.")

    @model_validator(mode="after")
    def _durations_ordered(self) -> VideoSpec:
        if not self.min_duration <= self.duration <= self.max_duration:
            raise ValueError(f"duration {self.duration} s must lie within min_duration {self.min_duration} s "
                             f"and max_duration {self.max_duration} s")
        return self


class ChannelFormat(SpecModel):
    id: Identifier
    name: str
    channel: str = Field(
        description="Platform family: meta, google, linkedin, x, pinterest, youtube, iab, email, tiktok…"
    )
    width: int = Field(ge=16, le=8192)
    height: int = Field(ge=16, le=8192)
    ratio_tolerance: float = Field(default=0.01, ge=0, le=0.5, description="Allowed relative aspect-ratio error.")
    max_file_kb: int = Field(ge=1)
    file_types: list[Literal["jpeg", "png", "gif", "mp4", "webm"]] = Field(min_length=1)
    safe_zone: SafeZone = Field(default_factory=SafeZone)
    text_limits: TextLimits = Field(default_factory=TextLimits)
    notes: str = ""
    video: VideoSpec | None = Field(default=None, description="Present on motion formats: the asset is a video.")

    @property
    def is_video(self) -> bool:
        return self.video is not None

    @property
    def aspect(self) -> float:
        return self.width / self.height

    @property
    def size(self) -> tuple[int, int]:
        return self.width, self.height


class FormatCatalogue(SpecModel):
    formats: list[ChannelFormat]


@cache
def _builtin_path() -> Path:
    return Path(str(resources.files("assetline.spec") / "data" / "formats.yaml"))


@cache
def catalogue() -> dict[str, ChannelFormat]:
    """Every built-in format by id (the file is validated like any user spec)."""
    path = _builtin_path()
    cat = validate(FormatCatalogue, path, read_yaml(path))
    return {f.id: f for f in cat.formats}


def get_format(format_id: str) -> ChannelFormat | None:
    return catalogue().get(format_id)


def suggest_format(format_id: str) -> str:
    """A hint naming the closest known format ids."""
    close = difflib.get_close_matches(format_id, list(catalogue()), n=3, cutoff=0.4)
    if close:
        return "did you mean " + " or ".join(f"'{c}'" for c in close) + "? (`assetline formats` lists all)"
    return "run `assetline formats` to list the known format ids"

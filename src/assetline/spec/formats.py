"""The channel-format catalogue (shipped as data in spec/data/formats.yaml)."""

from __future__ import annotations

import difflib
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import Field

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
    file_types: list[Literal["jpeg", "png", "gif"]] = Field(min_length=1)
    safe_zone: SafeZone = Field(default_factory=SafeZone)
    text_limits: TextLimits = Field(default_factory=TextLimits)
    notes: str = ""

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

"""Engine protocols: one typed request and one typed result per modality.

An engine is a class with ``id`` and ``version`` (both enter content keys: bump ``version`` whenever the
output for the same request changes) and one entry point. Engines are pure functions of their request:
the same request gives byte-identical output. They never touch the store; the runner persists results.

Built-in engines are registered through the same ``assetline.engines`` entry-point group as third-party
ones (see registry.py and docs/extending.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal, Protocol, runtime_checkable

from PIL import Image

from assetline.spec.brand import BrandKit
from assetline.spec.campaign import Concept, Segment
from assetline.spec.formats import ChannelFormat

Modality = Literal["copy", "visual", "compose", "motion", "voice"]
Box = tuple[int, int, int, int]
"""(left, top, right, bottom) in pixels, right/bottom exclusive."""
ProgressHook = Callable[[int, int], None]
"""progress(done, total): called by long-running engines, e.g. once per denoising step."""


# ---------------------------------------------------------------- models (trained engines)
@dataclass(frozen=True)
class ModelRef:
    """A trained model (or workflow) an engine uses. Its ``sha256`` enters the content keys of every step the
    engine runs, so changing the model re-renders exactly what it touched; provenance lists it as an ingredient."""

    role: str
    """'base' | 'lora' | 'controlnet' | 'vae' | 'workflow' | 'server-model'."""
    title: str
    """File or folder name, or the model name a server reports."""
    sha256: str
    """Fingerprint of the files (see engines/fingerprint.py), or of the name for a server-side model."""
    licence: dict[str, Any] | None = None
    weight: float | None = None
    """LoRA weight (or ControlNet conditioning scale)."""


# Optional class attributes an engine may declare (read with ``engine_trait``; defaults in brackets):
#   settings_model: type[pydantic.BaseModel]  campaign `engines.settings.<id>` is validated with it   [None]
#   path_fields: tuple[str, ...]               settings fields that are paths, relative to the campaign [()]
#   unkeyed_fields: tuple[str, ...]            settings that cannot change the output (server URL, timeouts,
#                                              retries): left out of content keys                       [()]
#   trained: bool                              output comes from a trained model (provenance)           [False]
#   uses_segment: bool                         visual engines: the prompt depends on the segment        [False]
#   uses_layout: bool                          visual engines: wants the composer's reserved boxes      [False]
#   uses_brand_voice: bool                     copy engines: the output depends on the kit's voice      [False]
# and optional methods:
#   models(settings) -> list[ModelRef]         trained models used (enter content keys and provenance)
#   check_ready(settings) -> None              raise EngineError when the engine cannot run here (a missing
#                                              extra): called once before a run writes anything
TRAIT_DEFAULTS: dict[str, Any] = {"settings_model": None, "path_fields": (), "unkeyed_fields": (), "trained": False,
                                  "uses_segment": False, "uses_layout": False, "uses_brand_voice": False}


def engine_trait(engine: Any, name: str) -> Any:
    """An engine class's (or instance's) optional trait, or its default."""
    return getattr(engine, name, TRAIT_DEFAULTS[name])


# ---------------------------------------------------------------- copy
@dataclass(frozen=True)
class CopyRequest:
    concept: Concept
    segment: Segment
    format: ChannelFormat
    variant: int
    seed: int
    exclude: tuple[str, ...] = ()
    """Texts a reviewer rejected; the engine must not pick them again."""
    brand: BrandKit | None = None
    """The brand kit (voice, banned terms, disclaimers) for engines with ``uses_brand_voice``."""
    settings: Any = None
    """The engine's validated settings (an instance of its ``settings_model``), or None."""


@dataclass(frozen=True)
class CopyResult:
    fields: dict[str, str]
    """'headline', 'body', 'cta' (body/cta may be absent when the brief has none)."""
    language: str
    direction: Literal["ltr", "rtl"]
    alternatives: dict[str, list[str]] = field(default_factory=dict)
    """Per field, every rendered alternative, shortest first: the composer falls back to these to fit."""
    choices: dict[str, Any] = field(default_factory=dict)
    """How each field was chosen (template, index, limit applied) — recorded in lineage."""


@runtime_checkable
class CopyEngine(Protocol):
    id: ClassVar[str]
    version: ClassVar[str]
    modality: ClassVar[Modality]

    def generate(self, request: CopyRequest) -> CopyResult: ...


# ---------------------------------------------------------------- visual
@dataclass(frozen=True)
class VisualRequest:
    brand: BrandKit
    concept: Concept
    width: int
    height: int
    seed: int
    photo: Path | None = None
    """The resolved photo file for style 'photo' (None otherwise)."""
    variation: int = 0
    """0 for the brief's own image; n > 0 when a reviewer asked for a new image n times (photos are reframed)."""
    segment: Segment | None = None
    """The audience segment, for engines with ``uses_segment`` (None otherwise: the visual is shared)."""
    layout: str | None = None
    reserved: tuple[Box, ...] = ()
    """For engines with ``uses_layout``: where the composer will set the headline, body, CTA, legal line and
    logo on this visual (padded boxes, physical pixels). Generated backgrounds keep these areas calm."""
    settings: Any = None
    """The engine's validated settings (an instance of its ``settings_model``), or None."""
    progress: ProgressHook | None = field(default=None, compare=False)


@dataclass(frozen=True)
class VisualResult:
    image: Image.Image
    """RGB, exactly width × height."""
    metadata: dict[str, Any] = field(default_factory=dict)
    """E.g. style, crop box in the source photo, subject box in the output, colours used."""


@runtime_checkable
class VisualEngine(Protocol):
    id: ClassVar[str]
    version: ClassVar[str]
    modality: ClassVar[Modality]

    def generate(self, request: VisualRequest) -> VisualResult: ...


# ---------------------------------------------------------------- compose
@dataclass(frozen=True)
class ComposeRequest:
    brand: BrandKit
    format: ChannelFormat
    copy: CopyResult
    background: Image.Image
    """The visual engine's output at the format's size."""
    background_meta: dict[str, Any]
    layout: str | None
    """One of spec.campaign.LAYOUTS, or None to let the composer choose for the format."""
    fonts: dict[str, Path]
    """Resolved font files by role: 'headline', 'body', 'cta', and 'arabic', 'hebrew', 'devanagari'."""
    logos: dict[str, Path]
    """Resolved logo files by logo id."""
    seed: int
    legal: tuple[str, ...] = ()
    """Disclaimer texts to set as the ad's legal line (the brand voice's required disclaimers for the
    segment and language, see ``Voice.disclaimers_for``); empty for none."""


@dataclass(frozen=True)
class Element:
    """One placed element, recorded for the QC gates."""

    kind: Literal["headline", "body", "cta", "legal", "logo", "subject", "scrim", "button"]
    box: Box
    text: str | None = None
    font_px: int | None = None
    colour: str | None = None
    """Text (or logo) colour as '#RRGGBB'."""
    background: str | None = None
    """The colour the text sits on when it is a flat fill (button, scrim), else None."""
    contrast: float | None = None
    """WCAG contrast ratio measured worst-case against the rendered pixels behind the glyphs."""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ComposeResult:
    image: Image.Image
    layout: str
    elements: tuple[Element, ...]
    warnings: tuple[str, ...] = ()
    """E.g. 'body dropped: no room at 320×50' — reported, never silently clipped."""


@runtime_checkable
class ComposeEngine(Protocol):
    id: ClassVar[str]
    version: ClassVar[str]
    modality: ClassVar[Modality]

    def compose(self, request: ComposeRequest) -> ComposeResult: ...

"""Campaign brief: concepts × segments × formats × variants, plus engines and policies."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from assetline.spec.common import Identifier, Licence, SpecModel

LAYOUTS = ("hero", "split", "typographic", "product", "quote", "banner")


class CopyOptions(SpecModel):
    """Copy templates per field. Each entry is a template: '{Fresh|Bold} coffee in {city}' (dynamicprompts)."""

    headline: list[str] = Field(min_length=1)
    body: list[str] = Field(default_factory=list)
    cta: list[str] = Field(default_factory=list)


class VisualDirection(SpecModel):
    style: Literal["photo", "gradient", "mesh", "pattern", "texture"] = "photo"
    photo: str | None = Field(default=None, description="Id of a brand-kit input asset (for style 'photo').")
    treatment: Literal["natural", "duotone", "graded"] = "natural"
    pattern: Literal["dots", "stripes", "grid", "waves", "circles", "triangles"] | None = None
    prompt: str = Field(default="", description="Prompt for generative visual engines.")

    @model_validator(mode="after")
    def _photo_needs_asset(self) -> VisualDirection:
        if self.style == "photo" and not self.photo:
            raise ValueError("style 'photo' needs 'photo: <asset id>' naming a brand-kit asset")
        return self


class Concept(SpecModel):
    id: Identifier
    name: str = ""
    copy_: CopyOptions = Field(alias="copy")
    translations: dict[str, CopyOptions] = Field(default_factory=dict, description="Copy per language code.")
    visual: VisualDirection = Field(default_factory=lambda: VisualDirection(style="gradient"))
    layouts: list[Literal["hero", "split", "typographic", "product", "quote", "banner"]] = Field(
        default_factory=list, description="Layouts to rotate through (empty = the composer picks per format)."
    )

    def copy_for(self, language: str) -> CopyOptions:
        return self.translations.get(language, self.copy_)


class Segment(SpecModel):
    id: Identifier
    name: str = ""
    language: str = Field(default="en", description="BCP 47 language code, e.g. 'en', 'ar', 'he', 'hi'.")
    city: str = ""
    country: str = Field(default="", description="ISO 3166 code.")
    audience: str = ""
    age_band: str = ""
    interests: list[str] = Field(default_factory=list)
    vars: dict[str, str] = Field(default_factory=dict, description="Extra template variables.")


class EngineChoice(SpecModel):
    copy_: str = Field(default="builtin.copy", alias="copy")
    visual: str = "builtin.visual"
    compose: str = "builtin.compose"
    motion: str = Field(default="builtin.motion", description="Animates composed layouts on motion formats.")
    voice: str = Field(default="builtin.voice", description="Speaks the voice-over on motion formats.")
    settings: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="Per engine id, that engine's settings (model folder, server URL, "
                                          "steps …); see docs/engines.md. Paths are relative to this file.")
    licences: dict[str, Licence] = Field(
        default_factory=dict, description="Per engine id, the licence of the trained model(s) it runs when the "
                                          "engine's settings or the brand kit give none (a server-side checkpoint, "
                                          "an LLM). Delivery withholds assets made by a model without a licence.")


class OutputOptions(SpecModel):
    jpeg_quality: int = Field(default=90, ge=40, le=100)
    prefer: Literal["auto", "jpeg", "png"] = Field(default="auto", description="'auto' picks per channel spec.")


class QCPolicy(SpecModel):
    """Which checks block and which warn (filled in by the QC gates)."""

    block: list[str] = Field(default_factory=list)
    warn: list[str] = Field(default_factory=list)
    retries: int = Field(default=2, ge=0, le=10)
    settings: dict[str, Any] = Field(default_factory=dict)


class ReviewPolicy(SpecModel):
    mode: Literal["all", "flagged_and_sample"] = "all"
    sample_rate: float = Field(default=0.1, ge=0, le=1)


class VoiceoverOptions(SpecModel):
    """Synthesised speech over motion formats (espeak-ng by default), mixed with an optional music bed."""

    enabled: bool = True
    script: str = Field(default="{headline}. {body}. {cta}.", description="Template over the copy fields "
                        "({headline}, {body}, {cta}); empty fields and their punctuation are dropped.")
    shorter: list[str] = Field(default_factory=lambda: ["{headline}. {cta}.", "{headline}."], description=
                               "Shorter scripts tried in order when `script` does not fit the video (a 6 s "
                               "bumper rarely has room for the body copy); empty: fail instead.")
    voices: dict[str, str] = Field(default_factory=dict, description="Per language code, the espeak-ng voice "
                                   "(e.g. en: en-gb, ar: ar, hi: hi); unlisted languages use the language code.")
    rate_wpm: int = Field(default=165, ge=80, le=320, description="Speaking rate in words per minute; raised "
                          "(up to max_rate_wpm) when the script would not fit the video.")
    max_rate_wpm: int = Field(default=210, ge=80, le=400)
    pitch: int = Field(default=50, ge=0, le=99)
    music: str | None = Field(default=None, description="Id of a brand-kit input asset of kind 'audio' (a "
                              "licensed WAV/MP3/OGG/FLAC file) used as the music bed; None: speech only.")
    music_gain_db: float = Field(default=-18.0, ge=-60, le=0, description="Music bed level relative to speech "
                                 "before ducking.")
    duck_db: float = Field(default=12.0, ge=0, le=40, description="How far the music dips under speech.")
    lead_in: float = Field(default=0.4, ge=0, le=5, description="Seconds of video before the voice starts.")


class MotionOptions(SpecModel):
    """How motion formats (formats with a `video` spec) are rendered."""

    variants: int | None = Field(default=None, ge=1, le=100, description="Video cells per concept × segment × "
                                 "motion format (at most the campaign's variants); None: every variant.")
    concepts: list[str] = Field(default_factory=list, description="Concept ids that get motion formats; "
                                "empty: every concept.")
    durations: dict[str, float] = Field(default_factory=dict, description="Per motion format id, the length in "
                                        "seconds (within the format's min/max); others use the format default.")
    captions: Literal["burned", "sidecar", "both"] = Field(default="both", description="Captions burned into "
                                                          "the frames, as SRT/WebVTT sidecar files, or both.")
    end_card: float = Field(default=2.0, ge=0.5, le=10, description="Seconds the end card (the composed still "
                            "with CTA and logo) holds at the end.")
    voiceover: VoiceoverOptions = Field(default_factory=VoiceoverOptions)


class Campaign(SpecModel):
    id: Identifier
    name: str
    brand: str = Field(description="Path to the brand kit YAML, relative to this file.")
    objective: str = ""
    concepts: list[Concept] = Field(min_length=1)
    segments: list[Segment] = Field(min_length=1)
    formats: list[str] = Field(min_length=1, description="Format ids from `assetline formats`.")
    variants: int = Field(default=1, ge=1, le=100)
    seed: int = 0
    engines: EngineChoice = Field(default_factory=EngineChoice)
    output: OutputOptions = Field(default_factory=OutputOptions)
    qc: QCPolicy = Field(default_factory=QCPolicy)
    review: ReviewPolicy = Field(default_factory=ReviewPolicy)
    motion: MotionOptions = Field(default_factory=MotionOptions)
    max_cells: int | None = Field(default=None, ge=1, description="Refuse to expand past this many cells.")

    @model_validator(mode="after")
    def _unique_ids(self) -> Campaign:
        for label, ids in (("concepts", [c.id for c in self.concepts]), ("segments", [s.id for s in self.segments]),
                           ("formats", list(self.formats))):
            dup = {i for i in ids if ids.count(i) > 1}
            if dup:
                raise ValueError(f"duplicate {label}: {', '.join(sorted(dup))}")
        return self

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
    max_cells: int | None = Field(default=None, ge=1, description="Refuse to expand past this many cells.")

    @model_validator(mode="after")
    def _unique_ids(self) -> Campaign:
        for label, ids in (("concepts", [c.id for c in self.concepts]), ("segments", [s.id for s in self.segments]),
                           ("formats", list(self.formats))):
            dup = {i for i in ids if ids.count(i) > 1}
            if dup:
                raise ValueError(f"duplicate {label}: {', '.join(sorted(dup))}")
        return self

"""Brand kit: palette, typography, logos, voice, imagery style and licensed input assets."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from assetline.spec.common import HexColour, Identifier, Licence, SpecModel

ColourRole = Literal["primary", "secondary", "accent", "background", "text", "neutral"]


class PaletteColour(SpecModel):
    name: Identifier
    hex: HexColour
    role: ColourRole = "neutral"


class ColourTolerance(SpecModel):
    """CIEDE2000 distances for the palette check."""

    pass_delta_e: float = Field(default=2.0, ge=0)
    warn_delta_e: float = Field(default=5.0, ge=0)


class FontRef(SpecModel):
    """A font: a file path, or a font shipped by an installed package ('fontpkg:inter', 'fontpkg:heebo')."""

    file: str = Field(description="Path relative to the brand kit, or 'fontpkg:<name>' for a PyPI font package.")
    weight: int = Field(default=400, ge=100, le=1000, description="Weight for variable fonts.")
    licence: Licence | None = None


class Typography(SpecModel):
    headline: FontRef
    body: FontRef
    cta: FontRef | None = None
    scripts: dict[Literal["arabic", "hebrew", "devanagari"], FontRef] = Field(
        default_factory=dict, description="Fonts for scripts the Latin fonts do not cover."
    )
    scale: float = Field(default=1.25, gt=1.0, le=2.0, description="Modular type scale ratio.")


class Logo(SpecModel):
    id: Identifier
    file: str
    on: Literal["light", "dark", "any"] = Field(default="any", description="Backgrounds this version is made for.")
    clear_space: float = Field(default=0.25, ge=0, le=2, description="Clear space around the logo, × logo height.")
    min_height_px: int = Field(default=24, ge=4)
    licence: Licence | None = None


class Disclaimer(SpecModel):
    text: str
    segments: list[str] = Field(default_factory=lambda: ["*"], description="Segment ids ('*' = all).")
    languages: list[str] = Field(default_factory=lambda: ["*"])


class Voice(SpecModel):
    tone: str = ""
    banned_terms: list[str] = Field(default_factory=list)
    banned_claims: list[str] = Field(default_factory=list)
    required_disclaimers: list[Disclaimer] = Field(default_factory=list)
    reading_grade_max: float | None = Field(default=None, ge=0)
    max_exclamations: int = Field(default=1, ge=0)

    def disclaimers_for(self, segment_id: str | None, language: str | None) -> list[str]:
        """Texts of the required disclaimers an asset for ``segment_id`` in ``language`` must carry, in kit
        order, without repeats. One applies when its ``segments`` hold '*' or ``segment_id`` (no segment: only
        the '*' ones) and its ``languages`` hold '*' or the language's primary subtag ('en' for 'en-GB');
        an unknown language (None) matches every language."""
        primary = _primary_subtag(language)
        out: list[str] = []
        for d in self.required_disclaimers:
            if "*" not in d.segments and (segment_id is None or segment_id not in d.segments):
                continue
            languages = {_primary_subtag(x) for x in d.languages}
            if "*" not in d.languages and primary is not None and primary not in languages:
                continue
            if d.text not in out:
                out.append(d.text)
        return out


def _primary_subtag(language: str | None) -> str | None:
    if not language:
        return None
    return language.replace("_", "-").split("-")[0].lower() or None


class Imagery(SpecModel):
    style: Literal["photo", "gradient", "mesh", "pattern", "texture"] = "photo"
    prompt: str = ""
    negative_prompt: str = ""
    model: str | None = Field(default=None, description="The brand's base model for diffusion engines: a diffusers "
                                                       "folder or a single-file checkpoint, relative to the kit.")
    model_licence: Licence | None = Field(default=None, description="Licence of the base model.")
    lora: str | None = Field(default=None, description="The brand's LoRA (a model file) for diffusion engines.")
    lora_licence: Licence | None = Field(default=None, description="Licence of the LoRA and of its training data.")
    lora_weight: float = Field(default=0.8, ge=0, le=2, description="How strongly the LoRA is applied.")


class InputAsset(SpecModel):
    """A licensed input file: product photo, reference image, protected work."""

    id: Identifier
    file: str = Field(description="Path relative to the brand kit, or 'skimage:<file>' for scikit-image samples.")
    kind: Literal["photo", "reference", "protected", "audio"] = "photo"
    description: str = ""
    licence: Licence | None = None


class Licensing(SpecModel):
    """Licence policy for the kit's input files."""

    allow_unlicensed: bool = Field(
        default=False, description="Accept input files without a licence record (they are then blocked at delivery).")
    ai_training_allowed: bool = Field(
        default=False, description="May delivered assets be used to train AI models or mined for data? Written into "
                                   "every signed file as the C2PA training-and-mining assertion.")


class BrandKit(SpecModel):
    id: Identifier
    name: str
    palette: list[PaletteColour] = Field(min_length=1)
    tolerance: ColourTolerance = Field(default_factory=ColourTolerance)
    typography: Typography
    logos: list[Logo] = Field(default_factory=list)
    voice: Voice = Field(default_factory=Voice)
    imagery: Imagery = Field(default_factory=Imagery)
    assets: list[InputAsset] = Field(default_factory=list)
    licensing: Licensing = Field(default_factory=Licensing)

    @model_validator(mode="after")
    def _unique_ids(self) -> BrandKit:
        for label, ids in (("palette", [c.name for c in self.palette]), ("logos", [lg.id for lg in self.logos]),
                           ("assets", [a.id for a in self.assets])):
            dup = {i for i in ids if ids.count(i) > 1}
            if dup:
                raise ValueError(f"duplicate {label} id(s): {', '.join(sorted(dup))}")
        return self

    def colour(self, role: str) -> PaletteColour | None:
        """The first palette colour with ``role``."""
        return next((c for c in self.palette if c.role == role), None)

    def asset(self, asset_id: str) -> InputAsset | None:
        return next((a for a in self.assets if a.id == asset_id), None)

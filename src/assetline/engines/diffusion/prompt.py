"""Prompts for the diffusion engine, built from the brief: pure functions, no model needed.

    parts = prompt_parts(concept.visual, kit.imagery, segment)
    prompt = fit_prompt(parts, count_tokens)          # drops the least important parts past CLIP's limit
    negative = negative_prompt(kit.imagery.negative_prompt)

Order is importance: CLIP text encoders read 77 tokens (75 after the start/end tokens) and silently ignore the
rest, so the concept's own prompt comes first, then the brand's imagery prompt, then style and treatment words,
then the audience segment (who, where, what they like). ``fit_prompt`` keeps whole parts, most important first,
and reports what it dropped.

Negative prompt: the brand's own negative prompt, then ``DEFAULT_NEGATIVE``. The composer sets the real
headline, copy and logo on top of the visual, so letters, watermarks and logo-like marks the model invents would
compete with the copy, can read as wrong claims and fail the brand QC gates; "blurry, low quality" is the usual
quality guard.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assetline.spec.brand import Imagery
from assetline.spec.campaign import Segment, VisualDirection

CLIP_TOKENS = 75
"""Tokens a CLIP prompt may use (77 minus the start and end tokens)."""
DEFAULT_NEGATIVE = "text, letters, watermark, logo, signature, blurry, low quality"

STYLE_WORDS = {
    "photo": "professional product photography, studio lighting, sharp focus",
    "gradient": "smooth soft gradient background, minimal, clean",
    "mesh": "soft abstract colour mesh background, blurred flowing shapes",
    "pattern": "clean geometric pattern background",
    "texture": "subtle tactile texture background, fine grain",
}
TREATMENT_WORDS = {
    "natural": "natural colours",
    "duotone": "duotone, two-colour print",
    "graded": "cinematic colour grading",
}


@dataclass(frozen=True)
class FittedPrompt:
    text: str
    tokens: int
    """Tokens the kept text uses (per the counter given)."""
    dropped: tuple[str, ...] = ()
    """Parts left out because they would not fit, least important last."""


def prompt_parts(visual: VisualDirection, imagery: Imagery, segment: Segment | None) -> list[str]:
    """The prompt's parts, most important first, empty ones and repeats removed."""
    style = STYLE_WORDS[visual.style]
    if visual.style == "pattern" and visual.pattern:
        style = f"{style}, {visual.pattern}"
    parts = [visual.prompt, imagery.prompt, style, TREATMENT_WORDS[visual.treatment]]
    if segment is not None:
        parts.extend(segment_parts(segment))
    out: list[str] = []
    for part in parts:
        part = " ".join(part.split()).strip(" ,")
        if part and part.lower() not in (p.lower() for p in out):
            out.append(part)
    return out


def segment_parts(segment: Segment) -> list[str]:
    """Who the visual is for: audience, place, interests (each a part, in that order)."""
    parts: list[str] = []
    if segment.audience:
        parts.append(f"for {segment.audience}")
    place = ", ".join(p for p in (segment.city, segment.country) if p)
    if place:
        parts.append(f"in {place}")
    if segment.interests:
        parts.append("themes of " + ", ".join(segment.interests))
    return parts


def fit_prompt(parts: Sequence[str], count_tokens: Callable[[str], int] | None = None,
               limit: int = CLIP_TOKENS) -> FittedPrompt:
    """Join ``parts`` with ', ', keeping each part only if the text still fits ``limit`` tokens. Without a
    counter (the tokenizer is not loaded) everything is kept. The first part is always kept (the text encoder
    truncates it if it is too long on its own)."""
    if count_tokens is None:
        text = ", ".join(parts)
        return FittedPrompt(text=text, tokens=-1)
    kept: list[str] = []
    dropped: list[str] = []
    for part in parts:
        candidate = ", ".join([*kept, part])
        if not kept or count_tokens(candidate) <= limit:
            kept.append(part)
        else:
            dropped.append(part)
    text = ", ".join(kept)
    return FittedPrompt(text=text, tokens=count_tokens(text) if text else 0, dropped=tuple(dropped))


def negative_prompt(brand_negative: str) -> str:
    """The brand's negative prompt followed by ``DEFAULT_NEGATIVE`` terms it does not already contain."""
    own = [t.strip() for t in brand_negative.split(",") if t.strip()]
    seen = {t.lower() for t in own}
    extra = [t for t in DEFAULT_NEGATIVE.split(", ") if t.lower() not in seen]
    return ", ".join([*own, *extra])

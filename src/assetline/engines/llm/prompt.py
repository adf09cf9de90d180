"""The messages sent to the model: a system prompt with every rule, a user turn asking for JSON, and the
corrective turns after a bad reply.

Write mode, system prompt (in this order): the brand and its tone; the language to write in; the channel
format and each field's character limit; banned terms and claims; the required disclaimers (added by the
layout: not to be repeated or contradicted); reading level and exclamation limit; the concept (name, the
brief's copy as examples of the idea, visual direction); the audience; texts rejected in review.

Translate mode: the same rules, and the brief's rendered copy to translate field by field, in order.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from assetline.spec.brand import BrandKit, Voice
from assetline.spec.campaign import Concept, Segment
from assetline.spec.formats import ChannelFormat

LANGUAGE_NAMES = {
    "ar": "Arabic", "bn": "Bengali", "cs": "Czech", "da": "Danish", "de": "German", "el": "Greek", "en": "English",
    "es": "Spanish", "fa": "Persian", "fi": "Finnish", "fr": "French", "he": "Hebrew", "hi": "Hindi",
    "hu": "Hungarian", "id": "Indonesian", "it": "Italian", "ja": "Japanese", "ko": "Korean", "ms": "Malay",
    "nl": "Dutch", "no": "Norwegian", "nb": "Norwegian Bokmål", "pl": "Polish", "pt": "Portuguese",
    "ro": "Romanian", "ru": "Russian", "sv": "Swedish", "sw": "Swahili", "ta": "Tamil", "th": "Thai",
    "tr": "Turkish", "uk": "Ukrainian", "ur": "Urdu", "vi": "Vietnamese", "zh": "Chinese",
}
FIELD_ROLES = {"headline": "the headline", "body": "the body text (one or two short sentences)",
               "cta": "the call to action on the button (a few words)"}


def language_name(code: str) -> str:
    """'German (de)' for 'de'; the code alone when the name is not known."""
    primary = code.replace("_", "-").split("-")[0].lower()
    name = LANGUAGE_NAMES.get(primary)
    return f"{name} ({code})" if name else f"the language with code '{code}'"


@dataclass(frozen=True)
class PromptContext:
    brand: BrandKit | None
    concept: Concept
    segment: Segment
    format: ChannelFormat
    limits: Mapping[str, int | None]
    """Per requested field, its character limit (None: no limit)."""
    disclaimers: Sequence[str]
    exclude: Sequence[str]


def _rules(ctx: PromptContext) -> list[str]:
    voice = ctx.brand.voice if ctx.brand is not None else Voice()
    fmt = ctx.format
    lines = [f"Channel: {fmt.name} ({fmt.width}×{fmt.height} px). Character limits, counted with spaces and "
             "punctuation; every text must fit:"]
    for name, limit in ctx.limits.items():
        cap = f"at most {limit} characters" if limit is not None else "no fixed limit, keep it short"
        lines.append(f"- {name}: {FIELD_ROLES.get(name, name)}, {cap}")
    if voice.banned_terms:
        lines.append("Never use these words, in any form (plural, -er, -est, -ly …): "
                     + ", ".join(json.dumps(t, ensure_ascii=False) for t in voice.banned_terms) + ".")
    if voice.banned_claims:
        lines.append("Never make these claims, in any wording: "
                     + ", ".join(json.dumps(t, ensure_ascii=False) for t in voice.banned_claims) + ".")
    if ctx.disclaimers:
        lines.append("Required disclaimers: the layout adds them separately as a legal line. Do not include them "
                     "in the copy, and write nothing that contradicts them: "
                     + " ".join(json.dumps(d, ensure_ascii=False) for d in ctx.disclaimers))
    if voice.reading_grade_max is not None:
        lines.append(f"Reading level: US school grade {voice.reading_grade_max:g} or below (short, common words).")
    lines.append(f"At most {voice.max_exclamations} exclamation mark(s) per text; never stack punctuation "
                 "('!!', '?!'); no words in ALL CAPS.")
    if ctx.exclude:
        lines.append("A reviewer rejected these texts; never write them again: "
                     + "; ".join(json.dumps(t, ensure_ascii=False) for t in ctx.exclude))
    return lines


def _audience(segment: Segment) -> str:
    parts = [f"{k}: {v}" for k, v in (("segment", segment.name or segment.id), ("audience", segment.audience),
                                      ("city", segment.city), ("country", segment.country),
                                      ("age band", segment.age_band), ("interests", ", ".join(segment.interests)))
             if v]
    return "Audience — " + "; ".join(parts) + "."


def _brand_line(ctx: PromptContext) -> list[str]:
    name = ctx.brand.name if ctx.brand is not None else "the brand"
    tone = ctx.brand.voice.tone if ctx.brand is not None else ""
    return [f"Brand: {name}." + (f" Voice and tone: {tone}." if tone else "")]


def write_system_prompt(ctx: PromptContext, examples: Mapping[str, Sequence[str]]) -> str:
    """The system prompt of write mode; ``examples`` are the brief's copy for the concept, per field."""
    lang = language_name(ctx.segment.language)
    concept, visual = ctx.concept, ctx.concept.visual
    lines = [f"You are a senior copywriter. You write advertising copy in {lang}, and only in {lang}.",
             *_brand_line(ctx), *_rules(ctx),
             f"Concept: {concept.name or concept.id}."]
    if examples:
        lines.append("The brief's own copy for this concept (examples of the idea; write new, natural options in "
                     f"{lang} that keep it):")
        lines += [f"- {name}: " + " | ".join(texts) for name, texts in examples.items() if texts]
    direction = f"Visual: {visual.style}" + (f", {visual.prompt}" if visual.prompt else "") + "."
    lines += [direction, _audience(ctx.segment), "Answer with JSON only, no explanations."]
    return "\n".join(lines)


def write_user_prompt(fields: Sequence[str], n: int, schema: Mapping[str, Any]) -> str:
    return (f"Write {n} different options for each of: {', '.join(fields)}. Reply with only a JSON object with an "
            f"array of strings per field, matching this JSON Schema:\n{json.dumps(schema, ensure_ascii=False)}")


def translate_system_prompt(ctx: PromptContext, source_language: str) -> str:
    """The system prompt of translate mode."""
    src, dst = language_name(source_language), language_name(ctx.segment.language)
    lines = [f"You are a professional advertising translator. You translate ad copy from {src} into {dst}: keep "
             "the meaning and the tone, adapt idioms so they read naturally, keep brand and product names as "
             "written, and shorten where needed to fit the limits.",
             *_brand_line(ctx), *_rules(ctx), _audience(ctx.segment), "Answer with JSON only, no explanations."]
    return "\n".join(lines)


def translate_user_prompt(sources: Mapping[str, Sequence[str]], schema: Mapping[str, Any]) -> str:
    return ("Translate every text below. Reply with only a JSON object with the same fields, each an array with "
            "exactly one translation per source text, in the same order, matching this JSON Schema:\n"
            f"{json.dumps(schema, ensure_ascii=False)}\nTexts:\n{json.dumps(dict(sources), ensure_ascii=False)}")


def correction(problems: Sequence[str], schema: Mapping[str, Any]) -> str:
    """The user turn after a reply that could not be used."""
    listed = "\n".join(f"- {p}" for p in problems)
    return (f"Your reply could not be used:\n{listed}\nReply again with the whole JSON object only (no prose, no "
            f"code fences), following every rule and matching this JSON Schema:\n"
            f"{json.dumps(schema, ensure_ascii=False)}")

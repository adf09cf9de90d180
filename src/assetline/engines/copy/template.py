"""The built-in copy engine: dynamicprompts templates from the brief, fitted to each channel's limits.

Usage::

    engine = TemplateCopyEngine()
    result = engine.generate(CopyRequest(concept=concept, segment=segment, format=catalogue()["iab-320x50"],
                                         variant=0, seed=2026))
    result.fields["headline"]        # 'Power your morning launch'
    result.alternatives["headline"]  # every fitting rendering, shortest first
    result.choices["headline"]       # how it was chosen (recorded in lineage)

Grammar: see grammar.py. Variables: see variables.py. Choice: see select.py.
"""

from __future__ import annotations

from typing import Any, ClassVar

from assetline.engines.base import CopyRequest, CopyResult, Modality
from assetline.engines.copy.expand import DEFAULT_CAP, expand_field
from assetline.engines.copy.grammar import MissingVariableError, TemplateSyntaxError
from assetline.engines.copy.language import direction_of_text, resolve_copy, text_direction
from assetline.engines.copy.select import AllExcluded, choose, draw
from assetline.engines.copy.variables import describe_missing, segment_variables
from assetline.errors import EngineError

FIELDS = ("headline", "body", "cta")

SYNTAX_HINT = ("copy templates use {a|b} for alternatives, {2::a|1::b} for weights and ${city} for "
               "segment variables")


class TemplateCopyEngine:
    """Renders a concept's copy templates for one segment, format and variant.

    Steps per field (headline, then body and cta when the brief has them):
    expand every alternative of every template (at most ``cap`` texts), drop rejected texts, keep those
    within the format's character limit, and pick one by weight with a draw fixed by (seed, variant,
    concept, segment, field). When nothing fits, the shortest text is used and ``over_limit`` recorded
    for the QC gate; text is never truncated.

    Direction is the segment language's when a translation was used, else that of the rendered text
    (the default copy may be in any language).
    """

    id: ClassVar[str] = "builtin.copy"
    version: ClassVar[str] = "1"
    modality: ClassVar[Modality] = "copy"

    def __init__(self, cap: int = DEFAULT_CAP) -> None:
        if cap < 1:
            raise EngineError(f"copy engine cap must be at least 1, not {cap}")
        self.cap = cap

    def check_inputs(self, request: CopyRequest) -> None:
        if request.variant < 0:
            raise EngineError(f"variant must be 0 or more, not {request.variant}")
        if isinstance(request.exclude, str):
            raise EngineError("CopyRequest.exclude must be a tuple of texts, not one string",
                              hint="write exclude=(text,)")

    def generate(self, request: CopyRequest) -> CopyResult:
        # 1. Check inputs
        self.check_inputs(request)
        concept, segment = request.concept, request.segment

        # 2. The copy this segment reads, and the values of its variables
        options, translation = resolve_copy(concept, segment.language)
        env = segment_variables(segment)

        fields: dict[str, str] = {}
        alternatives: dict[str, list[str]] = {}
        choices: dict[str, Any] = {}
        for field in FIELDS:
            templates: list[str] = getattr(options, field)
            if not templates:
                continue
            where = f"concept '{concept.id}' {field}" + (f" ({translation})" if translation else "")

            # 3. Every rendering of the field's templates
            try:
                expansion = expand_field(templates, env, cap=self.cap)
            except TemplateSyntaxError as exc:
                raise EngineError(f"{where}: {exc}", hint=SYNTAX_HINT) from exc
            except MissingVariableError as exc:
                message, hint = describe_missing(exc.name, [segment])
                raise EngineError(f"{where}: copy template {exc.template!r} {message}", hint=hint) from exc
            if not expansion.candidates:
                raise EngineError(f"{where}: the templates render only empty text",
                                  hint="give every field at least one non-empty template")

            # 4. Pick within the channel's limit, avoiding rejected texts
            limit: int | None = getattr(request.format.text_limits, field)
            u = draw(request.seed, request.variant, concept.id, segment.id, field)
            try:
                choice = choose(expansion.candidates, limit, request.exclude, u)
            except AllExcluded:
                raise EngineError(
                    f"{where}: every one of its {len(expansion.candidates)} texts was rejected in review",
                    hint="add new copy options to the brief for this concept") from None

            # 5. Record the choice and the fallbacks for the composer
            picked = choice.candidate
            fields[field] = picked.text
            fitting = list(choice.fitting) or [picked]
            alternatives[field] = [c.text for c in sorted(fitting, key=lambda c: len(c.text))]
            choices[field] = {
                "template": picked.template,
                "template_index": picked.template_index,
                "index": choice.index,
                "limit": limit,
                "length": len(picked.text),
                "over_limit": choice.over_limit,
                "candidates": len(expansion.candidates),
                "fitting": len(choice.fitting),
                "excluded": choice.excluded,
                "truncated": expansion.truncated,
                "translation": translation,
            }

        # 6. Direction
        if translation is not None:
            direction = text_direction(segment.language)
        else:
            direction = direction_of_text(fields["headline"]) or text_direction(segment.language)
        return CopyResult(fields=fields, language=segment.language, direction=direction,
                          alternatives=alternatives, choices=choices)
